// The progress model: what a run's history means, computed once from the experiment records and shared by
// the live chart in the UI and the offline report. Pure and JSON-safe (no Node, no DOM), O(n) in the
// number of experiments so a 10,000-experiment run costs milliseconds.
import { countStatuses, improvement, isBetter, measuredRuns, type ConfidenceLabel, type Experiment, type ExperimentStatus, type KeepConfidence, type RunCounts } from './experiment.js';
import type { Direction } from './wording.js';

export type { Direction } from './wording.js';

/** One experiment on the chart. y is null when it produced no metric (crash, timeout, rejected, running...). */
export interface ProgressPoint {
  readonly x: number;
  readonly y: number | null;
  readonly status: ExperimentStatus;
  readonly isBaseline: boolean;
  readonly description: string;
}

/** A kept experiment (the baseline included): where the running best moved. */
export interface KeptPoint {
  readonly x: number;
  readonly y: number;
  readonly description: string;
  readonly isBaseline: boolean;
  /**
   * The best this keep was compared with: the record's bestBefore, else the running best in id order;
   * null for the baseline (or a keep before any measured baseline).
   */
  readonly previousBest: number | null;
  /** Signed gain over previousBest, positive = better in the metric's direction; null for the baseline. */
  readonly gain: number | null;
  /** The keep's gain was within the noise (under 2 standard errors): drawn hollow, it may be luck. */
  readonly withinNoise: boolean;
  /** How the decision rated it (null for the baseline and for records without a confidence). */
  readonly confidence: ConfidenceLabel | null;
}

export interface StepPoint {
  readonly x: number;
  readonly y: number;
}

/** The baseline ± the noise floor: differences inside it may be chance. */
export interface NoiseBand {
  readonly center: number;
  readonly spread: number;
  readonly low: number;
  readonly high: number;
}

export interface ProgressModel {
  readonly direction: Direction;
  /** Every experiment, by x (id) ascending. */
  readonly points: readonly ProgressPoint[];
  /** Kept experiments in x order, the baseline first when it was measured. */
  readonly kept: readonly KeptPoint[];
  /**
   * The running best as a step line: one point per change of the best, plus a final point at the last x so
   * the line reaches the right edge. Draw it "step after": horizontal to the next x, then vertical.
   */
  readonly bestSteps: readonly StepPoint[];
  /** The running best after each point (aligned with `points`); null before the first measured keep. */
  readonly runningBest: readonly (number | null)[];
  /** Experiments that ended without a metric because they failed: crash and timeout (and rejected). */
  readonly failures: readonly { readonly x: number; readonly status: ExperimentStatus }[];
  readonly noiseBand: NoiseBand | null;
  readonly xDomain: readonly [number, number];
  /**
   * A y range that shows the story: every kept point and the noise band, with a margin. Points beyond it
   * (a diverged run at 3.2 when the rest sit near 0.97) are listed in `offChart` so a chart marks them at
   * the edge instead of squashing everything else flat.
   */
  readonly yDomain: readonly [number, number] | null;
  /** x of measured points outside yDomain, with the side they fall on. */
  readonly offChart: readonly { readonly x: number; readonly y: number; readonly side: 'above' | 'below' }[];
}

export interface ProgressOptions {
  /** Standard deviation of the baseline repeats (RunSummary.noiseFloor); null when unknown. */
  readonly noiseFloor?: number | null;
}

const FAILED_WITHOUT_METRIC: ReadonlySet<ExperimentStatus> = new Set(['crash', 'timeout', 'rejected']);

function metricOf(e: Experiment): number | null {
  return e.metric !== null && Number.isFinite(e.metric) ? e.metric : null;
}

function isBaselineExperiment(e: Experiment): boolean {
  return e.kind === 'baseline';
}

/** The baseline: the experiment of kind 'baseline' with the lowest id (experiment 0 in a normal run). */
export function findBaseline(experiments: readonly Experiment[]): Experiment | null {
  let found: Experiment | null = null;
  for (const e of experiments) if (isBaselineExperiment(e) && (found === null || e.id < found.id)) found = e;
  return found;
}

function sortedById(experiments: readonly Experiment[]): readonly Experiment[] {
  for (let i = 1; i < experiments.length; i++) {
    if (experiments[i - 1]!.id > experiments[i]!.id) return [...experiments].sort((a, b) => a.id - b.id);
  }
  return experiments;
}

export function buildProgress(experiments: readonly Experiment[], direction: Direction, options: ProgressOptions = {}): ProgressModel {
  const list = sortedById(experiments);
  const points: ProgressPoint[] = [];
  const kept: KeptPoint[] = [];
  const bestSteps: StepPoint[] = [];
  const runningBest: (number | null)[] = [];
  const failures: { x: number; status: ExperimentStatus }[] = [];
  let best: number | null = null;

  for (const e of list) {
    const y = metricOf(e);
    const baseline = isBaselineExperiment(e);
    points.push({ x: e.id, y, status: e.status, isBaseline: baseline, description: e.description });
    if (e.status === 'keep' && y !== null) {
      // What the harness compared with (recorded at decision time) is the truth with parallel slots, where
      // id order and decision order differ; an imported results.tsv has no record, so id order it is.
      const previous = baseline ? null : (e.bestBefore ?? best);
      // The gain it was kept for: the value its decision saw (a best measured again since has a new mean).
      const gain = previous === null ? null : improvement(e.measuredAtDecision?.metric ?? y, previous, direction);
      const confidence = baseline ? null : (e.confidence?.label ?? null);
      kept.push({ x: e.id, y, description: e.description, isBaseline: baseline, previousBest: previous, gain, withinNoise: confidence === 'within-noise', confidence });
      // A keep is the harness's decision; the best only moves when the value is actually better, so a
      // keep that ties (or a replayed older keep) never draws the step line backwards.
      if (best === null || isBetter(y, best, direction)) {
        best = y;
        bestSteps.push({ x: e.id, y });
      }
    }
    if (FAILED_WITHOUT_METRIC.has(e.status) && y === null) failures.push({ x: e.id, status: e.status });
    runningBest.push(best);
  }
  const last = points[points.length - 1];
  const lastStep = bestSteps[bestSteps.length - 1];
  if (last && lastStep && last.x > lastStep.x) bestSteps.push({ x: last.x, y: lastStep.y });

  const baselineExp = findBaseline(list);
  const baselineValue = baselineExp ? metricOf(baselineExp) : null;
  const spread = options.noiseFloor ?? null;
  const noiseBand: NoiseBand | null =
    baselineValue !== null && spread !== null && Number.isFinite(spread) && spread > 0
      ? { center: baselineValue, spread, low: baselineValue - spread, high: baselineValue + spread }
      : null;

  const xDomain: readonly [number, number] = points.length ? [points[0]!.x, last!.x] : [0, 0];
  const yDomain = chooseYDomain(points, kept, noiseBand);
  const offChart: { x: number; y: number; side: 'above' | 'below' }[] = [];
  if (yDomain) {
    for (const p of points) {
      if (p.y === null) continue;
      if (p.y > yDomain[1]) offChart.push({ x: p.x, y: p.y, side: 'above' });
      else if (p.y < yDomain[0]) offChart.push({ x: p.x, y: p.y, side: 'below' });
    }
  }
  return { direction, points, kept, bestSteps, runningBest, failures, noiseBand, xDomain, yDomain, offChart };
}

/**
 * The kept points and the noise band always fit. Other points fit when they lie within a margin of that
 * range: half of it, or three times the interquartile range of all measured values when that is wider
 * (a run whose only keep is the baseline still shows its discards). A diverged run far beyond is a fact
 * worth marking at the edge, not a reason to flatten the whole chart. With no keeps, the middle 90 % of
 * the measured values is the base range.
 */
function chooseYDomain(points: readonly ProgressPoint[], kept: readonly KeptPoint[], band: NoiseBand | null): [number, number] | null {
  const measured: number[] = [];
  for (const p of points) if (p.y !== null) measured.push(p.y);
  if (measured.length === 0) return null;
  const sorted = [...measured].sort((a, b) => a - b);
  const quantile = (q: number) => sorted[Math.round((sorted.length - 1) * q)]!;
  let lo = Infinity;
  let hi = -Infinity;
  const take = (v: number) => {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  };
  if (kept.length) for (const k of kept) take(k.y);
  else {
    take(quantile(0.05));
    take(quantile(0.95));
  }
  if (band) {
    take(band.low);
    take(band.high);
  }
  const scale = Math.max(Math.abs(lo), Math.abs(hi), 1e-12);
  const margin = Math.max((hi - lo) * 0.5, (quantile(0.75) - quantile(0.25)) * 3, scale * 1e-3);
  const allowLo = lo - margin;
  const allowHi = hi + margin;
  for (const v of measured) if (v >= allowLo && v <= allowHi) take(v);
  // A little air so dots on the edge are not cut in half.
  const pad = Math.max(hi - lo, scale * 1e-4) * 0.04;
  return [lo - pad, hi + pad];
}

// ---------------------------------------------------------------------------------------------
// The summary

export interface RunFigures {
  readonly direction: Direction;
  readonly baseline: number | null;
  readonly baselineId: number | null;
  /** The current estimate of the best (currentBest): its mean over every run, re-measurements included. */
  readonly best: number | null;
  readonly bestId: number | null;
  /** How many runs `best` is the mean of (say it with formatEstimate); null without a best. */
  readonly bestRuns: number | null;
  /** best vs baseline, positive = better in the metric's direction, in metric units. */
  readonly improvement: number | null;
  /** The same as a percentage of |baseline|; null when the baseline is missing or 0. */
  readonly improvementPct: number | null;
  /** Every record, the baseline included. */
  readonly counts: RunCounts;
  /** Experiments in the run (the baseline included), i.e. counts.total. */
  readonly experiments: number;
  /** Candidates (not the baseline) that reached a decision: keep, discard, crash, timeout or rejected. */
  readonly finishedCandidates: number;
  /** Keeps after the baseline: the improvements. */
  readonly keptImprovements: number;
  /** Rows with status keep, the baseline included (what a results.tsv shows). */
  readonly keepRows: number;
  /** keptImprovements / finishedCandidates; null with no finished candidate. */
  readonly keepRate: number | null;
  /** Rows with status discard. */
  readonly discards: number;
  /**
   * The autoresearch analysis notebook's keep rate: keepRows / (keepRows + discards), the baseline counted,
   * crashes left out. Shown beside ours because users compare with it; null with no keep or discard.
   */
  readonly notebookKeepRate: number | null;
  /** crash + timeout + rejected. */
  readonly failures: number;
  /** Keeps whose gain was within the noise when decided (under 2 standard errors): possibly luck. */
  readonly keptWithinNoise: number;
  /** The confidence recorded when the best was kept; null for the baseline or an older record. */
  readonly bestConfidence: KeepConfidence | null;
  /** Sum of training (run command) time in hours; null when no experiment recorded one. */
  readonly gpuHours: number | null;
  /** Agent spend in USD; null when no experiment recorded token usage with a known price. */
  readonly spendUsd: number | null;
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly firstStartedAt: string | null;
  readonly lastFinishedAt: string | null;
}

const DECIDED: ReadonlySet<ExperimentStatus> = new Set(['keep', 'discard', 'stopped-early', 'crash', 'timeout', 'rejected']);

/**
 * The run's best, the one place every view takes it from: the experiment the harness holds as its best, with
 * its current estimate (its metric is the mean of all its runs, re-measurements included, as the journal's
 * fold keeps it). Each keep the harness decided became the best at its decision, so the best is the last of
 * them in decision order (finishedAt, then id), even when a re-measurement has since moved its mean past an
 * earlier keep's. A keep with no recorded decision (bestBefore null: an imported results.tsv) takes over only
 * when its value is better (ties stay with the earlier one). `bestId` (the fold's RunSummary.bestId) names
 * the best outright when known.
 */
export function currentBest(experiments: readonly Experiment[], direction: Direction, bestId: number | null = null): Experiment | null {
  const keeps: Experiment[] = [];
  let timed = true;
  for (const e of experiments) {
    if (e.status !== 'keep' || metricOf(e) === null) continue;
    if (e.id === bestId) return e;
    keeps.push(e);
    if (!e.finishedAt) timed = false;
  }
  keeps.sort((a, b) => (timed && a.finishedAt !== b.finishedAt ? (a.finishedAt! < b.finishedAt! ? -1 : 1) : a.id - b.id));
  let best: Experiment | null = null;
  for (const e of keeps) {
    const decided = !isBaselineExperiment(e) && e.bestBefore !== null;
    if (best === null || decided || isBetter(e.metric!, best.metric!, direction)) best = e;
  }
  return best;
}

export function summarizeRun(experiments: readonly Experiment[], direction: Direction, options: { readonly bestId?: number | null } = {}): RunFigures {
  const baselineExp = findBaseline(experiments);
  const baseline = baselineExp ? metricOf(baselineExp) : null;
  const bestExp = currentBest(experiments, direction, options.bestId ?? null);
  const best = bestExp ? metricOf(bestExp) : null;
  const bestId = bestExp?.id ?? null;
  const bestConfidence: KeepConfidence | null = bestExp && !isBaselineExperiment(bestExp) ? (bestExp.confidence ?? null) : null;
  let finishedCandidates = 0;
  let keptImprovements = 0;
  let keepRows = 0;
  let keptWithinNoise = 0;
  let trainingMs = 0;
  let sawTraining = false;
  let spend = 0;
  let sawSpend = false;
  let inputTokens = 0;
  let outputTokens = 0;
  let firstStartedAt: string | null = null;
  let lastFinishedAt: string | null = null;

  for (const e of experiments) {
    const isBase = isBaselineExperiment(e);
    if (e.status === 'keep') {
      keepRows += 1;
      if (!isBase) keptImprovements += 1;
      if (!isBase && e.confidence?.label === 'within-noise') keptWithinNoise += 1;
    }
    if (!isBase && DECIDED.has(e.status)) finishedCandidates += 1;
    if (e.timings.trainingMs !== null && Number.isFinite(e.timings.trainingMs)) {
      trainingMs += e.timings.trainingMs;
      sawTraining = true;
    }
    if (e.usage) {
      inputTokens += e.usage.inputTokens + e.usage.cacheCreationInputTokens + e.usage.cacheReadInputTokens;
      outputTokens += e.usage.outputTokens;
      if (e.usage.costUsd !== null) {
        spend += e.usage.costUsd;
        sawSpend = true;
      }
    }
    if (e.startedAt && (firstStartedAt === null || e.startedAt < firstStartedAt)) firstStartedAt = e.startedAt;
    if (e.finishedAt && (lastFinishedAt === null || e.finishedAt > lastFinishedAt)) lastFinishedAt = e.finishedAt;
  }
  const counts = countStatuses(experiments);
  const gain = baseline !== null && best !== null ? improvement(best, baseline, direction) : null;
  return {
    direction,
    baseline,
    baselineId: baselineExp?.id ?? null,
    best,
    bestId,
    bestRuns: bestExp ? measuredRuns(bestExp) : null,
    improvement: gain,
    improvementPct: gain !== null && baseline !== null && baseline !== 0 ? (gain / Math.abs(baseline)) * 100 : null,
    counts,
    experiments: counts.total,
    finishedCandidates,
    keptImprovements,
    keptWithinNoise,
    bestConfidence,
    keepRows,
    keepRate: finishedCandidates > 0 ? keptImprovements / finishedCandidates : null,
    discards: counts.discard,
    notebookKeepRate: keepRows + counts.discard > 0 ? keepRows / (keepRows + counts.discard) : null,
    failures: counts.crash + counts.timeout + counts.rejected,
    gpuHours: sawTraining ? trainingMs / 3_600_000 : null,
    spendUsd: sawSpend ? spend : null,
    inputTokens,
    outputTokens,
    firstStartedAt,
    lastFinishedAt,
  };
}

/** The reference chart's title, with honest counting: the baseline is not an improvement. */
export function progressTitle(figures: Pick<RunFigures, 'experiments' | 'keptImprovements'>): string {
  const n = figures.experiments;
  const k = figures.keptImprovements;
  return `Autoresearch Progress: ${n} Experiment${n === 1 ? '' : 's'}, ${k} Kept Improvement${k === 1 ? '' : 's'}`;
}

/**
 * Kept points in the order they deserve a text label when not all can have one: the baseline, the final
 * best, then the largest gains (ties by x).
 */
export function rankKeptForLabels(kept: readonly KeptPoint[]): readonly KeptPoint[] {
  if (kept.length === 0) return [];
  const first = kept[0]!;
  const last = kept[kept.length - 1]!;
  const head: KeptPoint[] = first.isBaseline ? [first] : [];
  if (!head.includes(last)) head.push(last);
  const rest = kept.filter((k) => !head.includes(k)).sort((a, b) => (b.gain ?? -Infinity) - (a.gain ?? -Infinity) || a.x - b.x);
  return [...head, ...rest];
}

/** The `max` kept points that deserve a label most (see rankKeptForLabels), in x order. */
export function pickLabelledKept(kept: readonly KeptPoint[], max: number): readonly KeptPoint[] {
  if (kept.length <= max) return kept;
  if (max <= 0) return [];
  const chosen = new Set(rankKeptForLabels(kept).slice(0, max));
  return kept.filter((k) => chosen.has(k));
}
