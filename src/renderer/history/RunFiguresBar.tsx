// The run in numbers, as the report states them: baseline → best, improvement, experiments, keeps,
// keep rate, failures, GPU hours, spend. Computed by the shared progress model and said in the shared
// wording (src/shared/wording.ts) so the UI, the CLI and the reports agree.
import type { JSX, ReactNode } from 'react';
import type { RunFigures } from '../../shared/progress.js';
import { describeConfidence } from '../../shared/experiment.js';
import { formatEstimate, formatGpuHours, formatKeepRate, formatNotebookKeepRate, GLOSSARY, runImprovement } from '../../shared/wording.js';
import { ChangeText } from '../components/ChangeText.js';
import { formatCost, formatMetric } from '../components/format.js';

export function Figure(props: { readonly label: string; readonly children: ReactNode; readonly testId?: string; readonly title?: string; readonly tone?: 'good' | 'bad' }): JSX.Element {
  return (
    <div className="figure" data-testid={props.testId} title={props.title}>
      <div className="figure-label">{props.label}</div>
      <div className={`figure-value${props.tone ? ` ${props.tone}-text` : ''}`}>{props.children}</div>
    </div>
  );
}

/** The keep rate with its counts; the tooltip gives its definition and the autoresearch notebook's figure. */
export function KeepRateFigure(props: { readonly figures: RunFigures; readonly testId: string }): JSX.Element {
  const text = formatKeepRate(props.figures);
  const cut = text.indexOf(' (');
  return (
    <Figure label="Keep rate" testId={props.testId} title={`${GLOSSARY.keepRate}\n${GLOSSARY.notebookKeepRate}: ${formatNotebookKeepRate(props.figures)}`}>
      {cut > 0 ? text.slice(0, cut) : text}
      {cut > 0 ? <span className="faint small">{text.slice(cut)}</span> : null}
    </Figure>
  );
}

export function RunFiguresBar(props: { readonly figures: RunFigures; readonly metricName: string }): JSX.Element {
  const f = props.figures;
  return (
    <div className="figures" data-testid="run-figures">
      <Figure label={`${props.metricName}: baseline → best`} testId="fig-best">
        <span className="mono">{formatMetric(f.baseline)}</span> → <span className="mono">{formatEstimate(f.best, f.bestRuns)}</span>
        {f.bestId !== null ? <span className="faint"> (#{f.bestId})</span> : null}
      </Figure>
      <Figure label="Improvement" testId="fig-improvement" title={GLOSSARY.improvement}>
        <ChangeText change={runImprovement(f.baseline, f.best, f.direction)} title={GLOSSARY.improvement} />
      </Figure>
      <Figure label="Experiments" testId="fig-experiments" title={GLOSSARY.experiments}>
        {f.experiments}
        <span className="faint small"> incl. baseline</span>
      </Figure>
      <Figure label="Kept" testId="fig-kept" title={GLOSSARY.kept}>
        {f.keptImprovements}
        {f.keptWithinNoise ? <span className="noise-keep" data-testid="fig-kept-within-noise" title="Kept, but within the noise when decided: they may be luck"> ({f.keptWithinNoise} within noise)</span> : null}
      </Figure>
      <Figure label="Best's confidence" testId="fig-best-confidence" title="How far the best stood above the noise when it was kept" tone={f.bestConfidence?.label === 'within-noise' ? 'bad' : f.bestConfidence?.label === 'clear' ? 'good' : undefined}>
        {describeConfidence(f.bestConfidence)}
      </Figure>
      <KeepRateFigure figures={f} testId="fig-keep-rate" />
      <Figure label="Failed" testId="fig-failed" title={GLOSSARY.failed} tone={f.failures > 0 ? 'bad' : undefined}>
        {f.failures}
      </Figure>
      <Figure label="GPU hours" testId="fig-gpu-hours">
        {formatGpuHours(f.gpuHours)}
      </Figure>
      <Figure label="Spend" testId="fig-spend">
        {formatCost(f.spendUsd)}
      </Figure>
    </div>
  );
}
