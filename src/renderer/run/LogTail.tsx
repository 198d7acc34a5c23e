// The last ~200 lines of a running experiment's output, as a terminal shows them: a `\r` progress line
// rewrites itself instead of stacking up. It starts from the log's tail on disk, then follows the pushed
// 'log' batches; it sticks to the bottom unless the user scrolled up to read.
import { useEffect, useLayoutEffect, useRef, useState, type JSX } from 'react';
import { useApi, useStudioEvent } from '../api/hooks.js';
import { createTailJoin, createTerminal, feedTerminal, terminalLines, type TerminalState } from './terminal.js';

const TAIL_LINES = 200;

export function LogTail(props: { readonly tag: string; readonly id: number; readonly height?: number }): JSX.Element {
  const { tag, id } = props;
  const api = useApi();
  const [term, setTerm] = useState<TerminalState>(() => createTerminal(TAIL_LINES));
  const [error, setError] = useState<string | null>(null);
  // Pushes that arrive before the tail is read wait here, then apply in order after it.
  const held = useRef<string[] | null>([]);
  const joiner = useRef<ReturnType<typeof createTailJoin> | null>(null);
  const box = useRef<HTMLPreElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    let alive = true;
    held.current = [];
    joiner.current = null;
    setTerm(createTerminal(TAIL_LINES));
    setError(null);
    stick.current = true;
    void (async () => {
      let text = '';
      try {
        const info = await api.logInfo({ tag, id });
        if (info.lines > 0) {
          const start = Math.max(0, info.lines - TAIL_LINES);
          const page = await api.readLogLines({ tag, id, start, count: Math.min(TAIL_LINES, info.lines) });
          text = page.lines.join('\n');
        }
      } catch (err) {
        // No log yet (the agent is still proposing): the pushes will start it.
        const message = (err as Error)?.message ?? String(err);
        if (!/not found|no log|no such/i.test(message)) setError(message);
      }
      if (!alive) return;
      const pending = held.current ?? [];
      held.current = null;
      // What is pushed while the tail is read, and just after, may be in the tail too: fed once (createTailJoin).
      const join = createTailJoin(text);
      joiner.current = join;
      const fresh = text + join.push(pending.join(''));
      setTerm((t) => (fresh ? feedTerminal(t, fresh) : t));
    })();
    return () => {
      alive = false;
    };
  }, [api, tag, id]);

  useStudioEvent((e) => {
    if (e.type !== 'log' || e.tag !== tag || e.id !== id) return;
    if (held.current) held.current.push(e.text);
    else {
      const fresh = joiner.current ? joiner.current.push(e.text) : e.text;
      if (fresh) setTerm((t) => feedTerminal(t, fresh));
    }
  });

  useLayoutEffect(() => {
    const el = box.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [term]);

  const lines = terminalLines(term);
  return (
    <div className="log-tail-wrap">
      <pre
        className="log-tail"
        ref={box}
        style={{ height: props.height ?? 180 }}
        data-testid="log-tail"
        data-lines={lines.length}
        onScroll={(e) => {
          const el = e.currentTarget;
          stick.current = el.scrollTop + el.clientHeight >= el.scrollHeight - 8;
        }}
      >
        {lines.length ? lines.join('\n') : <span className="faint">No output yet.</span>}
      </pre>
      {error ? <div className="error-text small">Could not read the log: {error}</div> : null}
    </div>
  );
}
