// When does a run stop on its own? Pure: the scheduler asks before starting each experiment.
import type { StopConditionProgress } from '../../shared/api.js';
import type { StopConfig } from '../../shared/config.js';
import type { StopReason } from '../../shared/journal.js';
import { plural } from '../../shared/wording.js';

export interface StopInputs {
  readonly stop: StopConfig;
  readonly direction: 'min' | 'max';
  /** Candidates finished or running (baseline and interrupted ones excluded). */
  readonly candidates: number;
  /** Candidates that reached a decision: the progress shown toward max experiments (defaults to candidates). */
  readonly decided?: number;
  /** Hours since this session of the run started. */
  readonly hours: number;
  readonly costUsd: number;
  readonly best: number | null;
  readonly consecutiveFailures: number;
}

export function progressOf(i: StopInputs): StopConditionProgress[] {
  const out: StopConditionProgress[] = [];
  const add = (kind: StopConditionProgress['kind'], label: string, current: number, limit: number) =>
    out.push({ kind, label, current, limit, fraction: limit > 0 ? Math.min(1, current / limit) : 1 });
  // "after the baseline": the run's experiment count (the header's) includes the baseline, this limit does not.
  if (i.stop.maxExperiments !== null) add('max-experiments', 'Experiments after the baseline', i.decided ?? i.candidates, i.stop.maxExperiments);
  if (i.stop.maxHours !== null) add('max-hours', 'Hours', i.hours, i.stop.maxHours);
  if (i.stop.maxCostUsd !== null) add('max-cost', 'Spend (USD)', i.costUsd, i.stop.maxCostUsd);
  add('failures', 'Failures in a row', i.consecutiveFailures, i.stop.maxConsecutiveFailures);
  if (i.stop.target !== null && i.best !== null) {
    // Progress toward a target has no natural scale; show 1 when reached, else 0.
    const reached = i.direction === 'min' ? i.best <= i.stop.target : i.best >= i.stop.target;
    out.push({ kind: 'target', label: `Target ${i.stop.target}`, current: i.best, limit: i.stop.target, fraction: reached ? 1 : 0 });
  }
  return out;
}

/** The first condition that is met, or null to go on. */
export function shouldStop(i: StopInputs): { reason: StopReason; message: string } | null {
  if (i.stop.target !== null && i.best !== null) {
    const reached = i.direction === 'min' ? i.best <= i.stop.target : i.best >= i.stop.target;
    if (reached) return { reason: 'target', message: `The best metric ${i.best} reached the target ${i.stop.target}.` };
  }
  if (i.consecutiveFailures >= i.stop.maxConsecutiveFailures) {
    return {
      reason: 'failures',
      message: `${plural(i.consecutiveFailures, 'experiment')} in a row crashed, timed out or were rejected. Read the last logs, fix the cause (command, config, program.md), then resume the run.`,
    };
  }
  if (i.stop.maxCostUsd !== null && i.costUsd >= i.stop.maxCostUsd) {
    return { reason: 'max-cost', message: `The spend cap of $${i.stop.maxCostUsd.toFixed(2)} was reached ($${i.costUsd.toFixed(2)} spent).` };
  }
  if (i.stop.maxHours !== null && i.hours >= i.stop.maxHours) {
    return { reason: 'max-hours', message: `The time limit of ${i.stop.maxHours} h was reached.` };
  }
  if (i.stop.maxExperiments !== null && i.candidates >= i.stop.maxExperiments) {
    return { reason: 'max-experiments', message: `${plural(i.candidates, 'experiment')} after the baseline (the limit is ${i.stop.maxExperiments}).` };
  }
  return null;
}
