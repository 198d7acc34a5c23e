// How an experiment starts in a slot, three ways: the slot proposes for itself (one slot, by default), takes a
// proposal made ahead (proposal-queue.ts; carried onto the best when the best moved since), or takes up one an
// earlier session left waiting for approval. Each ends with the experiment started in the journal and the
// proposal recorded (experiment-proposed); a proposal that came to nothing is closed here.
import type { Experiment, ProposedOn } from '../../shared/experiment.js';
import { carriedMessage } from '../git/commit-message.js';
import type { ExperimentCloser, LoopGit, RunContext, RunIdentity, RunJournalView, RunLiveView, RunStopView, SlotState } from './context.js';
import { isoNow, runningExperiment } from './context.js';
import { CLOSED, stopFor, type ExperimentOutcome, type MadeProposal, type Target } from './outcomes.js';
import { propose, type ProposalContext, type ProposalSite } from './proposal.js';
import type { QueuedProposal } from './proposal-queue.js';
import { candidateRef } from './refs.js';
import { carriesOntoBest, chooseBase } from './search-base.js';

/** Where a slot's next experiment comes from (the scheduler says). */
export type ExperimentSource =
  | { readonly kind: 'own'; readonly id: number }
  | { readonly kind: 'waiting'; readonly id: number }
  | { readonly kind: 'queued'; readonly queued: Pick<QueuedProposal, 'made' | 'madeAt'> };

/** A committed proposal on its experiment, the slot's worktree at its commit: ready for the approval gate. */
export interface StartedProposal extends Target {
  readonly changedLines: number;
  readonly description: string;
}

export type Started = { readonly kind: 'started'; readonly id: number; readonly proposal: StartedProposal } | ExperimentOutcome;

export type StartContext = RunIdentity & RunJournalView & ExperimentCloser & RunLiveView & Pick<RunStopView, 'requestStop'> & ProposalContext & { readonly git: LoopGit };

export async function startExperiment(ctx: StartContext, slot: SlotState, source: ExperimentSource): Promise<Started> {
  if (source.kind === 'queued') return startQueued(ctx, slot, source.queued);
  // A proposal an earlier session left waiting for approval: no new proposal, it waits (or runs) again.
  if (ctx.record.approvals.has(source.id)) return reopenWaiting(ctx, slot, source.id);
  return proposeHere(ctx, slot, source.id);
}

/**
 * The slot proposes for itself, in its own worktree, on the node the search strategy chooses (search-base.ts).
 * experiment-start comes before the proposal. A proposer with nothing new to try from that node may have made it
 * on another (propose passes a spent node over): the experiment then says the base it was made on.
 */
async function proposeHere(ctx: StartContext, slot: SlotState, id: number): Promise<Started> {
  const { record } = ctx;
  const { base } = chooseBase({ record, slot: slot.index, id });
  // No reset here: propose() puts the worktree at the base's commit before the proposer sees it, and a second
  // reset would cost two git processes per experiment (bench/loop-overhead).
  const startedAt = isoNow();
  const running = runningExperiment({ id, kind: 'candidate', slot: slot.index, baseId: base.id, parentCommit: base.commit!, startedAt });
  await ctx.append({ type: 'experiment-start', at: startedAt, experiment: running });
  ctx.setPhase(slot, 'proposing', { experimentId: id, description: null, experimentStartedAt: startedAt, metricsSoFar: {} });

  const t0 = Date.now();
  const result = await propose(ctx, slotSite(ctx, slot), id, base);
  if (result.kind !== 'made') {
    // Nothing was proposed, so nothing ran: the experiment is closed as interrupted (not a failure).
    await ctx.close(slot, id, { status: 'interrupted', error: result.message, timings: { ...running.timings, proposalMs: Date.now() - t0 } }, null);
    const stop = stopFor(result);
    if (stop) ctx.requestStop(stop.reason, stop.message, stop.graceful);
    return CLOSED;
  }
  const { made } = result;
  await result.refSet;
  if (made.baseId !== base.id) await ctx.append({ type: 'experiment-start', at: startedAt, experiment: { ...running, baseId: made.baseId, parentCommit: made.parentCommit } });
  return recordProposal(ctx, slot, id, made, { commit: made.commit ?? made.parentCommit, parentCommit: made.parentCommit, baseId: made.baseId });
}

/** The site of a slot proposing for itself: its own worktree, its live status. */
function slotSite(ctx: Pick<RunContext, 'setPhase' | 'emitLive'>, slot: SlotState): ProposalSite {
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

/**
 * A pipelined proposal (made ahead in a proposal worktree), run in this slot. Greedy: when the best moved since
 * it was made, its change is carried onto the best first (a three-way merge); a conflict is handed back. tree and
 * islands chose its base on purpose (often not the best): it runs on that base as it was made.
 */
async function startQueued(ctx: StartContext, slot: SlotState, queued: Pick<QueuedProposal, 'made' | 'madeAt' | 'refSet'>): Promise<Started> {
  const { record, tag, git } = ctx;
  const { made } = queued;
  const id = made.id;
  let target: Target = { commit: made.commit ?? record.bestCommit!, parentCommit: made.parentCommit, baseId: made.baseId };
  let proposedOn: ProposedOn | null = null;
  // The proposal's ref, written while it waited here (or, for one a previous session made, written again: that
  // session may have ended between its proposal-made and its ref; a commit gone fails the reset below instead).
  let refSet: Promise<void> = queued.refSet ?? (made.commit !== null ? git.updateRef(candidateRef(tag, id), made.commit).catch(() => undefined) : Promise.resolve());
  // A commit gone from the repository (a gc, a user's clean-up) is asked about only when git fails on it: the
  // common case, a commit that is there, costs no extra git process between two experiments.
  const gone = async (err: unknown): Promise<Extract<ExperimentOutcome, { kind: 'dropped' }>> => {
    if (made.commit !== null && !(await git.commitExists(made.commit))) return { kind: 'dropped', reason: `Its commit ${made.commit.slice(0, 7)} is gone from the repository.` };
    throw err;
  };
  // A speculative proposal (search-base.ts, chooseSpeculativeBase) was made on a candidate measured then. Kept, it
  // is the best or on its line, and the carry below is right. Not kept (or still measured in another slot), a
  // carry would bring that candidate's change along (git merges from their common ancestor): it is dropped. Greedy
  // only: tree and islands start from discards on purpose and run a proposal on its base as it was made.
  const base = made.baseId === null ? undefined : record.experiments.get(made.baseId);
  if (made.commit !== null && base && base.kind === 'candidate' && base.status !== 'keep' && carriesOntoBest(record)) {
    const why = base.status === 'running' ? 'is still being measured' : `was not kept (${base.status})`;
    return { kind: 'dropped', reason: `Made on #${base.id} while it was measured; #${base.id} ${why}, and carried onto the best the change would bring #${base.id}'s along.` };
  }
  if (made.commit === null) {
    target = { commit: record.bestCommit!, parentCommit: record.bestCommit!, baseId: record.bestId };
  } else if (record.bestCommit !== made.parentCommit && carriesOntoBest(record)) {
    // The best moved while it waited: carry the change onto the best of now, so it is measured with it.
    // Usually computed while the candidate now kept was training (pre-carry.ts), so this costs no git here.
    const result = await git.carryOnto(made.commit, record.bestCommit!, carriedMessage(tag, id, made.description, record.bestId)).catch(gone);
    if (result.kind === 'dropped') return result;
    if (result.kind === 'conflict') return { kind: 'conflict', files: result.files, withId: record.bestId };
    proposedOn = { baseId: made.baseId, parentCommit: made.parentCommit, commit: made.commit };
    target = { commit: result.commit, parentCommit: record.bestCommit!, baseId: record.bestId };
    // The merge keeps the proposer's commit as its second parent, so both stay reachable from this ref. Set while
    // the worktree is reset (two git processes at once, not one after the other: this is between two trainer runs).
    // After the proposal's own ref (usually long written), so the carried commit is the one it ends on.
    refSet = refSet.then(() => git.updateRef(candidateRef(tag, id), result.commit));
  }
  const [reset] = await Promise.all([git.resetTo(slot.worktree, target.commit).catch(gone), refSet]);
  if (reset) return reset;
  const startedAt = isoNow();
  const running: Experiment = {
    ...runningExperiment({ id, kind: 'candidate', slot: slot.index, baseId: target.baseId, parentCommit: target.parentCommit, startedAt }),
    proposedAt: made.proposedAt,
    ...(proposedOn ? { proposedOn } : {}),
  };
  const queueWaitMs = Math.max(0, Date.parse(startedAt) - Date.parse(queued.madeAt));
  // Not awaited alone: asked for together, the experiment's start and its proposal share one journal write and
  // fsync (append.ts), in this order. A write that fails fails both, and recordProposal throws it.
  const written = ctx.append({ type: 'experiment-start', at: startedAt, experiment: { ...running, timings: { ...running.timings, queueWaitMs } } });
  return recordProposal(ctx, slot, id, made, target, { written, phase: { experimentId: id, experimentStartedAt: startedAt, metricsSoFar: {} } });
}

/** Re-opens an experiment that waited for approval when the run stopped; it goes through the gate again. */
async function reopenWaiting(ctx: StartContext, slot: SlotState, id: number): Promise<Started> {
  const { request } = ctx.record.approvals.get(id)!;
  const before = ctx.current(id);
  await ctx.git.resetTo(slot.worktree, request.commit);
  const reopened: Experiment = { ...before, slot: slot.index, status: 'running', finishedAt: null, error: null, runs: [], metric: null, metrics: {}, logPath: null };
  await ctx.append({ type: 'experiment-start', at: isoNow(), experiment: reopened });
  ctx.setPhase(slot, 'committing', { experimentId: id, description: before.description, experimentStartedAt: before.startedAt, metricsSoFar: {} });
  return { kind: 'started', id, proposal: { commit: request.commit, parentCommit: request.parentCommit, baseId: request.baseId, changedLines: request.changedLines, description: before.description } };
}

/** The proposal on its started experiment (experiment-proposed); nothing usable closes it as rejected. */
async function recordProposal(
  ctx: StartContext,
  slot: SlotState,
  id: number,
  made: MadeProposal,
  at: Target,
  start?: { readonly written: Promise<void>; readonly phase: Parameters<StartContext['setPhase']>[2] },
): Promise<Started> {
  const { description } = made;
  const proposed = ctx.append({
    type: 'experiment-proposed',
    at: isoNow(),
    id,
    commit: made.commit === null ? null : at.commit,
    description,
    hypothesis: made.hypothesis,
    usage: made.usage,
    proposalMs: made.proposalMs,
    changedFiles: [...made.changedFiles],
    transcriptPath: made.transcriptPath,
    ...(made.baseWhy ? { baseWhy: made.baseWhy } : {}),
  });
  if (start) {
    // The slot shows the experiment once the journal holds it.
    await Promise.all([start.written, proposed]);
    ctx.setPhase(slot, 'committing', { ...start.phase, description });
  } else {
    ctx.setPhase(slot, 'committing', { description });
    await proposed;
  }
  if (made.commit === null) {
    await ctx.close(slot, id, { status: 'rejected', error: made.rejectedReason ?? 'Nothing usable was proposed.' }, null);
    return CLOSED;
  }
  return { kind: 'started', id, proposal: { ...at, changedLines: made.changedLines, description } };
}
