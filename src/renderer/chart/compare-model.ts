// The data of the compare chart: each run's best-so-far as steps, by experiment number or by hours since
// the run started, and the value of a series at any x (for the hover readout).
import type { RunDetail } from '../../shared/api.js';
import { buildProgress } from '../../shared/progress.js';

export interface CompareSeries {
  readonly label: string;
  /** Where the best changed: x (experiment # or hours) and the best from there on. */
  readonly steps: readonly { readonly x: number; readonly y: number }[];
  /** Where the series ends (the last experiment), so its flat tail is drawn to it. */
  readonly lastX: number;
}

export type CompareAxis = 'experiments' | 'hours';

export function compareSeries(detail: Pick<RunDetail, 'tag' | 'experiments' | 'direction' | 'noiseFloor' | 'startedAt'>, axis: CompareAxis): CompareSeries {
  const model = buildProgress(detail.experiments, detail.direction, { noiseFloor: detail.noiseFloor });
  // bestSteps ends with a carry point at the last experiment; lastX says that instead.
  const changes = model.bestSteps.filter((s, i, a) => i === 0 || s.y !== a[i - 1]!.y);
  if (axis === 'experiments') return { label: detail.tag, steps: changes, lastX: model.xDomain[1] };
  const t0 = Date.parse(detail.startedAt);
  const hoursOf = (iso: string | null) => (iso && Number.isFinite(t0) ? Math.max(0, (Date.parse(iso) - t0) / 3_600_000) : 0);
  const finished = new Map(detail.experiments.map((e) => [e.id, e.finishedAt ?? e.startedAt]));
  const steps = changes.map((s) => ({ x: hoursOf(finished.get(s.x) ?? null), y: s.y }));
  let lastX = 0;
  for (const e of detail.experiments) lastX = Math.max(lastX, hoursOf(e.finishedAt ?? e.startedAt));
  return { label: detail.tag, steps, lastX };
}

/** The best at x: the last step at or before x; null before the series starts or after it ends. */
export function valueAt(series: CompareSeries, x: number): number | null {
  if (series.steps.length === 0 || x < series.steps[0]!.x || x > series.lastX) return null;
  let lo = 0;
  let hi = series.steps.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if (series.steps[mid]!.x <= x) lo = mid;
    else hi = mid - 1;
  }
  return series.steps[lo]!.y;
}
