// Early stopping of hopeless candidates (issue #23; anchors: Optuna's median pruner, ASHA). Pure: the curve a
// run prints, read line by line, and the rule that compares it with the best's curves at the same step. The loop
// (train.ts, measure.ts) feeds it output and kills the run when it says stop; bench/early-stop.ts tuned it on
// generated curves that cross (a high learning rate starts worse and finishes better).
import type { CurvePoint, EarlyStopConfig } from '../../shared/config-early-stop.js';
import { curvePatternGroups } from '../../shared/config-early-stop.js';

/** A recorded curve keeps at most this many points (the journal keeps one per run). */
export const MAX_CURVE_POINTS = 64;

/** Thin a curve to at most `max` points, evenly over its index, the first and last always kept. */
export function downsample(points: readonly CurvePoint[], max = MAX_CURVE_POINTS): CurvePoint[] {
  if (points.length <= max) return [...points];
  const out: CurvePoint[] = [];
  for (let i = 0; i < max; i++) out.push(points[Math.round((i * (points.length - 1)) / (max - 1))]!);
  return out;
}

/** The curve's value at x, linear between its points; null outside the x it covers. */
export function curveAt(curve: readonly CurvePoint[], x: number): number | null {
  if (curve.length === 0 || x < curve[0]![0] || x > curve[curve.length - 1]![0]) return null;
  let lo = 0;
  let hi = curve.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (curve[mid]![0] <= x) lo = mid;
    else hi = mid;
  }
  const [x0, y0] = curve[lo]!;
  const [x1, y1] = curve[hi]!;
  return x1 === x0 ? y1 : y0 + ((y1 - y0) * (x - x0)) / (x1 - x0);
}

/** Reads the intermediate points from a run's output lines; null when the pattern is unusable. */
export interface CurveReader {
  /** One complete output line; a point when the line matched. */
  line(text: string): CurvePoint | null;
  readonly axis: 'step' | 'seconds';
}

export function curveReader(pattern: string, secondsSinceStart: () => number): CurveReader | null {
  const g = curvePatternGroups(pattern);
  if ('error' in g || (g.groups !== 1 && g.groups !== 2)) return null;
  const re = new RegExp(pattern);
  const byStep = g.groups === 2;
  return {
    axis: byStep ? 'step' : 'seconds',
    line(text) {
      const m = re.exec(text);
      if (!m) return null;
      const value = Number(byStep ? m[2] : m[1]);
      const x = byStep ? Number(m[1]) : secondsSinceStart();
      return Number.isFinite(value) && Number.isFinite(x) ? [x, value] : null;
    },
  };
}

export interface RuleSettings {
  readonly margin: number;
  readonly minFraction: number;
  readonly direction: 'min' | 'max';
}

export interface RuleInput {
  /** The candidate's points so far, x ascending. */
  readonly candidate: readonly CurvePoint[];
  /** The best's curves (one per run); their mean is what the candidate is compared with. */
  readonly best: readonly (readonly CurvePoint[])[];
  /** Curves of repeats of one commit (the best's, else the baseline's): their spread is the noise at a point. */
  readonly repeats: readonly (readonly CurvePoint[])[];
  /** Fraction of the time budget that has passed. */
  readonly fraction: number;
}

export interface RuleVerdict {
  readonly at: number;
  readonly value: number;
  readonly bestValue: number;
  readonly noise: number;
}

/** Sample standard deviation of the repeats at x (those that reach it); null with fewer than two. */
export function spreadAt(repeats: readonly (readonly CurvePoint[])[], x: number): number | null {
  const ys = repeats.map((c) => curveAt(c, x)).filter((y): y is number => y !== null);
  if (ys.length < 2) return null;
  const m = ys.reduce((s, y) => s + y, 0) / ys.length;
  return Math.sqrt(ys.reduce((s, y) => s + (y - m) ** 2, 0) / (ys.length - 1));
}

/** Samples of the spread pooled over [x/2, x]: three curves give a poor spread at one point, eight points a steadier one. */
export const NOISE_SAMPLES = 8;

/** The spread of the repeats around x: the root mean square of their spread at NOISE_SAMPLES points in [x/2, x]. */
export function noiseAt(repeats: readonly (readonly CurvePoint[])[], x: number): number | null {
  let sum = 0;
  let k = 0;
  for (let i = 0; i < NOISE_SAMPLES; i++) {
    const sd = spreadAt(repeats, x / 2 + ((x / 2) * i) / (NOISE_SAMPLES - 1));
    if (sd === null) continue;
    sum += sd * sd;
    k += 1;
  }
  return k ? Math.sqrt(sum / k) : null;
}

function meanAt(curves: readonly (readonly CurvePoint[])[], x: number): number | null {
  const ys = curves.map((c) => curveAt(c, x)).filter((y): y is number => y !== null);
  return ys.length ? ys.reduce((s, y) => s + y, 0) / ys.length : null;
}

/** How many of the candidate's latest points must all be clearly worse (one noisy point never stops a run). */
export const CONFIRM_POINTS = 3;

/**
 * Stop, or null. A candidate is stopped when, past `minFraction` of the budget (in time, and in x of the best's
 * curve), its last CONFIRM_POINTS points
 * are each worse than the best's mean curve by more than `margin` × the spread of repeated curves there, and the
 * gap is not closing fast enough to be gone by the end of the best's curve (crossing curves: a high learning
 * rate starts worse and ends better). No spread known (fewer than two repeats): never stopped.
 */
export function judgeCurve(settings: RuleSettings, input: RuleInput): RuleVerdict | null {
  const { candidate, best, repeats, fraction } = input;
  if (fraction < settings.minFraction || candidate.length < CONFIRM_POINTS) return null;
  const sign = settings.direction === 'min' ? 1 : -1;
  const gapAt = (p: CurvePoint): { gap: number; bestValue: number; noise: number } | null => {
    const b = meanAt(best, p[0]);
    const n = noiseAt(repeats, p[0]);
    if (b === null || n === null || n <= 0) return null;
    return { gap: sign * (p[1] - b), bestValue: b, noise: n };
  };
  // The fraction holds on the x axis too (the best's last step): start-up time counts toward the time budget,
  // and a run that spends it printing its first steps must not be judged on them.
  const end = Math.max(...best.map((c) => (c.length ? c[c.length - 1]![0] : 0)));
  if (candidate[candidate.length - 1]![0] < settings.minFraction * end) return null;
  const last = candidate.slice(-CONFIRM_POINTS);
  const gaps = last.map(gapAt);
  if (gaps.some((g) => g === null || g.gap <= settings.margin * g.noise)) return null;
  // The gap's trend: from the point halfway back in x to the last one, carried on to the best's last x.
  const now = last[last.length - 1]!;
  const g = gaps[gaps.length - 1]!;
  const earlier = [...candidate].reverse().find((p) => p[0] <= now[0] / 2 + candidate[0]![0] / 2);
  if (earlier && earlier[0] < now[0] && end > now[0]) {
    const ge = gapAt(earlier);
    if (ge && ge.gap > g.gap) {
      const projected = g.gap - ((ge.gap - g.gap) / (now[0] - earlier[0])) * (end - now[0]);
      if (projected <= settings.margin * g.noise) return null;
    }
  }
  return { at: now[0], value: now[1], bestValue: g.bestValue, noise: g.noise };
}

/** The rule's settings from the config and the metric's direction. */
export function ruleSettings(config: EarlyStopConfig, direction: 'min' | 'max'): RuleSettings {
  return { margin: config.margin, minFraction: config.minFraction, direction };
}
