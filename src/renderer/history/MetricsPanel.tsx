// The Metrics tab: every parsed metric, the runs (confirmation runs included), the guard, timings,
// tokens and cost of one experiment.
import type { JSX } from 'react';
import type { Experiment } from '../../shared/experiment.js';
import { formatCost, formatDuration, formatMetric, formatNumber, formatTime, formatTokens } from '../components/format.js';
import { formatEstimate } from '../../shared/wording.js';

export function MetricsPanel(props: { readonly experiment: Experiment; readonly metricName: string; readonly onShowLog: (run: number) => void }): JSX.Element {
  const e = props.experiment;
  const metricNames = Object.keys(e.metrics).sort((a, b) => (a === props.metricName ? -1 : b === props.metricName ? 1 : a.localeCompare(b)));
  return (
    <div className="panel-grid" data-testid="metrics-panel">
      <div className="panel">
        <h3>Metrics</h3>
        {metricNames.length === 0 ? (
          <div className="muted">No metric was parsed from the output{e.error ? `: ${e.error}` : '.'}</div>
        ) : (
          <table className="plain">
            <tbody>
              {metricNames.map((k) => (
                <tr key={k} data-testid="metric-row" data-name={k}>
                  <th>{k === props.metricName ? <b>{k}</b> : k}</th>
                  <td className="num">{k === props.metricName ? formatMetric(e.metrics[k]!) : formatNumber(e.metrics[k]!)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      <div className="panel">
        <h3>Timings</h3>
        <dl className="kv">
          <dt>Started</dt>
          <dd>{formatTime(e.startedAt)}</dd>
          <dt>Finished</dt>
          <dd>{formatTime(e.finishedAt)}</dd>
          {e.proposedAt ? (
            <>
              <dt>Proposed</dt>
              <dd data-testid="metrics-proposed-at">{formatTime(e.proposedAt)}</dd>
            </>
          ) : null}
          <dt>Proposal</dt>
          <dd>{formatDuration(e.timings.proposalMs)}</dd>
          {typeof e.timings.queueWaitMs === 'number' ? (
            <>
              <dt>Waited for a slot</dt>
              <dd data-testid="metrics-queue-wait">{formatDuration(e.timings.queueWaitMs)}</dd>
            </>
          ) : null}
          <dt>Training</dt>
          <dd>{formatDuration(e.timings.trainingMs)}</dd>
          <dt>Total</dt>
          <dd>{formatDuration(e.timings.totalMs)}</dd>
        </dl>
      </div>
      <div className="panel">
        <h3>Tokens and cost</h3>
        {e.usage ? (
          <dl className="kv">
            <dt>Input</dt>
            <dd>{formatTokens(e.usage.inputTokens)}</dd>
            <dt>Output</dt>
            <dd>{formatTokens(e.usage.outputTokens)}</dd>
            <dt>Cache write</dt>
            <dd>{formatTokens(e.usage.cacheCreationInputTokens)}</dd>
            <dt>Cache read</dt>
            <dd>{formatTokens(e.usage.cacheReadInputTokens)}</dd>
            <dt>Cost</dt>
            <dd data-testid="metrics-cost">{e.usage.costUsd === null ? 'unknown (no price for this model)' : formatCost(e.usage.costUsd)}</dd>
          </dl>
        ) : (
          <div className="muted">No agent tokens were used{e.kind === 'baseline' ? ' (the baseline).' : '.'}</div>
        )}
      </div>
      <div className="panel">
        <h3>Record</h3>
        <dl className="kv">
          <dt>Slot</dt>
          <dd>{e.slot}</dd>
          <dt>Parent commit</dt>
          <dd>{e.parentCommit.slice(0, 12)}</dd>
          <dt>Commit</dt>
          <dd>{e.commit ? e.commit.slice(0, 12) : '—'}</dd>
          <dt>Best before</dt>
          <dd>{formatEstimate(e.bestBefore, e.confidence?.bestRuns)}</dd>
          <dt>Changed files</dt>
          <dd>{e.changedFiles.length ? e.changedFiles.join(', ') : '—'}</dd>
          <dt>Guard</dt>
          <dd data-testid="metrics-guard">
            {e.guard ? `${e.guard.passed ? 'passed' : 'failed'} (exit ${e.guard.exitCode ?? '—'}, ${formatDuration(e.guard.durationMs)})` : 'none'}
          </dd>
        </dl>
      </div>
      {e.runs.length > 0 ? (
        <div className="panel" style={{ gridColumn: '1 / -1' }}>
          <h3>Runs{e.runs.length > 1 ? ` (${e.runs.length}: the mean decides)` : ''}</h3>
          <table className="plain" data-testid="metrics-runs">
            <thead>
              <tr>
                <th>#</th>
                <th className="num">{props.metricName}</th>
                <th className="num">Exit</th>
                <th>Ended</th>
                <th className="num">Duration</th>
                <th>Log</th>
              </tr>
            </thead>
            <tbody>
              {e.runs.map((r, i) => (
                <tr key={i}>
                  <td>{i + 1}</td>
                  <td className="num">{formatMetric(r.metric)}</td>
                  <td className="num">{r.exitCode ?? '—'}</td>
                  <td>{r.timedOut ? <span className="warn-text">timed out</span> : r.signal ? `signal ${r.signal}` : 'exited'}</td>
                  <td className="num">{formatDuration(r.durationMs)}</td>
                  <td>
                    <button type="button" className="link mono" onClick={() => props.onShowLog(i)}>
                      {r.logPath}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </div>
  );
}
