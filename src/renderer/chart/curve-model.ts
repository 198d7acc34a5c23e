// The learning-curve chart's model (CurveChart.tsx): an experiment's recorded curves (config.earlyStop.pattern)
// against those of the best it was compared with, scaled into an SVG box. Pure, so a unit test reads it.
import type { CurvePoint } from '../../shared/config-early-stop.js';
import type { Experiment } from '../../shared/experiment.js';

export interface CurveSeries {
  readonly role: 'self' | 'best';
  /** The run's index within its experiment (0-based). */
  readonly run: number;
  readonly points: readonly CurvePoint[];
}

export interface CurveModel {
  readonly series: readonly CurveSeries[];
  readonly axis: 'step' | 'seconds';
  /** The experiment the curves are compared with (null: none, e.g. the baseline). */
  readonly bestId: number | null;
  /** Where it was stopped early, on the x axis. */
  readonly stopAt: number | null;
  readonly x: readonly [number, number];
  readonly y: readonly [number, number];
}

const curvesOf = (e: Experiment, role: CurveSeries['role']): CurveSeries[] =>
  e.runs.flatMap((r, run) => (r.curve && r.curve.length > 0 ? [{ role, run, points: r.curve }] : []));

/** The model, or null when the experiment recorded no curve. The best is the one a stop compared with, else its parent. */
export function curveModel(e: Experiment, experiments: readonly Experiment[]): CurveModel | null {
  const own = curvesOf(e, 'self');
  if (own.length === 0) return null;
  const bestId = e.earlyStop?.bestId ?? (e.kind === 'baseline' ? null : e.baseId);
  const best = bestId === null ? undefined : experiments.find((x) => x.id === bestId);
  const axis = e.runs.find((r) => r.curve?.length)?.curveAxis ?? 'step';
  const theirs = best ? curvesOf(best, 'best').filter((s) => (best.runs[s.run]!.curveAxis ?? 'step') === axis) : [];
  const series = [...theirs, ...own];
  let x0 = Infinity;
  let x1 = -Infinity;
  let y0 = Infinity;
  let y1 = -Infinity;
  for (const s of series) {
    for (const [x, y] of s.points) {
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  if (x1 === x0) x1 = x0 + 1;
  if (y1 === y0) y1 = y0 + 1;
  return { series, axis, bestId: best ? best.id : null, stopAt: e.earlyStop?.at ?? null, x: [x0, x1], y: [y0, y1] };
}

/** An SVG path ("M x y L x y …") of `points` in a `width` × `height` box, y growing downward. */
export function curvePath(points: readonly CurvePoint[], m: Pick<CurveModel, 'x' | 'y'>, width: number, height: number): string {
  const sx = (x: number) => ((x - m.x[0]) / (m.x[1] - m.x[0])) * width;
  const sy = (y: number) => height - ((y - m.y[0]) / (m.y[1] - m.y[0])) * height;
  return points.map(([x, y], i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)} ${sy(y).toFixed(1)}`).join(' ');
}
