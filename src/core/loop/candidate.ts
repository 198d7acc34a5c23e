// One candidate, start to end: propose (proposal.ts) or take a pipelined proposal from the queue, wait for
// approval when the config asks (approval.ts), verify the protected files, measure, confirm a narrow win, run
// the guard command, decide (decision-step.ts).
import type { CarriedChange, Experiment, ExperimentRunResult, ProposedOn } from '../../shared/experiment.js';
import { restoreFiles } from '../agent/diff-guard.js';
import { carryOnto } from '../git/carry-change.js';
import { raw, rev } from '../git/git.js';
import { resetTo } from '../git/reset-to.js';
import { updateRef } from '../git/update-ref.js';
import { isoNow, runningExperiment, type RunContext, type SlotState } from './context.js';
import { decide, mean } from './decide.js';
import { failureOf, measure, trainingMs } from './measure.js';
import { changedProtectedFiles } from './protected-files.js';
import { candidateRef, carriedRef } from './refs.js';
import { decisionInput, decisionStep, type Evaluated, type Target } from './decision-step.js';
import { makeProposal, type MadeProposal, type ProposalSite } from './proposal.js';
import { approvalGate, type GateInput } from './approval.js';

export async function runCandidate(ctx: RunContext, slot: SlotState, id: number): Promise<void> {
  // A proposal an earlier session left waiting for approval: no new proposal, it waits (or runs) again.
  if (ctx.record.approvals.has(id)) return resumeWaitingProposal(ctx, slot, id);
  const { config, record } = ctx;
  const base = record.experiments.get(record.bestId!)!;
  const parentCommit = record.bestCommit!;
  await resetTo(slot.worktree, parentCommit, config.files.linked);
  const startedAt = isoNow();
  const running = runningExperiment({ id, kind: 'candidate', slot: slot.index, baseId: base.id, parentCommit, startedAt });
  await ctx.append({ type: 'experiment-start', at: startedAt, experiment: running });
  ctx.setPhase(slot, 'proposing', { experimentId: id, description: null, experimentStartedAt: startedAt, metricsSoFar: {} });

  const t0 = Date.now();
  const made = await makeProposal(ctx, slotSite(ctx, slot), id, base);
  if ('interrupted' in made || 'fatal' in made || 'exhausted' in made) {
    const proposalMs = Date.now() - t0;
    const error = 'interrupted' in made ? made.interrupted : 'fatal' in made ? made.fatal : made.exhausted;
    // Nothing was proposed, so nothing ran: the experiment is closed as interrupted (not a failure).
    await ctx.finish(slot, { ...ctx.current(id), status: 'interrupted', error, timings: { ...running.timings, proposalMs } }, null);
    if ('fatal' in made) ctx.requestStop('auth', made.fatal, false);
    // The proposer has nothing new: the run stops gracefully, letting other slots finish what they measure.
    if ('exhausted' in made) ctx.requestStop('exhausted', made.exhausted, true);
    return;
  }
  await runProposed(ctx, slot, id, made, { commit: made.commit ?? parentCommit, parentCommit, baseId: base.id });
}

/** The site of a slot proposing for itself: its own worktree, its live status. */
function slotSite(ctx: RunContext, slot: SlotState): ProposalSite {
  return {
    dir: slot.worktree,
    index: slot.index,
    lastCrashLogTail: slot.lastStatus === 'crash' || slot.lastStatus === 'timeout' ? slot.lastLogTail : null,
    status: (message) => {
      slot.waitingReason = message;
      ctx.emitLive();
    },
    waiting: (reason) => ctx.setPhase(slot, 'waiting', { waitingReason: reason }),
    proposing: () => ctx.setPhase(slot, 'proposing'),
  };
}

/** What became of a queued proposal a slot took: run, or handed back because it conflicts with the best. */
export type QueuedOutcome = { readonly ran: true } | { readonly conflict: { readonly files: readonly string[]; readonly withId: number | null } } | { readonly dropped: string };

/**
 * Run a pipelined proposal (made ahead in a proposal worktree) in this slot. When the best moved since it
 * was made, its change is carried onto the best first (a three-way merge); a conflict is handed back.
 */
export async function runQueued(ctx: RunContext, slot: SlotState, queued: { readonly made: MadeProposal; readonly madeAt: string }): Promise<QueuedOutcome> {
  const { config, record, projectDir, tag } = ctx;
  const { made } = queued;
  const id = made.id;
  let target: Target = { commit: made.commit ?? record.bestCommit!, parentCommit: made.parentCommit, baseId: made.baseId };
  let proposedOn: ProposedOn | null = null;
  // A commit gone from the repository (a gc, a user's clean-up) is asked about only when git fails on it: the
  // common case, a commit that is there, costs no extra git process between two experiments.
  const gone = async (err: unknown): Promise<{ dropped: string }> => {
    if (made.commit !== null && !(await commitExists(projectDir, made.commit))) return { dropped: `Its commit ${made.commit.slice(0, 7)} is gone from the repository.` };
    throw err;
  };
  if (made.commit !== null) {
    if (record.bestCommit !== made.parentCommit) {
      // The best moved while it waited: carry the change onto the best of now, so it is measured with it.
      const result = await carryOnto(projectDir, made.commit, record.bestCommit!, `${made.description} (carried onto #${record.bestId})\n\nAutoresearch-Run: ${tag}\nAutoresearch-Experiment: ${id}`).catch(gone);
      if ('dropped' in result) return result;
      if ('conflicts' in result) return { conflict: { files: result.conflicts, withId: record.bestId } };
      proposedOn = { baseId: made.baseId, parentCommit: made.parentCommit, commit: made.commit };
      target = { commit: result.commit, parentCommit: record.bestCommit!, baseId: record.bestId };
      // The merge keeps the proposer's commit as its second parent, so both stay reachable from this ref.
      await updateRef(projectDir, candidateRef(tag, id), result.commit);
    }
  } else {
    target = { commit: record.bestCommit!, parentCommit: record.bestCommit!, baseId: record.bestId };
  }
  const reset = await resetTo(slot.worktree, target.commit, config.files.linked).catch(gone);
  if (reset) return reset;
  const startedAt = isoNow();
  const running: Experiment = {
    ...runningExperiment({ id, kind: 'candidate', slot: slot.index, baseId: target.baseId, parentCommit: target.parentCommit, startedAt }),
    proposedAt: made.proposedAt,
    ...(proposedOn ? { proposedOn } : {}),
  };
  const queueWaitMs = Math.max(0, Date.parse(startedAt) - Date.parse(queued.madeAt));
  await ctx.append({ type: 'experiment-start', at: startedAt, experiment: { ...running, timings: { ...running.timings, queueWaitMs } } });
  ctx.setPhase(slot, 'committing', { experimentId: id, description: made.description, experimentStartedAt: startedAt, metricsSoFar: {} });
  await runProposed(ctx, slot, id, made, target);
  return { ran: true };
}

async function commitExists(dir: string, commit: string): Promise<boolean> {
  return raw(dir, ['cat-file', '-e', `${rev(commit)}^{commit}`]).then(
    () => true,
    () => false,
  );
}

/**
 * A proposal made, recorded on experiment `id` (already started in this slot, the worktree at start.commit):
 * a rejection is closed here; a change goes on to measureProposal.
 */
async function runProposed(ctx: RunContext, slot: SlotState, id: number, made: MadeProposal, start: Target): Promise<void> {
  const { description } = made;
  ctx.setPhase(slot, 'committing', { description });
  await ctx.append({
    type: 'experiment-proposed',
    at: isoNow(),
    id,
    commit: made.commit === null ? null : start.commit,
    description,
    hypothesis: made.hypothesis,
    usage: made.usage,
    proposalMs: made.proposalMs,
    changedFiles: [...made.changedFiles],
    transcriptPath: made.transcriptPath,
  });
  if (made.commit === null) {
    await ctx.finish(slot, { ...ctx.current(id), status: 'rejected', error: made.rejectedReason ?? 'Nothing usable was proposed.' }, null);
    return;
  }
  await measureProposal(ctx, slot, id, { commit: start.commit, parentCommit: start.parentCommit, baseId: start.baseId, changedLines: made.changedLines, description });
}

/** Re-opens an experiment that waited for approval when the run stopped, and takes it through the gate again. */
async function resumeWaitingProposal(ctx: RunContext, slot: SlotState, id: number): Promise<void> {
  const { request } = ctx.record.approvals.get(id)!;
  const before = ctx.current(id);
  await resetTo(slot.worktree, request.commit, ctx.config.files.linked);
  const reopened: Experiment = { ...before, slot: slot.index, status: 'running', finishedAt: null, error: null, runs: [], metric: null, metrics: {}, logPath: null };
  await ctx.append({ type: 'experiment-start', at: isoNow(), experiment: reopened });
  ctx.setPhase(slot, 'committing', { experimentId: id, description: before.description, experimentStartedAt: before.startedAt, metricsSoFar: {} });
  await measureProposal(ctx, slot, id, { commit: request.commit, parentCommit: request.parentCommit, baseId: request.baseId, changedLines: request.changedLines, description: before.description });
}

interface CommittedProposal extends GateInput {
  readonly description: string;
}

/**
 * A committed proposal, recorded on experiment `id` (the slot's worktree at its commit), from the approval
 * gate to the decision: approval, tamper check, measure, carry, decide.
 */
async function measureProposal(ctx: RunContext, slot: SlotState, id: number, proposal: CommittedProposal): Promise<void> {
  const { config, record, tag, projectDir } = ctx;
  const { parentCommit, description } = proposal;
  // Approval (config.approval): a proposal that needs it waits here, journaled, until the researcher answers.
  const approved = await approvalGate(ctx, slot, id, proposal);
  if (!approved) return;
  const commit = approved.commit;

  // Reward hacking guard: the evaluator and its friends must be exactly as they were at the start.
  const tamperedBefore = await changedProtectedFiles(slot.worktree, ctx.protectedHashes());
  if (tamperedBefore.length) {
    await restoreFiles(slot.worktree, record.startCommit, tamperedBefore);
    await ctx.finish(slot, { ...ctx.current(id), status: 'rejected', error: `Protected files differ from the run's start: ${tamperedBefore.join(', ')}. They were restored and the experiment did not run.` }, null);
    return;
  }

  // No kept change is ever dropped: a candidate that started from an older best and still wins is carried
  // onto the best as it is now (a three-way merge) and measured again before the branch moves
  // (docs/decisions.md, "Parallel slots never drop a kept change").
  let target: Target = { commit, parentCommit, baseId: proposal.baseId };
  let carried: CarriedChange | null = null;
  const earlierRuns: ExperimentRunResult[] = [];
  for (let carries = 0; ; carries++) {
    const fields = (): Partial<Experiment> => ({ commit: target.commit, parentCommit: target.parentCommit, baseId: target.baseId, ...(carried ? { carried } : {}) });
    const evaluated = await evaluate(ctx, slot, id, target.commit, earlierRuns, fields, carried);
    if (!evaluated) return;
    const { runs, guard, measured } = evaluated;
    const value = mean(runs.map((r) => r.metric!));

    const onto = await decisionStep(ctx, slot, id, { target, carried, carries, evaluated, fields });
    if (!onto) return;

    const ontoId = onto.baseId!;
    const message = `${description} (carried onto #${ontoId})\n\nAutoresearch-Run: ${tag}\nAutoresearch-Experiment: ${id}`;
    const result = await carryOnto(projectDir, target.commit, onto.commit, message);
    const previous = carried as CarriedChange | null;
    const aloneMetric: number = previous?.aloneMetric ?? value;
    if ('conflicts' in result) {
      const error = `Better than the best when measured from #${target.baseId} (${value}), but its change conflicts with #${ontoId}, kept meanwhile (${result.conflicts.join(', ') || 'conflicting changes'}). Not kept, so #${ontoId}'s change stays on the run branch.`;
      await ctx.finish(slot, { ...ctx.current(id), ...fields(), ...measured(), status: 'discard', metric: value, guard, bestBefore: record.best, error }, null);
      return;
    }
    await updateRef(projectDir, carriedRef(tag, id), result.commit);
    await ctx.append({ type: 'notice', at: isoNow(), level: 'info', id, message: `#${id} started from #${target.baseId} and measured ${value}; #${ontoId} was kept meanwhile, so its change is carried onto #${ontoId} and measured again.` });
    earlierRuns.push(...runs);
    carried = { fromBaseId: previous?.fromBaseId ?? proposal.baseId, fromParentCommit: parentCommit, proposedCommit: commit, aloneMetric, earlierRuns: [...earlierRuns] };
    target = { commit: result.commit, parentCommit: onto.commit, baseId: ontoId };
    await resetTo(slot.worktree, target.commit, config.files.linked);
  }
}

/**
 * Measure `commit` in the slot (already reset to it) until the acceptance rule decides, then run the guard
 * command on a keep. Returns null when the experiment was finished here (crash, timeout, tampering, stop).
 */
async function evaluate(
  ctx: RunContext,
  slot: SlotState,
  id: number,
  commit: string,
  earlierRuns: readonly ExperimentRunResult[],
  fields: () => Partial<Experiment>,
  carried: CarriedChange | null,
): Promise<Evaluated | null> {
  const { config, record, paths } = ctx;
  const offset = earlierRuns.length;
  const carriedNote = carried ? `Carried onto #${fields().baseId}: ` : '';
  ctx.setPhase(slot, 'running');
  const runs: ExperimentRunResult[] = [];
  const first = await measure(ctx, slot, id, offset);
  runs.push(first.result);
  const measured = () => ({ runs: [...runs], logPath: first.result.logPath, metrics: first.result.metrics, timings: { ...ctx.current(id).timings, trainingMs: trainingMs([...earlierRuns, ...runs]) } });
  const close = (extra: Partial<Experiment>, tail: string | null) => ctx.finish(slot, { ...ctx.current(id), ...fields(), ...measured(), ...extra }, tail);
  const tamperedAfter = await changedProtectedFiles(slot.worktree, ctx.protectedHashes());
  if (tamperedAfter.length) {
    await restoreFiles(slot.worktree, record.startCommit, tamperedAfter);
    await close({ status: 'rejected', error: `${carriedNote}The experiment changed protected files while it ran: ${tamperedAfter.join(', ')}. Its result is not trusted; the files were restored.` }, first.tail);
    return null;
  }
  const failure = failureOf(config, first);
  if (failure) {
    await close({ status: failure.status, error: carriedNote + failure.error }, first.tail);
    return null;
  }

  ctx.setPhase(slot, 'deciding');
  // The acceptance rule asks for runs until it can decide: more of the candidate, or of the best beside it.
  const values = () => runs.map((r) => r.metric!);
  let decision = decide(decisionInput(ctx, values()));
  while (decision.kind === 'measure-candidate' || decision.kind === 'measure-best') {
    ctx.setPhase(slot, 'confirming');
    if (decision.kind === 'measure-best') {
      const failed = await remeasureBest(ctx, slot, commit);
      if (failed) {
        await close({ status: failed.status, metric: mean(values()), error: failed.error }, null);
        return null;
      }
    } else {
      const again = await measure(ctx, slot, id, offset + runs.length);
      runs.push(again.result);
      const f = failureOf(config, again);
      if (f) {
        runs.pop();
        await close({ runs: [...runs, again.result], status: f.status === 'interrupted' ? 'interrupted' : 'discard', metric: mean(values()), error: `${carriedNote}A confirmation run failed: ${f.error}` }, again.tail);
        return null;
      }
    }
    decision = decide(decisionInput(ctx, values()));
  }
  const verdict = decision;
  const judgedBest = { id: record.bestId, runs: record.experiments.get(record.bestId!)!.runs.length };

  let guard: Experiment['guard'] = null;
  if (verdict.kind === 'keep' && config.acceptance.guardCommand) {
    ctx.setPhase(slot, 'guarding');
    const logRel = paths.guardLogRel(id);
    const g = await ctx.runProcess({ what: 'guard', id, slot, command: config.acceptance.guardCommand, cwd: slot.worktree, logRel, timeoutMs: config.acceptance.guardTimeoutSeconds * 1000 });
    if (g.aborted) {
      await close({ status: 'interrupted', metric: mean(values()), error: 'Stopped while the guard command ran.' }, null);
      return null;
    }
    guard = { passed: g.exitCode === 0 && !g.timedOut, exitCode: g.exitCode, durationMs: g.durationMs, logPath: logRel };
  }
  return { verdict, runs, guard, judgedBest, measured };
}

/** Run indices reserved per experiment, so two slots measuring the same best never share a log file. */
const nextRunIndex = new WeakMap<RunContext, Map<number, number>>();

/**
 * Measures the current best again in this slot's worktree (then puts the candidate back): the run joins
 * the best's record through a `best-remeasured` event. Returns why it failed, or null.
 */
async function remeasureBest(ctx: RunContext, slot: SlotState, candidateCommit: string): Promise<{ status: 'interrupted' | 'discard'; error: string } | null> {
  const { record, config } = ctx;
  const bestId = record.bestId!;
  const bestCommit = record.bestCommit!;
  const reserved = nextRunIndex.get(ctx) ?? new Map<number, number>();
  nextRunIndex.set(ctx, reserved);
  const runIndex = Math.max(reserved.get(bestId) ?? 0, record.experiments.get(bestId)!.runs.length);
  reserved.set(bestId, runIndex + 1);
  await resetTo(slot.worktree, bestCommit, config.files.linked);
  try {
    const m = await measure(ctx, slot, bestId, runIndex);
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
    await resetTo(slot.worktree, candidateCommit, config.files.linked).catch(() => undefined);
  }
}
