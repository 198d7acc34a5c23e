// Keeping a loaded run current from pushes, as pure functions: an 'experiment' event replaces or inserts
// one record (experiments stay sorted by id), a 'runs' event refreshes the summary figures.
import type { RunDetail, RunSummary, StudioEvent } from '../../shared/api.js';
import type { Experiment } from '../../shared/experiment.js';

/** Experiments are kept sorted by id; replace the record with the same id or insert it in place. */
export function upsertExperiment(list: readonly Experiment[], e: Experiment): readonly Experiment[] {
  const n = list.length;
  if (n === 0 || list[n - 1]!.id < e.id) return [...list, e];
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.id < e.id) lo = mid + 1;
    else hi = mid;
  }
  const copy = [...list];
  if (list[lo]?.id === e.id) copy[lo] = e;
  else copy.splice(lo, 0, e);
  return copy;
}

/** Pure: a run's detail after one push. */
export function applyRunEvent(detail: RunDetail, event: StudioEvent): RunDetail {
  if (event.type === 'experiment' && event.tag === detail.tag) {
    return { ...detail, experiments: upsertExperiment(detail.experiments, event.experiment) };
  }
  if (event.type === 'runs') {
    const summary = event.runs.find((r) => r.tag === detail.tag);
    if (summary) return mergeSummary(detail, summary);
  }
  return detail;
}

function mergeSummary(detail: RunDetail, summary: RunSummary): RunDetail {
  return { ...detail, ...summary, config: detail.config, experiments: detail.experiments, steering: detail.steering, notices: detail.notices };
}
