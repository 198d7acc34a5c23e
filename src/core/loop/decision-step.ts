// The decision step: the one place the run branch moves. Decisions are serialised across slots; a
// candidate is judged again against the best as it is now, and one that started from an older best and still
// wins is sent back to be carried onto that best (docs/decisions.md, "Parallel slots never drop a kept
// change") instead of moving the branch past a kept change.
import type { CarriedChange } from '../../shared/experiment.js';
import type { DecisionLock, ExperimentCloser, LoopGit, RunIdentity, RunJournalView, SlotState } from './context.js';
import { isoNow } from './context.js';
import { decide, decisionInput, mean } from './decide.js';
import { heldoutAfterKeep, type HeldoutContext } from './heldout.js';
import { targetFields, type Target } from './outcomes.js';
import { branchFor } from './refs.js';
import { carriesOntoBest } from './search-base.js';
import type { Trained } from './train.js';

export type DecisionContext = Pick<RunIdentity, 'config' | 'tag'> & RunJournalView & Pick<ExperimentCloser, 'close'> & DecisionLock & { readonly git: Pick<LoopGit, 'updateRef'> } & Partial<HeldoutContext>;

/** What the decision step came to. */
export type Decided =
  /** Kept (the branch moved) or discarded: the experiment is closed. */
  | { readonly kind: 'decided' }
  /** It wins, but the best moved past its parent: carry it onto `onto` and train it again (nothing recorded). */
  | { readonly kind: 'carry'; readonly onto: Target };

/** How often a winning candidate is carried onto a best that moved again while it was measured. */
export const MAX_CARRIES = 3;

/** Keep (moving the branch) or discard the trained candidate and record it; or say where to carry it first. */
export async function decisionStep(
  ctx: DecisionContext,
  slot: SlotState,
  id: number,
  a: { readonly target: Target; readonly carried: CarriedChange | null; readonly carries: number; readonly trained: Extract<Trained, { kind: 'trained' }> },
): Promise<Decided> {
  const { record, config, tag } = ctx;
  const { target, carried, carries } = a;
  const { verdict, runs, guard, judgedBest, measured } = a.trained;
  const value = mean(runs.map((r) => r.metric!));
  let kept = false;
  const decided = await ctx.withDecisionLock(async (): Promise<Decided> => {
    let bestBefore = record.best!;
    let error: string | null =
      guard && !guard.passed
        ? `The guard command (${config.acceptance.guardCommand}) failed${guard.exitCode !== null ? ` with exit code ${guard.exitCode}` : ''}; see ${guard.logPath}.`
        : verdict.kind === 'discard'
          ? carried
            ? `Carried onto #${target.baseId}, the change measured ${value} (alone ${carried.aloneMetric}): ${verdict.why}`
            : verdict.why
          : null;
    let keep = verdict.kind === 'keep' && (guard === null || guard.passed);
    let confidence = verdict.confidence;
    const bestNow = record.experiments.get(record.bestId!)!;
    if (keep && (record.bestId !== judgedBest.id || bestNow.runs.length !== judgedBest.runs)) {
      // Another slot kept something (or measured the best again) meanwhile: judged again, with no more runs.
      const seeds = runs.every((r) => typeof r.seed === 'number') ? runs.map((r) => r.seed!) : undefined;
      const now = decide({ ...decisionInput(ctx, runs.map((r) => r.metric!), seeds), final: true });
      if (now.kind === 'keep') confidence = now.confidence;
      else {
        keep = false;
        if (now.kind === 'discard') confidence = now.confidence;
        error = record.bestId !== judgedBest.id ? `Better than ${bestBefore} when measured, but #${record.bestId} reached ${record.best} meanwhile.` : `Better than ${bestBefore} when measured, but the best measured again at ${record.best}${now.kind === 'discard' ? `: ${now.why}` : '.'}`;
      }
      bestBefore = record.best!;
    }
    if (keep && record.bestCommit !== target.parentCommit && carriesOntoBest(record)) {
      // It wins, but the branch has moved past its parent: moving the branch to it would drop the change kept
      // meanwhile. Carry it onto the best first (outside the lock: measuring takes a budget). tree and islands
      // measure a node's line as it is (search-base.ts): the branch moves to the better line.
      if (carries < MAX_CARRIES) return { kind: 'carry', onto: { commit: record.bestCommit!, parentCommit: record.bestCommit!, baseId: record.bestId! } };
      keep = false;
      error = `Better than ${bestBefore}, but the best moved ${MAX_CARRIES + 1} times while it was measured; not kept, so no kept change is dropped.`;
    }
    // The journal first: a keep's experiment-end is on disk before the branch moves, `best` after it.
    const ended = await ctx.close(slot, id, { ...targetFields(target, carried), ...measured(), status: keep ? 'keep' : 'discard', metric: value, guard, bestBefore, error, confidence }, null);
    if (keep) {
      kept = true;
      await ctx.git.updateRef(`refs/heads/${branchFor(tag)}`, target.commit);
      await ctx.append({ type: 'best', at: isoNow(), id, commit: target.commit, metric: ended.metric! });
    }
    return { kind: 'decided' };
  });
  // Outside the lock (it takes a run of its own), in this slot's worktree, which still holds the kept commit.
  if (kept) await heldoutAfterKeep(ctx, slot, id);
  return decided;
}
