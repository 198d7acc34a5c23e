// "Test the pattern" of early stopping: the points the intermediate-metric pattern reads from pasted output (live,
// as you type) or from the last experiment's log, so a pattern that reads nothing, or reads the wrong number, is
// seen before a run relies on it.
import { useEffect, useRef, useState } from 'react';
import type { CurveTestResult } from '../../shared/api.js';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { formatNumber } from '../components/format.js';
import { Spinner } from '../components/Spinner.js';

/** A number as the trainer printed it, about: a step as is, a value to 6 significant digits ("2.25", "0.509836"). */
const short = (n: number) => (Number.isInteger(n) ? String(n) : Math.abs(n) < 1e-4 || Math.abs(n) >= 1e7 ? formatNumber(n) : String(Number(n.toPrecision(6))));

/** The first two and the last two points, "200 → 2.31" each: enough to see the pattern read the right numbers. */
function pointsText(points: CurveTestResult['points']): string {
  const say = ([x, v]: readonly [number, number]) => `${short(x)} → ${short(v)}`;
  if (points.length <= 4) return points.map(say).join(', ');
  return `${points.slice(0, 2).map(say).join(', ')}, …, ${points.slice(-2).map(say).join(', ')}`;
}

export function CurveTest(props: { readonly pattern: string; readonly hasRuns: boolean }) {
  const api = useApi();
  const [text, setText] = useState('');
  const [result, setResult] = useState<CurveTestResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [source, setSource] = useState<'pasted' | 'last' | null>(null);
  const seq = useRef(0);

  async function test(from: 'pasted' | 'last'): Promise<void> {
    const mine = ++seq.current;
    setBusy(true);
    setSource(from);
    try {
      const r = await api.testCurve({ pattern: props.pattern, ...(from === 'pasted' ? { text } : {}) });
      if (mine !== seq.current) return;
      setResult(r);
      setError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setResult(null);
      setError((err as Error).message);
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  }

  // Live: re-test the pasted text whenever it or the pattern changes.
  useEffect(() => {
    if (!text.trim()) return;
    const t = setTimeout(() => void test('pasted'), 350);
    return () => clearTimeout(t);
  }, [text, props.pattern]);

  const message = error ?? result?.error ?? null;
  return (
    <div className="metric-test" data-testid="curve-test">
      <div className="metric-test-head">
        <h3>Test the pattern</h3>
        <span className="grow" />
        {busy ? <Spinner label="Testing" /> : null}
        <Button size="small" onClick={() => void test('last')} disabledReason={props.hasRuns ? null : 'No experiment has run yet; paste some output instead'} data-testid="curve-test-last">
          Use the last experiment's log
        </Button>
      </div>
      <textarea
        rows={4}
        placeholder={'Paste some of your command\'s output, e.g.\nstep 200 | val_loss 2.3120\nstep 400 | val_loss 1.9014'}
        value={text}
        onChange={(e) => setText(e.target.value)}
        spellCheck={false}
        aria-label="Output to test the pattern on"
        data-testid="curve-test-input"
      />
      {message ? (
        <div className="field-error" data-testid="curve-test-error">
          {message}
        </div>
      ) : result ? (
        <div className="metric-test-result" data-testid="curve-test-result" data-points={result.points.length}>
          <span className="muted">
            Read {result.matchedLines} {result.matchedLines === 1 ? 'point' : 'points'}
            {result.axis === 'step' ? ' (step → value): ' : ' (values; x is the seconds since the run started, which a log does not keep): '}
          </span>
          <span className="mono" data-testid="curve-test-points">
            {result.axis === 'step' ? pointsText(result.points) : result.points.map(([, v]) => short(v)).slice(0, 4).join(', ')}
          </span>
          {source === 'last' ? <span className="faint"> (last experiment's log)</span> : null}
        </div>
      ) : (
        <div className="field-hint">Paste output above: the points the pattern reads appear here as you type.</div>
      )}
    </div>
  );
}
