// The decision step: the one place the run branch moves. Decisions are serialised across slots; a
// candidate is judged again against the best as it is now, and one that started from an older best and still
// wins is sent back to be carried onto that best (docs/decisions.md, "Parallel slots never drop a kept
// change") instead of moving the branch past a kept change.
import type { CarriedChange, Experiment, ExperimentRunResult } from '../../shared/experiment.js';
import { updateRef } from '../git/update-ref.js';
import { isoNow, type RunContext, type SlotState } from './context.js';
import { decide, mean, noiseGroupsOf, type Decision, type DecisionInput } from './decide.js';
import { branchFor } from './refs.js';

/** What measuring a candidate found (candidate.ts), handed to the decision step. */
export interface Evaluated {
  readonly verdict: Extract<Decision, { kind: 'keep' | 'discard' }>;
  readonly runs: ExperimentRunResult[];
  readonly guard: Experiment['guard'];
  /** The best (and how often it was measured) when the verdict was reached. */
  readonly judgedBest: { readonly id: number | null; readonly runs: number };
  readonly measured: () => Partial<Experiment>;
}

/** Where a candidate is measured: its commit, the best it sits on, and that best's experiment. */
export interface Target {
  readonly commit: string;
  readonly parentCommit: string;
  readonly baseId: number | null;
}

/** How often a winning candidate is carried onto a best that moved again while it was measured. */
export const MAX_CARRIES = 3;

/**
 * Keep (moving the branch) or discard the evaluated candidate, and record it; or, when it wins but the best
 * moved past its parent, return the best to carry it onto (nothing recorded yet).
 */
export async function decisionStep(
  ctx: RunContext,
  slot: SlotState,
  id: number,
  a: {
    readonly target: Target;
    readonly carried: CarriedChange | null;
    readonly carries: number;
    readonly evaluated: Evaluated;
    readonly fields: () => Partial<Experiment>;
  },
): Promise<Target | null> {
  const { record, config, projectDir, tag } = ctx;
  const { target, carried, carries, fields } = a;
  const { verdict, runs, guard, judgedBest, measured } = a.evaluated;
  const value = mean(runs.map((r) => r.metric!));
  return ctx.withDecisionLock(async (): Promise<Target | null> => {
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
      const now = decide({ ...decisionInput(ctx, runs.map((r) => r.metric!)), final: true });
      if (now.kind === 'keep') confidence = now.confidence;
      else {
        keep = false;
        if (now.kind === 'discard') confidence = now.confidence;
        error = record.bestId !== judgedBest.id ? `Better than ${bestBefore} when measured, but #${record.bestId} reached ${record.best} meanwhile.` : `Better than ${bestBefore} when measured, but the best measured again at ${record.best}${now.kind === 'discard' ? `: ${now.why}` : '.'}`;
      }
      bestBefore = record.best!;
    }
    if (keep && record.bestCommit !== target.parentCommit) {
      // It wins, but the branch has moved past its parent: moving the branch to it would drop the change kept
      // meanwhile. Carry it onto the best first (outside the lock: measuring takes a budget).
      if (carries < MAX_CARRIES) return { commit: record.bestCommit!, parentCommit: record.bestCommit!, baseId: record.bestId! };
      keep = false;
      error = `Better than ${bestBefore}, but the best moved ${MAX_CARRIES + 1} times while it was measured; not kept, so no kept change is dropped.`;
    }
    const ended = await ctx.finish(slot, { ...ctx.current(id), ...fields(), ...measured(), status: keep ? 'keep' : 'discard', metric: value, guard, bestBefore, error, confidence }, null);
    if (keep) {
      await updateRef(projectDir, `refs/heads/${branchFor(tag)}`, target.commit);
      await ctx.append({ type: 'best', at: isoNow(), id, commit: target.commit, metric: ended.metric! });
    }
    return null;
  });
}

/** What the acceptance rule sees: this candidate's values, the best's runs, every repeated measurement. */
export function decisionInput(ctx: RunContext, candidate: readonly number[]): DecisionInput {
  const { record, config } = ctx;
  const best = record.experiments.get(record.bestId!)!;
  return {
    acceptance: config.acceptance,
    direction: config.metric.direction,
    candidate,
    best: best.runs.map((r) => r.metric).filter((v): v is number => v !== null && Number.isFinite(v)),
    noiseGroups: noiseGroupsOf(record.experiments.values()),
    noiseFloor: record.noiseFloor,
  };
}

