// One language for numbers: how each figure of a run is defined and said, shared by the CLI, the app and
// both reports so the same fact reads the same everywhere. Pure (no Node, no DOM).
//
// - A change is the metric's own change, signed as the metric moved (value − reference), followed by the
//   word "better" or "worse" in the metric's direction: "-0.549899 (-20.65 %) better" for a loss that went
//   down, "+0.677344 (+42.78 %) worse" for one that went up. The sign never flips its meaning.
// - A run's improvement is the change of its best against its baseline, said the same way.
// - "Kept" counts the candidates kept after the baseline. A count that includes the baseline says so.
// - The keep rate is kept / tried candidates (the baseline not counted, failures counted). The
//   autoresearch analysis notebook's keep rate, keeps / (keeps + discards) with the baseline counted and
//   crashes left out, is shown beside it in the reports, under that name.
//
// Signs are ASCII "+" and "-" (not U+2212): a number copied from any of these places pastes into Python, a
// spreadsheet or a shell as a number.

import type { StopConditionProgress } from './api-runs.js';

export type Direction = 'min' | 'max';
export type Verdict = 'better' | 'worse' | 'no change';

/** A metric value: 6 decimals as results.tsv writes it; 6 significant digits for huge values, 4 for tiny ones. */
export function formatMetric(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  const abs = Math.abs(value);
  if (abs >= 1e6) return value.toPrecision(6);
  // 6 decimals would show 0.000000; 4 significant digits instead, as short as possible.
  if (abs !== 0 && abs < 5e-7) return String(Number(value.toPrecision(4)));
  return value.toFixed(6);
}

/**
 * A value that is a mean of several runs says so: "1.503187 (mean of 3)". The current best is re-measured by
 * the noise rule, so every place that states it (CLI, app, reports) states this same estimate; one run is
 * just the value.
 */
export function formatEstimate(value: number | null | undefined, runs: number | null | undefined): string {
  const text = formatMetric(value);
  return text !== '—' && runs !== null && runs !== undefined && runs > 1 ? `${text} (mean of ${groupThousands(runs)})` : text;
}

/** A signed amount in metric units: "+0.001234", "-0.001234", "0.000000". */
export function formatSignedMetric(delta: number): string {
  const text = formatMetric(Math.abs(delta));
  return delta > 0 ? `+${text}` : delta < 0 ? `-${text}` : text;
}

/** A signed percentage: "+2.69 %", "-0.0027 %", "0.00 %". Two decimals, more when that would read as zero. */
export function formatSignedPercent(pct: number): string {
  const abs = Math.abs(pct);
  const digits = abs === 0 || abs.toFixed(2) !== '0.00' ? 2 : Math.min(6, 1 - Math.floor(Math.log10(abs)));
  const text = `${abs.toFixed(digits)} %`;
  return pct > 0 ? `+${text}` : pct < 0 ? `-${text}` : text;
}

/** A fraction as a percentage with one decimal: 0.6667 → "66.7 %". */
export function formatRate(fraction: number | null | undefined): string {
  if (fraction === null || fraction === undefined || !Number.isFinite(fraction)) return '—';
  return `${(fraction * 100).toFixed(1)} %`;
}

/** "lower is better" / "higher is better". */
export function directionWords(direction: Direction): string {
  return direction === 'min' ? 'lower is better' : 'higher is better';
}

// ---------------------------------------------------------------------------------------------
// Changes

export interface Change {
  readonly value: number;
  readonly reference: number;
  /** value − reference, in metric units: negative when the metric went down, whatever the direction. */
  readonly delta: number;
  /** delta as a percentage of |reference|; null when the reference is 0. */
  readonly pct: number | null;
  readonly verdict: Verdict;
}

/** The change from `reference` to `value`; null unless both are finite numbers. */
export function metricChange(value: number | null | undefined, reference: number | null | undefined, direction: Direction): Change | null {
  if (value === null || value === undefined || reference === null || reference === undefined) return null;
  if (!Number.isFinite(value) || !Number.isFinite(reference)) return null;
  const delta = value - reference;
  const verdict: Verdict = delta === 0 ? 'no change' : (direction === 'min' ? delta < 0 : delta > 0) ? 'better' : 'worse';
  return { value, reference, delta, pct: reference !== 0 ? (delta / Math.abs(reference)) * 100 : null, verdict };
}

/** The experiment fields a change needs. */
export interface ChangeSource {
  readonly kind: 'baseline' | 'candidate';
  readonly metric: number | null;
  readonly bestBefore: number | null;
  /** What the decision saw, when the record was measured again since (experiment.ts). */
  readonly measuredAtDecision?: { readonly metric: number } | null;
}

/**
 * An experiment's change as it was decided: the value its decision saw (a best measured again since has a
 * new mean, but its change stays the one it was kept for, the same in every view and in the CLI line printed
 * then) against the best it was judged against (its bestBefore; `fallbackBest` for a record without one,
 * e.g. an imported results.tsv). The baseline has no change.
 */
export function experimentChange(e: ChangeSource, direction: Direction, fallbackBest: number | null = null): Change | null {
  if (e.kind === 'baseline') return null;
  return metricChange(e.measuredAtDecision?.metric ?? e.metric, e.bestBefore ?? fallbackBest, direction);
}

/** A run's improvement: its best against its baseline. */
export function runImprovement(baseline: number | null, best: number | null, direction: Direction): Change | null {
  return metricChange(best, baseline, direction);
}

/** "-0.027071 (-2.69 %)": the amount without the verdict, for places that colour the verdict apart. */
export function formatChangeAmount(change: Change): string {
  const amount = formatSignedMetric(change.delta);
  return change.pct === null ? amount : `${amount} (${formatSignedPercent(change.pct)})`;
}

/** "-0.027071 (-2.69 %) better"; "—" when there is no change to state. */
export function formatChange(change: Change | null): string {
  return change ? `${formatChangeAmount(change)} ${change.verdict}` : '—';
}

// ---------------------------------------------------------------------------------------------
// Counts and rates

/** What the count and rate texts need (RunFigures has all of it). */
export interface KeepFigures {
  /** Candidates kept after the baseline. */
  readonly keptImprovements: number;
  /** Candidates that reached a decision (keep, discard, crash, timeout, rejected); the baseline not counted. */
  readonly finishedCandidates: number;
  /** keptImprovements / finishedCandidates. */
  readonly keepRate: number | null;
  /** Rows with status keep, the baseline included. */
  readonly keepRows: number;
  readonly discards: number;
  /** keepRows / (keepRows + discards): the autoresearch notebook's keep rate. */
  readonly notebookKeepRate: number | null;
}

/** 12345 → "12,345" without Intl (its first use costs milliseconds on the UI's main thread). */
export function groupThousands(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.abs(Math.trunc(n)));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${groupThousands(n)} ${n === 1 ? one : many}`;
}

/** "3 kept". */
export function formatKept(kept: number): string {
  return `${groupThousands(kept)} kept`;
}

/** "33.3 % (1 kept of 3 tried)". */
export function formatKeepRate(f: Pick<KeepFigures, 'keptImprovements' | 'finishedCandidates' | 'keepRate'>): string {
  if (f.keepRate === null) return '— (no candidate tried yet)';
  return `${formatRate(f.keepRate)} (${formatKept(f.keptImprovements)} of ${groupThousands(f.finishedCandidates)} tried)`;
}

/** "66.7 % (2 of 3 keeps + discards)": the notebook's keep rate, whose keeps include the baseline. */
export function formatNotebookKeepRate(f: Pick<KeepFigures, 'keepRows' | 'discards' | 'notebookKeepRate'>): string {
  if (f.notebookKeepRate === null) return '— (no keep or discard yet)';
  return `${formatRate(f.notebookKeepRate)} (${groupThousands(f.keepRows)} of ${groupThousands(f.keepRows + f.discards)} keeps + discards)`;
}

/** "4 keep rows (the baseline + 3 kept)": where a count has to include the baseline, it says so. */
export function formatKeepRows(keepRows: number, kept: number): string {
  return keepRows === kept ? plural(keepRows, 'keep row') : `${plural(keepRows, 'keep row')} (the baseline + ${formatKept(kept)})`;
}

/** GPU hours: "0.01", "12.3", "140"; "—" when not recorded. The report, History and the dashboard all say it so. */
export function formatGpuHours(hours: number | null | undefined): string {
  if (hours === null || hours === undefined || !Number.isFinite(hours)) return '—';
  return hours >= 100 ? hours.toFixed(0) : hours >= 10 ? hours.toFixed(1) : hours.toFixed(2);
}

/**
 * How far a stop condition has come, in its own units: "12 of 40" experiments, "3 of 8" failures in a row,
 * "1.2 of 8 h", "$1.20 of $5.00"; a target says whether the best reached it. A bar's percentage alone did not say
 * how many experiments or failures were left.
 */
export function formatStopProgress(c: StopConditionProgress): string {
  switch (c.kind) {
    case 'max-hours':
      return `${c.current.toFixed(c.current < 10 ? 1 : 0)} of ${c.limit} h`;
    case 'max-cost':
      return `$${c.current.toFixed(2)} of $${c.limit.toFixed(2)}`;
    case 'target':
      return c.fraction >= 1 ? `reached (best ${formatMetric(c.current)})` : `best ${formatMetric(c.current)}`;
    default:
      return `${Math.round(c.current)} of ${c.limit}`;
  }
}

// ---------------------------------------------------------------------------------------------
// The glossary: docs/glossary.md states these same sentences, and the app uses them as tooltips.

export const GLOSSARY = {
  change:
    "Change: an experiment's metric minus the best it was compared with, signed as the metric moved, then \"better\" or \"worse\" in the metric's direction. For val_bpb (lower is better), -0.012000 (-1.20 %) better.",
  improvement: "Improvement: the run's best minus its baseline, said the same way as a change.",
  kept: 'Kept: candidates kept because they beat the best so far. The baseline is not counted; a count that includes it says so.',
  experiments: 'Experiments: every experiment of the run, the baseline included.',
  keepRate: 'Keep rate: kept candidates / tried candidates. The baseline is not counted; crashes, timeouts and rejected proposals count as tried.',
  notebookKeepRate:
    "Keep rate (autoresearch notebook): the figure karpathy/autoresearch's analysis notebook prints, keeps / (keeps + discards). The baseline's keep is counted; crashes are left out.",
  failed: 'Failed: crashes, timeouts and rejected proposals.',
} as const;

export type GlossaryTerm = keyof typeof GLOSSARY;
