// The box Setup's "Test the metric" and "Test the pattern" share: output pasted into it is tested as it is typed
// (and again when the settings under test change), or the last experiment's log is, and the caller shows the
// answer. Only the latest test's answer is shown: one that comes back after a newer one started is dropped.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';

export type TestSource = 'pasted' | 'last';

export interface OutputTestProps<T> {
  /** The test, on `text` (pasted), or on the last experiment's log when it is undefined. */
  readonly run: (text: string | undefined) => Promise<T>;
  /** The settings under test, as a string: a change re-tests the pasted text. */
  readonly settingsKey: string;
  readonly hasRuns: boolean;
  readonly title: string;
  /** data-testid prefix: `${id}`, `${id}-last`, `${id}-input`. */
  readonly id: string;
  readonly placeholder: string;
  readonly inputLabel: string;
  readonly rows?: number;
  /** A failed call (not a test that found nothing: that is the result's business), said for the user. */
  readonly describeError?: (err: unknown) => string;
  readonly children: (state: { readonly result: T | null; readonly error: string | null; readonly source: TestSource | null }) => ReactNode;
}

export function OutputTest<T>(props: OutputTestProps<T>) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [source, setSource] = useState<TestSource | null>(null);
  const seq = useRef(0);

  async function test(from: TestSource): Promise<void> {
    const mine = ++seq.current;
    setBusy(true);
    setSource(from);
    try {
      const r = await props.run(from === 'pasted' ? text : undefined);
      if (mine !== seq.current) return;
      setResult(r);
      setError(null);
    } catch (err) {
      if (mine !== seq.current) return;
      setResult(null);
      setError(props.describeError ? props.describeError(err) : (err as Error).message);
    } finally {
      if (mine === seq.current) setBusy(false);
    }
  }

  useEffect(() => {
    if (!text.trim()) return;
    const t = setTimeout(() => void test('pasted'), 350);
    return () => clearTimeout(t);
  }, [text, props.settingsKey]);

  return (
    <div className="metric-test" data-testid={props.id}>
      <div className="metric-test-head">
        <h3>{props.title}</h3>
        <span className="grow" />
        {busy ? <Spinner label="Testing" /> : null}
        <Button size="small" onClick={() => void test('last')} disabledReason={props.hasRuns ? null : 'No experiment has run yet; paste some output instead'} data-testid={`${props.id}-last`}>
          Use the last experiment's log
        </Button>
      </div>
      <textarea
        rows={props.rows ?? 5}
        placeholder={props.placeholder}
        value={text}
        onChange={(e) => setText(e.target.value)}
        spellCheck={false}
        aria-label={props.inputLabel}
        data-testid={`${props.id}-input`}
      />
      {props.children({ result, error, source })}
    </div>
  );
}
