// "Test the metric": run the form's extraction on pasted output (live, as you type) or on the last
// experiment's log, and show what the harness would read.
import { ApiError, type MetricTestResult } from '../../shared/api.js';
import type { MetricConfig } from '../../shared/config.js';
import { useApi } from '../api/hooks.js';
import { formatNumber } from '../components/format.js';
import { OutputTest } from './OutputTest.js';

function describeError(err: unknown): string {
  const e = err as ApiError;
  return e instanceof ApiError && e.code === 'invalid-args' && e.fieldErrors.length ? `Fix the metric settings first: ${e.fieldErrors.map((f) => f.message).join('; ')}` : e.message;
}

export function MetricTest(props: { readonly metric: unknown; readonly hasRuns: boolean }) {
  const api = useApi();
  return (
    <OutputTest<MetricTestResult>
      run={(text) => api.testMetric({ metric: props.metric as MetricConfig, ...(text !== undefined ? { text } : {}) })}
      settingsKey={JSON.stringify(props.metric)}
      hasRuns={props.hasRuns}
      title="Test the metric"
      id="metric-test"
      placeholder={'Paste the end of your command\'s output, e.g.\n---\nval_bpb:          0.997900\npeak_vram_mb:     45060.2'}
      inputLabel="Output to test the metric on"
      describeError={describeError}
    >
      {({ result, error, source }) =>
        error ? (
          <div className="field-error" data-testid="metric-test-error">
            {error}
          </div>
        ) : result ? (
          <div className="metric-test-result" data-testid="metric-test-result" data-found={result.value !== null}>
            {result.value !== null ? (
              <div>
                <span className="muted">Found </span>
                <strong className="mono" data-testid="metric-test-value">
                  {formatNumber(result.value)}
                </strong>
                {result.matched ? (
                  <span className="muted">
                    {' '}
                    in <code>{result.matched}</code>
                  </span>
                ) : null}
                {source === 'last' ? <span className="faint"> (last experiment's log)</span> : null}
              </div>
            ) : (
              <div className="field-error">{result.error ?? 'No value found.'}</div>
            )}
            {Object.keys(result.metrics).length > 0 ? (
              <div className="metric-chips">
                {Object.entries(result.metrics).map(([k, v]) => (
                  <span key={k} className="metric-chip mono">
                    {k} = {formatNumber(v)}
                  </span>
                ))}
              </div>
            ) : null}
          </div>
        ) : (
          <div className="field-hint">Paste output above: the value the harness would read appears here as you type.</div>
        )
      }
    </OutputTest>
  );
}
