// "Test the pattern" of early stopping: the points the intermediate-metric pattern reads from pasted output (live,
// as you type) or from the last experiment's log, so a pattern that reads nothing, or reads the wrong number, is
// seen before a run relies on it.
import type { CurveTestResult } from '../../shared/api.js';
import { useApi } from '../api/hooks.js';
import { formatNumber } from '../components/format.js';
import { OutputTest } from './OutputTest.js';

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
  return (
    <OutputTest<CurveTestResult>
      run={(text) => api.testCurve({ pattern: props.pattern, ...(text !== undefined ? { text } : {}) })}
      settingsKey={props.pattern}
      hasRuns={props.hasRuns}
      title="Test the pattern"
      id="curve-test"
      rows={4}
      placeholder={'Paste some of your command\'s output, e.g.\nstep 200 | val_loss 2.3120\nstep 400 | val_loss 1.9014'}
      inputLabel="Output to test the pattern on"
    >
      {({ result, error, source }) => {
        const message = error ?? result?.error ?? null;
        if (message) {
          return (
            <div className="field-error" data-testid="curve-test-error">
              {message}
            </div>
          );
        }
        if (!result) return <div className="field-hint">Paste output above: the points the pattern reads appear here as you type.</div>;
        return (
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
        );
      }}
    </OutputTest>
  );
}
