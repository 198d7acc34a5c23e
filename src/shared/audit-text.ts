// An audit in words, the same in the CLI, the app and both reports.
import type { AuditEvent } from './journal.js';

/** Metric values as everywhere else: 6 significant digits, no exponent for ordinary sizes. */
function fmt(v: number): string {
  return Number(v.toPrecision(6)).toString();
}

/** The improvement as a percentage of the audit's own baseline mean; null when that mean is 0. */
export function auditRelativePct(a: AuditEvent): number | null {
  const base = a.baseline.reduce((s, v) => s + v, 0) / a.baseline.length;
  return base === 0 ? null : (a.improvement / Math.abs(base)) * 100;
}

/** "0.0141 better (1.41 %), 95 % interval 0.0089 to 0.0193: confirmed" — positive = better. */
export function describeAudit(a: AuditEvent): string {
  const pct = auditRelativePct(a);
  const head = `${fmt(Math.abs(a.improvement))} ${a.improvement >= 0 ? 'better' : 'worse'}${pct !== null ? ` (${Math.abs(pct).toFixed(2)} %)` : ''}, 95 % interval ${fmt(a.ciLow)} to ${fmt(a.ciHigh)}`;
  const verdict = a.confirmed ? 'confirmed: the interval lies above zero' : 'not confirmed: the interval includes zero or less, so the gain may be noise';
  return `${head}: ${verdict}`;
}

/** The audit's setting: "#12 (abc1234) against the baseline (def5678), 5 pairs interleaved". */
export function describeAuditSetting(a: AuditEvent): string {
  const pairs = a.baseline.length;
  return `best #${a.bestId} (${a.bestCommit.slice(0, 7)}) against the baseline (${a.baselineCommit.slice(0, 7)}), ${pairs} pair${pairs === 1 ? '' : 's'} of runs interleaved${a.failedPairs ? `, ${a.failedPairs} failed pair${a.failedPairs === 1 ? '' : 's'} left out` : ''}`;
}

/** What the run had claimed, for comparison: "the run recorded 0.0200 better". */
export function describeRecorded(a: AuditEvent): string | null {
  if (a.recordedImprovement === null) return null;
  return `the run recorded ${fmt(Math.abs(a.recordedImprovement))} ${a.recordedImprovement >= 0 ? 'better' : 'worse'}`;
}
