// The run in numbers, as the report states them: baseline → best, improvement, experiments, keeps,
// keep rate, failures, GPU hours, spend. Computed by the shared progress model so UI and report agree.
import type { JSX, ReactNode } from 'react';
import type { RunFigures } from '../../shared/progress.js';
import { describeConfidence } from '../../shared/experiment.js';
import { formatCost, formatMetric, formatPercent, formatRate } from '../components/format.js';

export function Figure(props: { readonly label: string; readonly children: ReactNode; readonly testId?: string; readonly title?: string; readonly tone?: 'good' | 'bad' }): JSX.Element {
  return (
    <div className="figure" data-testid={props.testId} title={props.title}>
      <div className="figure-label">{props.label}</div>
      <div className={`figure-value${props.tone ? ` ${props.tone}-text` : ''}`}>{props.children}</div>
    </div>
  );
}

export function RunFiguresBar(props: { readonly figures: RunFigures; readonly metricName: string }): JSX.Element {
  const f = props.figures;
  return (
    <div className="figures" data-testid="run-figures">
      <Figure label={`${props.metricName}: baseline → best`} testId="fig-best">
        <span className="mono">{formatMetric(f.baseline)}</span> → <span className="mono">{formatMetric(f.best)}</span>
        {f.bestId !== null ? <span className="faint"> (#{f.bestId})</span> : null}
      </Figure>
      <Figure label="Improvement" testId="fig-improvement" tone={f.improvementPct !== null && f.improvementPct > 0 ? 'good' : undefined}>
        {formatPercent(f.improvementPct)}
      </Figure>
      <Figure label="Experiments" testId="fig-experiments">
        {f.experiments}
      </Figure>
      <Figure label="Kept" testId="fig-kept" title="Improvements kept (the baseline not counted)">
        {f.keptImprovements}
        {f.keptWithinNoise ? <span className="noise-keep" data-testid="fig-kept-within-noise" title="Kept, but within the noise when decided: they may be luck"> ({f.keptWithinNoise} within noise)</span> : null}
      </Figure>
      <Figure label="Best's confidence" testId="fig-best-confidence" title="How far the best stood above the noise when it was kept" tone={f.bestConfidence?.label === 'within-noise' ? 'bad' : f.bestConfidence?.label === 'clear' ? 'good' : undefined}>
        {describeConfidence(f.bestConfidence)}
      </Figure>
      <Figure label="Keep rate" testId="fig-keep-rate">
        {formatRate(f.keepRate)}
      </Figure>
      <Figure label="Failed" testId="fig-failed" title="Crashes, timeouts and rejected proposals" tone={f.failures > 0 ? 'bad' : undefined}>
        {f.failures}
      </Figure>
      <Figure label="GPU hours" testId="fig-gpu-hours">
        {f.gpuHours === null ? '—' : f.gpuHours.toFixed(1)}
      </Figure>
      <Figure label="Spend" testId="fig-spend">
        {formatCost(f.spendUsd)}
      </Figure>
    </div>
  );
}
