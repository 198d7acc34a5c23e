// One candidate, start to end: propose (in the slot's worktree, through the restricted workspace), guard the
// diff, commit, verify the protected files, measure, confirm a narrow win, run the guard command, decide.
import { writeFile } from 'node:fs/promises';
import { addUsage, type CarriedChange, type Experiment, type ExperimentRunResult, type TokenUsage } from '../../shared/experiment.js';
import { guardDiff, restoreFiles } from '../agent/diff-guard.js';
import { ProposalAbortedError, ProposerFatalError, ProposerUnavailableError, SearchSpaceExhaustedError, type Proposal } from '../agent/proposer.js';
import { createWorkspace } from '../agent/workspace.js';
import { carryOnto } from '../git/carry-change.js';
import { commitPaths } from '../git/commit.js';
import { diffCommits } from '../git/diff.js';
import { cleanWorktree, resetTo } from '../git/reset-to.js';
import { updateRef } from '../git/update-ref.js';
import { projectPaths } from '../project/paths.js';
import { readProgramFile } from '../project/program-file.js';
import { errorMessage, isoNow, oneLine, runningExperiment, type RunContext, type SlotState } from './context.js';
import { decide, mean, type Decision } from './decide.js';
import { failureOf, measure, trainingMs } from './measure.js';
import { changedProtectedFiles } from './protected-files.js';
import { candidateRef, carriedRef } from './refs.js';
import { decisionInput, decisionStep, type Target } from './decision-step.js';
import { approvalGate, type GateInput } from './approval.js';

/** How long a slot waits before asking an unavailable API again, by attempt (retry-after wins). */
const BACKOFF_MS = [15_000, 30_000, 60_000, 120_000, 300_000];

const bestDiffs = new WeakMap<RunContext, { commit: string; diff: string }>();

/** `git diff start..best`, for the prompt; cached until the best moves. */
async function bestDiff(ctx: RunContext): Promise<string> {
  const best = ctx.record.bestCommit;
  if (!best || best === ctx.record.startCommit) return '';
  const cached = bestDiffs.get(ctx);
  if (cached?.commit === best) return cached.diff;
  const diff = await diffCommits(ctx.projectDir, ctx.record.startCommit, best).catch(() => '');
  bestDiffs.set(ctx, { commit: best, diff });
  return diff;
}

type ProposeOutcome = Proposal | 'interrupted' | { readonly fatal: string } | { readonly exhausted: string };

/** Ask the proposer; an unavailable service is waited out (the experiment keeps its id), never fatal. */
async function propose(ctx: RunContext, slot: SlotState, id: number, base: Experiment): Promise<ProposeOutcome> {
  const { config, record } = ctx;
  const workspace = createWorkspace(slot.worktree, ctx.projectDir, config.files);
  // A program.md that is a link (to a file outside the project) is not read: the agent sees no program.
  const program = (await readProgramFile(projectPaths(ctx.projectDir).program).catch(() => null)) ?? '';
  // Tokens of attempts that failed on an outage still count (the spend cap must see them).
  let spentBefore: TokenUsage | null = null;
  for (let attempt = 0; ; attempt++) {
    if (ctx.signal.aborted) return 'interrupted';
    await ctx.importInbox();
    try {
      const proposal = await ctx.proposer.propose({
        config,
        program,
        workspace,
        slot: slot.index,
        experimentId: id,
        base,
        baseline: record.experiments.get(0) ?? null,
        best: record.bestId !== null ? (record.experiments.get(record.bestId) ?? null) : null,
        noiseFloor: record.noiseFloor,
        history: ctx.finishedHistory(),
        bestDiff: await bestDiff(ctx),
        lastCrashLogTail: slot.lastStatus === 'crash' || slot.lastStatus === 'timeout' ? slot.lastLogTail : null,
        steering: record.steering.map((s) => s.note),
        signal: ctx.signal,
        scratchDir: ctx.paths.scratchDir,
        onStatus: (message) => {
          slot.waitingReason = message;
          ctx.emitLive();
        },
        // An agent CLI runs as its own process group: journal it, so a restarted app can kill an orphan.
        onProcessStart: (p) => void ctx.append({ type: 'process-start', at: isoNow(), id, pid: p.pid, pgid: p.pgid, what: 'agent' }).catch(() => undefined),
        onProcessEnd: (p) => void ctx.append({ type: 'process-end', at: isoNow(), id, pgid: p.pgid }).catch(() => undefined),
        sandbox: ctx.sandboxFor(slot.worktree, 'agent'),
      });
      return spentBefore ? { ...proposal, usage: addUsage(spentBefore, proposal.usage) } : proposal;
    } catch (err) {
      if (ctx.signal.aborted || err instanceof ProposalAbortedError) return 'interrupted';
      if (err instanceof ProposerFatalError) return { fatal: err.message };
      if (err instanceof SearchSpaceExhaustedError) return { exhausted: err.message };
      if (err instanceof ProposerUnavailableError) {
        spentBefore = addUsage(spentBefore, err.usage);
        const wait = err.retryAfterMs ?? BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
        const reason = `${err.message} Trying again in ${Math.round(wait / 1000)} s.`;
        await ctx.append({ type: 'notice', at: isoNow(), level: 'warning', message: reason, id });
        ctx.setPhase(slot, 'waiting', { waitingReason: reason });
        await ctx.sleep(wait, ctx.signal);
        // The failed attempt may have edited files; start the next one from a clean base.
        await resetTo(slot.worktree, base.commit!, config.files.linked);
        ctx.setPhase(slot, 'proposing');
        continue;
      }
      return { description: 'the proposer failed', hypothesis: '', usage: null, transcript: null, rejectedReason: `The proposer failed: ${errorMessage(err)}` };
    }
  }
}

export async function runCandidate(ctx: RunContext, slot: SlotState, id: number): Promise<void> {
  // A proposal an earlier session left waiting for approval: no new proposal, it waits (or runs) again.
  if (ctx.record.approvals.has(id)) return resumeWaitingProposal(ctx, slot, id);
  const { config, record, paths, tag, projectDir } = ctx;
  const base = record.experiments.get(record.bestId!)!;
  const parentCommit = record.bestCommit!;
  await resetTo(slot.worktree, parentCommit, config.files.linked);
  const startedAt = isoNow();
  const running = runningExperiment({ id, kind: 'candidate', slot: slot.index, baseId: base.id, parentCommit, startedAt });
  await ctx.append({ type: 'experiment-start', at: startedAt, experiment: running });
  ctx.setPhase(slot, 'proposing', { experimentId: id, description: null, experimentStartedAt: startedAt, metricsSoFar: {} });

  const t0 = Date.now();
  const proposal = await propose(ctx, slot, id, base);
  const proposalMs = Date.now() - t0;
  if (proposal === 'interrupted') {
    await ctx.finish(slot, { ...ctx.current(id), status: 'interrupted', error: 'Stopped while the agent was proposing.', timings: { ...running.timings, proposalMs } }, null);
    return;
  }
  if ('fatal' in proposal) {
    await ctx.finish(slot, { ...ctx.current(id), status: 'interrupted', error: proposal.fatal, timings: { ...running.timings, proposalMs } }, null);
    ctx.requestStop('auth', proposal.fatal, false);
    return;
  }
  if ('exhausted' in proposal) {
    // Nothing was proposed, so nothing ran: the experiment is closed as interrupted (not a failure), and
    // the run stops gracefully, letting other slots finish what they measure.
    await ctx.finish(slot, { ...ctx.current(id), status: 'interrupted', error: proposal.exhausted, timings: { ...running.timings, proposalMs } }, null);
    ctx.requestStop('exhausted', proposal.exhausted, true);
    return;
  }

  let transcriptPath: string | null = null;
  if (proposal.transcript !== null && proposal.transcript !== undefined) {
    transcriptPath = paths.transcriptRel(id);
    await writeFile(paths.abs(transcriptPath), JSON.stringify(proposal.transcript, null, 1)).catch(() => {
      transcriptPath = null;
    });
  }
  const description = oneLine(proposal.description) || '(no description)';
  ctx.setPhase(slot, 'committing', { description });
  const proposed = (commit: string | null, changedFiles: readonly string[]) =>
    ctx.append({ type: 'experiment-proposed', at: isoNow(), id, commit, description, hypothesis: proposal.hypothesis, usage: proposal.usage, proposalMs, changedFiles: [...changedFiles], transcriptPath });

  const reject = async (reason: string, files: readonly string[] = []) => {
    await resetTo(slot.worktree, parentCommit, config.files.linked).catch(() => undefined);
    await proposed(null, files);
    await ctx.finish(slot, { ...ctx.current(id), status: 'rejected', error: reason }, null);
  };
  if (proposal.rejectedReason) return reject(proposal.rejectedReason);
  // Every proposer's change passes the same guard: editable files only, protected files intact, size cap.
  const check = await guardDiff({ worktree: slot.worktree, config, protectedHashes: ctx.protectedHashes() });
  if (!check.ok) return reject(check.reason, check.changedFiles);

  const message = `${description}\n\n${proposal.hypothesis}\n\nAutoresearch-Run: ${tag}\nAutoresearch-Experiment: ${id}`.replace(/\n{3,}/g, '\n\n');
  const commit = await commitPaths(slot.worktree, check.changedFiles, message);
  // What the proposer left beside its change (ignored files, caches, a planted .pth) does not run.
  await cleanWorktree(slot.worktree, config.files.linked);
  await updateRef(projectDir, candidateRef(tag, id), commit);
  await proposed(commit, check.changedFiles);
  await measureProposal(ctx, slot, id, { commit, parentCommit, baseId: base.id, changedLines: check.changedLines, description });
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

/** A committed proposal from the approval gate to the decision: approval, tamper check, measure, carry, decide. */
async function measureProposal(ctx: RunContext, slot: SlotState, id: number, proposal: CommittedProposal): Promise<void> {
  const { config, record, tag, projectDir } = ctx;
  const { parentCommit, description } = proposal;
  const base = { id: proposal.baseId };
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
  // (docs/ARCHITECTURE.md, "Parallel slots never drop a kept change").
  let target: Target = { commit, parentCommit, baseId: base.id };
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
    carried = { fromBaseId: previous?.fromBaseId ?? base.id, fromParentCommit: parentCommit, proposedCommit: commit, aloneMetric, earlierRuns: [...earlierRuns] };
    target = { commit: result.commit, parentCommit: onto.commit, baseId: ontoId };
    await resetTo(slot.worktree, target.commit, config.files.linked);
  }
}

export interface Evaluated {
  readonly verdict: Extract<Decision, { kind: 'keep' | 'discard' }>;
  readonly runs: ExperimentRunResult[];
  readonly guard: Experiment['guard'];
  /** The best (and how often it was measured) when the verdict was reached. */
  readonly judgedBest: { readonly id: number | null; readonly runs: number };
  readonly measured: () => Partial<Experiment>;
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
