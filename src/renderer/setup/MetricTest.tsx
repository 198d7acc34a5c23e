// "Test the metric": run the form's extraction on pasted output (live, as you type) or on the last
// experiment's log, and show what the harness would read.
import { useEffect, useRef, useState } from 'react';
import { ApiError, type MetricTestResult } from '../../shared/api.js';
import type { MetricConfig } from '../../shared/config.js';
import { useApi } from '../api/hooks.js';
import { formatNumber } from '../components/format.js';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';

export function MetricTest(props: { readonly metric: unknown; readonly hasRuns: boolean }) {
  const api = useApi();
  const [text, setText] = useState('');
  const [result, setResult] = useState<MetricTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [source, setSource] = useState<'pasted' | 'last' | null>(null);
  const seq = useRef(0);
  const metricKey = JSON.stringify(props.metric);

  async function test(from: 'pasted' | 'last'): Promise<void> {
    const mine = ++seq.current;
    setBusy(true);
    setSource(from);
    try {
      const r = await api.testMetric({ metric: props.metric as MetricConfig, ...(from === 'pasted' ? { text } : {}) });
      if (mine !== seq.current) return;
      setResult(r);
      setError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setResult(null);
      const e = err as ApiError;
      setError(e instanceof ApiError && e.code === 'invalid-args' && e.fieldErrors.length ? `Fix the metric settings first: ${e.fieldErrors.map((f) => f.message).join('; ')}` : e.message);
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  }

  // Live: re-test the pasted text whenever it or the metric settings change.
  useEffect(() => {
    if (!text.trim()) return;
    const t = setTimeout(() => void test('pasted'), 350);
    return () => clearTimeout(t);
  }, [text, metricKey]);

  return (
    <div className="metric-test" data-testid="metric-test">
      <div className="metric-test-head">
        <h3>Test the metric</h3>
        <span className="grow" />
        {busy ? <Spinner label="Testing" /> : null}
        <Button size="small" onClick={() => void test('last')} disabledReason={props.hasRuns ? null : 'No experiment has run yet; paste some output instead'} data-testid="metric-test-last">
          Use the last experiment's log
        </Button>
      </div>
      <textarea
        rows={5}
        placeholder={'Paste the end of your command\'s output, e.g.\n---\nval_bpb:          0.997900\npeak_vram_mb:     45060.2'}
        value={text}
        onChange={(e) => setText(e.target.value)}
        spellCheck={false}
        aria-label="Output to test the metric on"
        data-testid="metric-test-input"
      />
      {error ? (
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
      )}
    </div>
  );
}
