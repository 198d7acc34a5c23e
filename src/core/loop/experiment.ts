// The loop, once: one experiment in a slot, top to bottom. Propose (or take a proposal made ahead), commit,
// train, decide; a win from an older best is carried onto the best and trained again. Each step is a function
// of its own file; this is the order they run in.
import type { CarriedChange, ExperimentRunResult } from '../../shared/experiment.js';
import { restoreFiles } from '../agent/diff-guard.js';
import { carriedMessage } from '../git/commit-message.js';
import { approvalGate, type ApprovalContext } from './approval.js';
import type { DecisionLock, RunStopView, SlotState } from './context.js';
import { isoNow } from './context.js';
import { decisionStep } from './decision-step.js';
import { afterExperimentHook, beforeExperimentHook, type HookContext } from './hooks.js';
import { mean } from './decide.js';
import { startExperiment, type ExperimentSource, type StartContext, type StartedProposal } from './experiment-start.js';
import { CLOSED, targetFields, type ExperimentOutcome, type Target } from './outcomes.js';
import { changedProtectedFiles } from './protected-files.js';
import { carriedRef } from './refs.js';
import { train, type TrainContext, type Trained } from './train.js';

export type ExperimentContext = StartContext & ApprovalContext & TrainContext & DecisionLock & HookContext & Pick<RunStopView, 'stopRequested'>;

export async function runExperiment(ctx: ExperimentContext, slot: SlotState, source: ExperimentSource): Promise<ExperimentOutcome> {
  // The before-hook's output is a steering note for this proposal; a failure it must stop the run on starts nothing.
  if (await beforeExperimentHook(ctx, slot)) return CLOSED;
  const outcome = await runOne(ctx, slot, source);
  // Every experiment that closed, a rejected proposal too, goes to the after-hook (hooks.ts skips one that did not).
  const id = source.kind === 'queued' ? source.queued.made.id : source.id;
  if (ctx.record.experiments.get(id)?.finishedAt) await afterExperimentHook(ctx, slot, id);
  return outcome;
}

async function runOne(ctx: ExperimentContext, slot: SlotState, source: ExperimentSource): Promise<ExperimentOutcome> {
  // 1. Propose: here, or taken from the queue (carried onto the best), or left waiting by an earlier session.
  const started = await startExperiment(ctx, slot, source);
  if (started.kind !== 'started') return started;
  const { id, proposal } = started;
  // 2. Commit: approved when the config asks, the protected files as at the run's start.
  const commit = await admit(ctx, slot, id, proposal);
  if (commit === null) return CLOSED;
  // 3. Train and 4. decide. No kept change is ever dropped: a candidate that started from an older best and
  // still wins is carried onto the best as it is now and trained again before the branch moves
  // (docs/decisions.md, "Parallel slots never drop a kept change").
  let target: Target = { commit, parentCommit: proposal.parentCommit, baseId: proposal.baseId };
  let carried: CarriedChange | null = null;
  const earlierRuns: ExperimentRunResult[] = [];
  for (let carries = 0; ; carries++) {
    const trained = await train(ctx, slot, id, { target, carried, earlierRuns });
    if (trained.kind === 'closed') return CLOSED;
    const decided = await decisionStep(ctx, slot, id, { target, carried, carries, trained });
    if (decided.kind === 'decided') return CLOSED;
    const next = await carryWin(ctx, slot, id, { proposal, commit, target, carried, trained, onto: decided.onto });
    if (next === null) return CLOSED;
    earlierRuns.push(...trained.runs);
    target = next.target;
    carried = { ...next.carried, earlierRuns: [...earlierRuns] };
  }
}

/** The approval gate, then the tamper check; the commit to train, or null when the experiment was closed. */
async function admit(ctx: ExperimentContext, slot: SlotState, id: number, proposal: StartedProposal): Promise<string | null> {
  const approved = await approvalGate(ctx, slot, id, proposal);
  if (!approved) return null;
  // Reward hacking guard: the evaluator and its friends must be exactly as they were at the start.
  const tampered = await changedProtectedFiles(slot.worktree, ctx.protectedHashes());
  if (tampered.length) {
    await restoreFiles(slot.worktree, ctx.record.startCommit, tampered);
    await ctx.close(slot, id, { status: 'rejected', error: `Protected files differ from the run's start: ${tampered.join(', ')}. They were restored and the experiment did not run.` }, null);
    return null;
  }
  return approved.commit;
}

/**
 * A win whose parent is no longer the best, carried onto `onto` (a three-way merge) with the slot's worktree
 * reset to the result; a conflict discards it (the change kept meanwhile stays) and returns null.
 */
async function carryWin(
  ctx: ExperimentContext,
  slot: SlotState,
  id: number,
  a: { readonly proposal: StartedProposal; readonly commit: string; readonly target: Target; readonly carried: CarriedChange | null; readonly trained: Extract<Trained, { kind: 'trained' }>; readonly onto: Target },
): Promise<{ readonly target: Target; readonly carried: Omit<CarriedChange, 'earlierRuns'> } | null> {
  const { target, carried, trained, onto, proposal } = a;
  const ontoId = onto.baseId!;
  const value = mean(trained.runs.map((r) => r.metric!));
  const result = await ctx.git.carryOnto(target.commit, onto.commit, carriedMessage(ctx.tag, id, proposal.description, ontoId));
  if (result.kind === 'conflict') {
    const error = `Better than the best when measured from #${target.baseId} (${value}), but its change conflicts with #${ontoId}, kept meanwhile (${result.files.join(', ') || 'conflicting changes'}). Not kept, so #${ontoId}'s change stays on the run branch.`;
    await ctx.close(slot, id, { ...targetFields(target, carried), ...trained.measured(), status: 'discard', metric: value, guard: trained.guard, bestBefore: ctx.record.best, error }, null);
    return null;
  }
  await ctx.git.updateRef(carriedRef(ctx.tag, id), result.commit);
  await ctx.append({ type: 'notice', at: isoNow(), level: 'info', id, message: `#${id} started from #${target.baseId} and measured ${value}; #${ontoId} was kept meanwhile, so its change is carried onto #${ontoId} and measured again.` });
  const next: Target = { commit: result.commit, parentCommit: onto.commit, baseId: ontoId };
  await ctx.git.resetTo(slot.worktree, next.commit);
  return {
    target: next,
    carried: { fromBaseId: carried?.fromBaseId ?? proposal.baseId, fromParentCommit: proposal.parentCommit, proposedCommit: a.commit, aloneMetric: carried?.aloneMetric ?? value },
  };
}
