// Where every experiment lands on the progress chart, and which one the mouse is over. Pure: the canvas
// component draws from this and asks it for hits, tests check it without a DOM.
import type { ProgressModel } from '../../shared/progress.js';
import { linearScale, type LinearScale } from './scale.js';

export interface PlotRect {
  readonly left: number;
  readonly top: number;
  readonly right: number;
  readonly bottom: number;
}

export interface ChartGeometry {
  readonly width: number;
  readonly height: number;
  readonly plot: PlotRect;
  readonly x: LinearScale;
  readonly y: LinearScale;
  /** Pixel position of model.points[i]; experiments without a metric sit on the bottom edge (edgeY). */
  readonly px: Float64Array;
  readonly py: Float64Array;
  /** 0 = measured inside the y range, 1 = measured but off the chart (clamped), 2 = no metric (edge mark). */
  readonly place: Uint8Array;
  readonly edgeY: number;
}

export const DEFAULT_MARGIN = { left: 64, right: 16, top: 16, bottom: 44 } as const;

export interface LayoutOptions {
  readonly margin?: { readonly left: number; readonly right: number; readonly top: number; readonly bottom: number };
  /** Zoom: the x range to show; defaults to the model's. */
  readonly xDomain?: readonly [number, number];
  /** The y range to show; defaults to the model's (see chartYDomain). */
  readonly yDomain?: readonly [number, number] | null;
}

/**
 * The y range to draw. The model's range follows the kept points and marks outliers on the edge; but
 * early in a run, with only the baseline kept, nearly every point is an "outlier" and the chart would be
 * a flat line with arrows. When more than a quarter of the measured points fall outside, show them all.
 */
export function chartYDomain(model: ProgressModel): readonly [number, number] | null {
  if (!model.yDomain) return null;
  let measured = 0;
  for (const p of model.points) if (p.y !== null) measured += 1;
  if (model.offChart.length <= Math.max(2, measured * 0.25)) return model.yDomain;
  let [lo, hi] = model.yDomain;
  for (const o of model.offChart) {
    lo = Math.min(lo, o.y);
    hi = Math.max(hi, o.y);
  }
  const pad = (hi - lo) * 0.04;
  return [lo - pad, hi + pad];
}

export function layoutChart(model: ProgressModel, width: number, height: number, options: LayoutOptions = {}): ChartGeometry {
  const m = options.margin ?? DEFAULT_MARGIN;
  const plot: PlotRect = { left: m.left, top: m.top, right: Math.max(m.left + 1, width - m.right), bottom: Math.max(m.top + 1, height - m.bottom) };
  const [x0, x1] = options.xDomain ?? model.xDomain;
  // Half an experiment of air on each side so the first and last dots are not cut.
  const xPad = Math.max(0.5, (x1 - x0) * 0.01);
  const x = linearScale([x0 - xPad, x1 + xPad], [plot.left, plot.right]);
  const yd = options.yDomain ?? model.yDomain ?? [0, 1];
  // Lower is better: the best sits low on the chart, as in the reference plot; higher is better: high.
  const y = linearScale(yd, [plot.bottom - 12, plot.top]);
  const edgeY = plot.bottom - 4;
  const n = model.points.length;
  const px = new Float64Array(n);
  const py = new Float64Array(n);
  const place = new Uint8Array(n);
  const yTop = plot.top + 3;
  const yBottom = plot.bottom - 12;
  for (let i = 0; i < n; i++) {
    const p = model.points[i]!;
    px[i] = x(p.x);
    if (p.y === null) {
      py[i] = edgeY;
      place[i] = 2;
    } else {
      const v = y(p.y);
      if (v < yTop) {
        py[i] = yTop;
        place[i] = 1;
      } else if (v > yBottom) {
        py[i] = yBottom;
        place[i] = 1;
      } else {
        py[i] = v;
      }
    }
  }
  return { width, height, plot, x, y, px, py, place, edgeY };
}

/** First index whose px is ≥ value (px ascends because points are in id order). */
export function lowerBound(px: Float64Array, value: number): number {
  let lo = 0;
  let hi = px.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (px[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The experiment under the mouse: the nearest within `radius` pixels, a kept one winning over a nearer
 * discard (kept dots are drawn on top and are what people aim at). Returns the index in model.points.
 */
export function hitTest(geom: ChartGeometry, model: ProgressModel, mx: number, my: number, radius = 6): number | null {
  const { px, py } = geom;
  let best: number | null = null;
  let bestD = Infinity;
  let bestKept = false;
  const r2 = radius * radius;
  for (let i = lowerBound(px, mx - radius); i < px.length && px[i]! <= mx + radius; i++) {
    const dx = px[i]! - mx;
    const dy = py[i]! - my;
    const d = dx * dx + dy * dy;
    if (d > r2) continue;
    const kept = model.points[i]!.status === 'keep';
    if ((kept && !bestKept) || (kept === bestKept && d < bestD)) {
      best = i;
      bestD = d;
      bestKept = kept;
    }
  }
  return best;
}

/** Indices of the points inside the visible x range (for drawing only what shows when zoomed). */
export function visibleRange(geom: ChartGeometry): readonly [number, number] {
  const from = lowerBound(geom.px, geom.plot.left - 8);
  const to = lowerBound(geom.px, geom.plot.right + 8);
  return [from, to];
}

/** Zoom the x range around `center` by `factor` (< 1 zooms in), clamped to the full domain. */
export function zoomDomain(
  current: readonly [number, number],
  full: readonly [number, number],
  center: number,
  factor: number,
  minSpan = 10,
): readonly [number, number] {
  const fullSpan = full[1] - full[0];
  const span = Math.min(fullSpan, Math.max(Math.min(minSpan, fullSpan), (current[1] - current[0]) * factor));
  const t = current[1] === current[0] ? 0.5 : (center - current[0]) / (current[1] - current[0]);
  let lo = center - span * t;
  let hi = lo + span;
  if (lo < full[0]) {
    lo = full[0];
    hi = lo + span;
  }
  if (hi > full[1]) {
    hi = full[1];
    lo = hi - span;
  }
  return [lo, hi];
}
