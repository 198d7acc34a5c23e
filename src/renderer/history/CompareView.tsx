// Compare runs (#/compare/<tagA>,<tagB>): their best-so-far curves on one chart (by experiment number or
// by hours since start) and their figures side by side.
import { useMemo, useState, type JSX } from 'react';
import type { RunDetail } from '../../shared/api.js';
import { summarizeRun, type RunFigures } from '../../shared/progress.js';
import { navigate } from '../app/router.js';
import { CompareChart, SERIES_COLORS } from '../chart/CompareChart.js';
import { compareSeries, type CompareAxis } from '../chart/compare-model.js';
import { EmptyState } from '../components/EmptyState.js';
import { Spinner } from '../components/Spinner.js';
import { formatChange, formatEstimate, formatGpuHours, formatKeepRate, formatKept, GLOSSARY, runImprovement } from '../../shared/wording.js';
import { directionLabel, formatCost, formatDuration, formatMetric } from '../components/format.js';
import { useStudio } from '../store/studio.js';
import { RunPicker } from './RunPicker.js';
import { useRuns } from './run-store.js';
import './history.css';

type XAxis = CompareAxis;

const ROWS: readonly { readonly label: string; readonly title?: string; readonly value: (f: RunFigures, d: RunDetail) => string }[] = [
  { label: 'Metric', value: (_f, d) => `${d.metricName} (${directionLabel(d.direction)})` },
  { label: 'Baseline', value: (f) => formatMetric(f.baseline) },
  { label: 'Best', value: (f) => `${formatEstimate(f.best, f.bestRuns)}${f.bestId !== null ? ` (#${f.bestId})` : ''}` },
  { label: 'Improvement', title: GLOSSARY.improvement, value: (f) => formatChange(runImprovement(f.baseline, f.best, f.direction)) },
  { label: 'Experiments', title: GLOSSARY.experiments, value: (f) => `${f.experiments} (baseline included)` },
  { label: 'Kept', title: GLOSSARY.kept, value: (f) => formatKept(f.keptImprovements) },
  { label: 'Keep rate', title: GLOSSARY.keepRate, value: (f) => formatKeepRate(f) },
  { label: 'Failed', title: GLOSSARY.failed, value: (f) => String(f.failures) },
  { label: 'GPU hours', value: (f) => formatGpuHours(f.gpuHours) },
  { label: 'Spend', value: (f) => formatCost(f.spendUsd) },
  { label: 'Wall time', value: (_f, d) => formatDuration(d.elapsedMs) },
  { label: 'Proposer', value: (_f, d) => d.proposer },
];

export function CompareView(props: { tags: string[] }): JSX.Element {
  const runs = useStudio((s) => s.runs);
  const tags = props.tags;
  const entries = useRuns(tags);
  const [axis, setAxis] = useState<XAxis>('experiments');
  // `entries` only changes identity when one of the runs does (shallow-compared in the store).
  const details = useMemo(() => entries.flatMap((e) => (e.state === 'ready' ? [e.detail] : [])), [entries]);
  const ready = details.length === tags.length && tags.length >= 2;
  const series = useMemo(() => (ready ? details.map((d) => compareSeries(d, axis)) : []), [ready, axis, details]);
  const figures = useMemo(() => details.map((d) => summarizeRun(d.experiments, d.direction, { bestId: d.bestId })), [details]);

  const setTag = (i: number, tag: string) => {
    const next = [...tags];
    while (next.length < 2) next.push('');
    next[i] = tag;
    navigate({ view: 'compare', tags: next.filter(Boolean) });
  };

  const pickers = (
    <div className="history-top">
      <RunPicker runs={runs} value={tags[0] ?? null} onChange={(t) => setTag(0, t)} label="Run A" testId="compare-a" />
      <RunPicker runs={runs} value={tags[1] ?? null} onChange={(t) => setTag(1, t)} label="Run B" testId="compare-b" exclude={tags[0] ?? null} />
      <div className="grow" />
      <div className="seg" role="group" aria-label="x axis">
        <button type="button" aria-pressed={axis === 'experiments'} onClick={() => setAxis('experiments')} data-testid="compare-x-experiments">
          by experiment
        </button>
        <button type="button" aria-pressed={axis === 'hours'} onClick={() => setAxis('hours')} data-testid="compare-x-hours">
          by hours
        </button>
      </div>
    </div>
  );

  if (tags.length < 2) {
    return (
      <div className="view-pad wide">
        {pickers}
        <EmptyState title="Choose two runs to compare" testId="compare-empty">
          {runs.length < 2 ? 'This project has fewer than two runs. Start another run to compare it with this one.' : 'Their best-so-far curves are drawn on one chart, their figures side by side.'}
        </EmptyState>
      </div>
    );
  }
  const failed = entries.map((e, i) => (e.state === 'error' ? `${tags[i]}: ${e.error}` : null)).filter(Boolean);
  const metricNames = new Set(details.map((d) => d.metricName));
  const directions = new Set(details.map((d) => d.direction));
  return (
    <div className="view-pad wide" data-testid="compare" data-tags={tags.join(',')}>
      {pickers}
      {failed.length ? (
        <div className="banner error" data-testid="compare-error">
          <div className="grow">Could not open {failed.join('; ')}. Pick another run above.</div>
        </div>
      ) : null}
      {!ready && !failed.length ? <Spinner label="Loading the runs" /> : null}
      {ready ? (
        <>
          {metricNames.size > 1 || directions.size > 1 ? (
            <div className="banner" data-testid="compare-warning">
              <div className="grow">These runs measure different things ({[...metricNames].join(' vs ')}); the curves share an axis but are not comparable.</div>
            </div>
          ) : null}
          <div className="compare-legend">
            {details.map((d, i) => (
              <span key={d.tag}>
                <i className="lg-swatch" style={{ background: SERIES_COLORS[i]!.startsWith('--') ? `var(${SERIES_COLORS[i]})` : SERIES_COLORS[i] }} />
                <a href={`#/history/${encodeURIComponent(d.tag)}`}>{d.tag}</a>
              </span>
            ))}
          </div>
          <CompareChart series={series} metricName={details[0]!.metricName} direction={details[0]!.direction} xLabel={axis === 'hours' ? 'Hours since start' : 'Experiment #'} />
          <table className="plain" style={{ marginTop: 16, maxWidth: 900 }} data-testid="compare-table">
            <thead>
              <tr>
                <th />
                {details.map((d) => (
                  <th key={d.tag} className="num">
                    {d.tag}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {ROWS.map((r) => (
                <tr key={r.label} title={r.title}>
                  <th>{r.label}</th>
                  {details.map((d, i) => (
                    <td key={d.tag} className="num">
                      {r.value(figures[i]!, d)}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </>
      ) : null}
    </div>
  );
}
