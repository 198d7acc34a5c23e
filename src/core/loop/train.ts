// Train: measure a committed candidate in its slot until the acceptance rule can decide (more runs of the
// candidate, or of the best beside it), check the protected files after each run, and run the guard command
// on a keep. What it found goes to the decision step (decision-step.ts); a failure closes the experiment here.
import { NOISE_UNKNOWN_NOTICE, type CarriedChange, type Experiment, type ExperimentRunResult } from '../../shared/experiment.js';
import { seedsFor, seedVaries } from '../project/seed-launch.js';
import { restoreFiles } from '../agent/diff-guard.js';
import type { ExperimentCloser, LoopGit, RunIdentity, RunJournalView, RunLiveView, RunProcesses, SlotState } from './context.js';
import { isoNow } from './context.js';
import { decide, decisionInput, mean, type Decision } from './decide.js';
import { failureOf, measure, trainingMs } from './measure.js';
import { targetFields, type Target } from './outcomes.js';
import { changedProtectedFiles } from './protected-files.js';
import { candidateJudge } from './early-stop.js';
import { describeEarlyStop } from '../../shared/config-early-stop.js';

export type TrainContext = RunIdentity & RunJournalView & ExperimentCloser & RunLiveView & Pick<RunProcesses, 'runProcess' | 'protectedHashes'> & { readonly git: LoopGit };

/** What training a candidate came to. */
export type Trained =
  /** It failed (crash, timeout, tampering, a stop) and was closed here. */
  | { readonly kind: 'closed' }
  | {
      readonly kind: 'trained';
      readonly verdict: Extract<Decision, { kind: 'keep' | 'discard' }>;
      readonly runs: ExperimentRunResult[];
      readonly guard: Experiment['guard'];
      /** The best (and how often it was measured) when the verdict was reached. */
      readonly judgedBest: { readonly id: number | null; readonly runs: number };
      /** The fields of the record that the runs fill in. */
      readonly measured: () => Partial<Experiment>;
    };

const CLOSED: Trained = { kind: 'closed' };

/** Measure `target.commit` in the slot (already reset to it); runs of earlier carries count toward its time. */
export async function train(ctx: TrainContext, slot: SlotState, id: number, at: { readonly target: Target; readonly carried: CarriedChange | null; readonly earlierRuns: readonly ExperimentRunResult[] }): Promise<Trained> {
  const { config, record, paths } = ctx;
  const { target, carried, earlierRuns } = at;
  const offset = earlierRuns.length;
  const carriedNote = carried ? `Carried onto #${target.baseId}: ` : '';
  ctx.setPhase(slot, 'running');
  const runs: ExperimentRunResult[] = [];
  // Only the first run is judged against the best's curves (config.earlyStop): a confirmation run is asked for
  // because the candidate looked good, and a run of the best is what the curves are compared with.
  const first = await measure(ctx, slot, id, offset, candidateSeed(ctx, 0), candidateJudge(config, record));
  runs.push(first.result);
  const measured = () => ({ runs: [...runs], logPath: first.result.logPath, metrics: first.result.metrics, timings: { ...ctx.current(id).timings, trainingMs: trainingMs([...earlierRuns, ...runs]) } });
  const close = (extra: Partial<Experiment>, tail: string | null) => ctx.close(slot, id, { ...targetFields(target, carried), ...measured(), ...extra }, tail);
  const tamperedAfter = await changedProtectedFiles(slot.worktree, ctx.protectedHashes());
  if (tamperedAfter.length) {
    await restoreFiles(slot.worktree, record.startCommit, tamperedAfter);
    await close({ status: 'rejected', error: `${carriedNote}The experiment changed protected files while it ran: ${tamperedAfter.join(', ')}. Its result is not trusted; the files were restored.` }, first.tail);
    return CLOSED;
  }
  if (first.stoppedEarly) {
    const s = first.stoppedEarly;
    const name = config.metric.name;
    const error = `${carriedNote}${describeEarlyStop(s)[0]!.toUpperCase()}${describeEarlyStop(s).slice(1)}: its curve was at ${s.value} where the best's (#${s.bestId}) was at ${s.bestValue.toPrecision(6)}, more than ${config.earlyStop.margin} × the noise of the curves there (${s.noise.toPrecision(3)}). Not a ${name} result: the run did not finish.`;
    await close({ status: 'stopped-early', metric: null, earlyStop: s, error }, first.tail);
    return CLOSED;
  }
  const failure = failureOf(config, first);
  if (failure) {
    await close({ status: failure.status, error: carriedNote + failure.error }, first.tail);
    return CLOSED;
  }

  ctx.setPhase(slot, 'deciding');
  // The acceptance rule asks for runs until it can decide: more of the candidate, or of the best beside it.
  const values = () => runs.map((r) => r.metric!);
  const seeds = () => (seedVaries(config.seed) ? runs.map((r) => r.seed ?? null) : undefined);
  let decision = decide(decisionInput(ctx, values(), seeds()));
  while (decision.kind === 'measure-candidate' || decision.kind === 'measure-best') {
    ctx.setPhase(slot, 'confirming');
    if (decision.kind === 'measure-best') {
      const failed = await remeasureBest(ctx, slot, target.commit);
      if (failed) {
        await close({ status: failed.status, metric: mean(values()), error: failed.error }, null);
        return CLOSED;
      }
    } else {
      const again = await measure(ctx, slot, id, offset + runs.length, candidateSeed(ctx, runs.length));
      const f = failureOf(config, again);
      if (f) {
        await close({ runs: [...runs, again.result], status: f.status === 'interrupted' ? 'interrupted' : 'discard', metric: mean(values()), error: `${carriedNote}A confirmation run failed: ${f.error}` }, again.tail);
        return CLOSED;
      }
      runs.push(again.result);
    }
    decision = decide(decisionInput(ctx, values(), seeds()));
  }
  const verdict = decision;
  if (verdict.noiseUnknown && !record.notices.some((n) => n.message === NOISE_UNKNOWN_NOTICE)) {
    // Said once per run: every later decision carries "noise unknown" in its confidence.
    await ctx.append({ type: 'notice', at: isoNow(), level: 'warning', id, message: NOISE_UNKNOWN_NOTICE });
  }
  const judgedBest = { id: record.bestId, runs: record.experiments.get(record.bestId!)!.runs.length };

  let guard: Experiment['guard'] = null;
  if (verdict.kind === 'keep' && config.acceptance.guardCommand) {
    ctx.setPhase(slot, 'guarding');
    const logRel = paths.guardLogRel(id);
    const g = await ctx.runProcess({ what: 'guard', id, slot, command: config.acceptance.guardCommand, cwd: slot.worktree, logRel, timeoutMs: config.acceptance.guardTimeoutSeconds * 1000 });
    if (g.aborted) {
      await close({ status: 'interrupted', metric: mean(values()), error: 'Stopped while the guard command ran.' }, null);
      return CLOSED;
    }
    guard = { passed: g.exitCode === 0 && !g.timedOut, exitCode: g.exitCode, durationMs: g.durationMs, logPath: logRel };
  }
  return { kind: 'trained', verdict, runs, guard, judgedBest, measured };
}

/**
 * The seed of a candidate's k-th run: the best's k-th run's seed, so candidate and best are compared under
 * equal seeds in the same order (a paired comparison); the seed list's next one when the best has no k-th run.
 * Null when the seed is not varied.
 */
function candidateSeed(ctx: TrainContext, k: number): number | null {
  if (!seedVaries(ctx.config.seed)) return null;
  const best = ctx.record.bestId === null ? undefined : ctx.record.experiments.get(ctx.record.bestId);
  const bestSeeds = (best?.runs ?? []).filter((r) => r.metric !== null && Number.isFinite(r.metric)).map((r) => r.seed ?? null);
  return bestSeeds[k] ?? seedsFor(k + 1)[k]!;
}

/** Run indices reserved per best, per run, so two slots measuring the same best never share a log file. */
const nextRunIndex = new WeakMap<object, Map<number, number>>();

/**
 * Measures the current best again in this slot's worktree (then puts the candidate back): the run joins
 * the best's record through a `best-remeasured` event. Returns why it failed, or null.
 */
async function remeasureBest(ctx: TrainContext, slot: SlotState, candidateCommit: string): Promise<{ status: 'interrupted' | 'discard'; error: string } | null> {
  const { record, config } = ctx;
  const bestId = record.bestId!;
  const bestCommit = record.bestCommit!;
  const reserved = nextRunIndex.get(record) ?? new Map<number, number>();
  nextRunIndex.set(record, reserved);
  const runIndex = Math.max(reserved.get(bestId) ?? 0, record.experiments.get(bestId)!.runs.length);
  reserved.set(bestId, runIndex + 1);
  // A fresh seed for each run of the best (run i: seed i + 1, as the baseline's repeats and a kept candidate's
  // runs are numbered): a seed it already ran would repeat exactly and hide the noise.
  const used = new Set(record.experiments.get(bestId)!.runs.map((r) => r.seed));
  let seed: number | null = null;
  if (seedVaries(config.seed)) for (seed = runIndex + 1; used.has(seed); seed++);
  await ctx.git.resetTo(slot.worktree, bestCommit);
  try {
    const m = await measure(ctx, slot, bestId, runIndex, seed);
    const tampered = await changedProtectedFiles(slot.worktree, ctx.protectedHashes());
    if (tampered.length) {
      await restoreFiles(slot.worktree, record.startCommit, tampered);
      return { status: 'discard', error: `Measuring the best (#${bestId}) again changed protected files: ${tampered.join(', ')}. That run is not used.` };
    }
    const f = failureOf(config, m);
    if (f) return { status: f.status === 'interrupted' ? 'interrupted' : 'discard', error: `Measuring the best (#${bestId}) again failed, so this candidate could not be compared: ${f.error}` };
    await ctx.append({ type: 'best-remeasured', at: isoNow(), id: bestId, run: m.result });
    return null;
  } finally {
    await ctx.git.resetTo(slot.worktree, candidateCommit).catch(() => undefined);
  }
}
