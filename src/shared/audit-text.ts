// An audit in words, the same in the CLI, the app and both reports.
import type { AuditEvent } from './journal.js';
import { formatChange, formatSignedMetric, metricChange, plural, type Change, type Direction } from './wording.js';

const mean = (xs: readonly number[]): number => xs.reduce((s, v) => s + v, 0) / xs.length;

/** The audit's change, said as every change is (wording.ts): the best's mean against the baseline's mean. */
export function auditChange(a: AuditEvent, direction: Direction): Change | null {
  return a.baseline.length && a.best.length ? metricChange(mean(a.best), mean(a.baseline), direction) : null;
}

/** A gain (positive = better, as the audit stores it) as the metric's own signed change. */
const signedDelta = (gain: number, direction: Direction): number => (direction === 'min' ? -gain : gain);

/**
 * "-0.030000 (-3.00 %) better, 95 % interval -0.042000 to -0.018000: confirmed: the whole interval is
 * better" — the same signed change as everywhere else, and its interval in the same signed units.
 */
export function describeAudit(a: AuditEvent, direction: Direction): string {
  const change = auditChange(a, direction);
  const [lo, hi] = [signedDelta(a.ciLow, direction), signedDelta(a.ciHigh, direction)].sort((x, y) => x - y) as [number, number];
  const head = `${formatChange(change)}, 95 % interval ${formatSignedMetric(lo)} to ${formatSignedMetric(hi)}`;
  const verdict = a.confirmed ? 'confirmed: the whole interval is better' : 'not confirmed: the interval reaches no change or worse, so the gain may be noise';
  return `${head}: ${verdict}`;
}

/** The audit's setting: "#12 (abc1234) against the baseline (def5678), 5 pairs interleaved". */
export function describeAuditSetting(a: AuditEvent): string {
  const pairs = a.baseline.length;
  return `best #${a.bestId} (${a.bestCommit.slice(0, 7)}) against the baseline (${a.baselineCommit.slice(0, 7)}), ${plural(pairs, 'pair')} of runs interleaved${a.failedPairs ? `, ${plural(a.failedPairs, 'failed pair')} left out` : ''}`;
}

/** What the run had claimed, for comparison: "the run recorded -0.020000 better". */
export function describeRecorded(a: AuditEvent, direction: Direction): string | null {
  if (a.recordedImprovement === null) return null;
  const g = a.recordedImprovement;
  return `the run recorded ${formatSignedMetric(signedDelta(g, direction))} ${g > 0 ? 'better' : g < 0 ? 'worse' : 'no change'}`;
}
