// The run at a glance: best metric and its change against the baseline, experiments done, keep rate,
// elapsed time, spend, and how close each stop condition is.
import type { JSX } from 'react';
import type { LiveRun, RunSummary } from '../../shared/api.js';
import type { RunFigures } from '../../shared/progress.js';
import { describeConfidence } from '../../shared/experiment.js';
import { formatEstimate, formatStopProgress, GLOSSARY, runImprovement } from '../../shared/wording.js';
import { ChangeText } from '../components/ChangeText.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { directionLabel, formatCost, formatDuration, formatMetric } from '../components/format.js';
import { Figure, KeepRateFigure } from '../history/RunFiguresBar.js';

export function RunHeader(props: {
  readonly summary: RunSummary;
  readonly live: LiveRun | null;
  readonly figures: RunFigures | null;
  readonly now: number;
}): JSX.Element {
  const s = props.summary;
  const live = props.live && props.live.tag === s.tag ? props.live : null;
  const gain = runImprovement(s.baseline, s.best, s.direction);
  const done = s.counts.total - s.counts.running;
  const started = Date.parse(s.startedAt);
  const elapsed = live && Number.isFinite(started) ? Math.max(0, props.now - started) : s.elapsedMs;
  return (
    <section className="run-header" data-testid="run-header" data-tag={s.tag}>
      <div className="run-title">
        <h1>{s.tag}</h1>
        <StatusBadge status={live ? live.state : s.state} />
        <span className="muted">
          {s.metricName} · {directionLabel(s.direction)} · {s.proposer}
        </span>
        {!live && s.stopMessage ? <span className="muted">· {s.stopMessage}</span> : null}
      </div>
      <div className="figures">
        <Figure label={`Best ${s.metricName}`} testId="hdr-best">
          <span className="mono">{formatEstimate(s.best, s.bestRuns)}</span>
          {s.bestId !== null ? <span className="faint small"> #{s.bestId}</span> : null}
        </Figure>
        <Figure label={`Improvement vs baseline ${formatMetric(s.baseline)}`} testId="hdr-change" title={GLOSSARY.improvement}>
          <ChangeText change={gain} title={GLOSSARY.improvement} />
        </Figure>
        <Figure
          label="Confidence of the best"
          testId="hdr-confidence"
          tone={props.figures?.bestConfidence?.label === 'within-noise' ? 'bad' : props.figures?.bestConfidence?.label === 'clear' ? 'good' : undefined}
          title={props.figures?.keptWithinNoise ? `${props.figures.keptWithinNoise} keep(s) of this run were within the noise` : 'How far the best stood above the noise when it was kept'}
        >
          {describeConfidence(props.figures?.bestConfidence)}
        </Figure>
        <Figure label="Experiments" testId="hdr-done" title={GLOSSARY.experiments}>
          {done}
          {s.counts.running ? <span className="faint small"> +{s.counts.running} running</span> : null}
        </Figure>
        <Figure label="Kept" testId="hdr-kept" title={GLOSSARY.kept}>
          {s.keptImprovements}
        </Figure>
        {props.figures ? (
          <KeepRateFigure figures={props.figures} testId="hdr-keep-rate" />
        ) : (
          <Figure label="Keep rate" testId="hdr-keep-rate" title={GLOSSARY.keepRate}>
            —
          </Figure>
        )}
        <Figure label="Elapsed" testId="hdr-elapsed">
          {formatDuration(elapsed)}
        </Figure>
        <Figure label="Spend" testId="hdr-spend">
          {formatCost(s.costUsd)}
        </Figure>
      </div>
      {live && live.stopConditions.length ? (
        <div className="stop-conditions" data-testid="stop-conditions">
          {live.stopConditions.map((c) => (
            <div className="stop-condition" key={c.kind} data-testid="stop-condition" data-kind={c.kind}>
              <div className="row">
                <span>{c.label}</span>
                <span className="grow" />
                <span className="mono muted" data-testid="stop-condition-progress" title={`${Math.round(Math.min(1, Math.max(0, c.fraction)) * 100)} %`}>
                  {formatStopProgress(c)}
                </span>
              </div>
              <ProgressBar value={c.fraction} label={c.label} color={c.fraction >= 0.9 ? 'var(--warn)' : undefined} />
            </div>
          ))}
        </div>
      ) : live ? (
        <div className="faint small">No stop condition: the run goes on until you stop it.</div>
      ) : null}
    </section>
  );
}
