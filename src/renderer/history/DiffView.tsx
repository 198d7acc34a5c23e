// An experiment's change: against its parent (what this experiment tried) or against the baseline (where
// the run stands at this point), unified or side by side. Syntax-neutral on purpose: monospace, +/- colour.
import { Fragment, useEffect, useMemo, useState, type JSX } from 'react';
import type { DiffResult } from '../../shared/api.js';
import type { Experiment } from '../../shared/experiment.js';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';
import { parseUnifiedDiff, toSplitRows, type DiffFile, type DiffHunk, type DiffLine } from './diff-parse.js';

type Against = 'parent' | 'baseline';
type Mode = 'unified' | 'split';

const MODE_KEY = 'autoresearch.diffMode';
/** Lines rendered per file before "Show all": a generated file must not freeze the page. */
const LINE_BUDGET = 4000;

function savedMode(): Mode {
  try {
    return localStorage.getItem(MODE_KEY) === 'split' ? 'split' : 'unified';
  } catch {
    // Storage refused (a private window): the default view.
    return 'unified';
  }
}

/** Each result remembers what it answers, so a toggle never shows the previous comparison as the new one. */
type Load =
  | { readonly state: 'loading' }
  | { readonly state: 'ready'; readonly against: Against; readonly diff: DiffResult }
  | { readonly state: 'error'; readonly against: Against; readonly error: string };

export function DiffView(props: { readonly tag: string; readonly experiment: Experiment }): JSX.Element {
  const { tag, experiment } = props;
  const api = useApi();
  const [against, setAgainst] = useState<Against>('parent');
  const [mode, setModeState] = useState<Mode>(savedMode);
  const [loaded, setLoad] = useState<Load>({ state: 'loading' });
  const [attempt, setAttempt] = useState(0);
  const setMode = (m: Mode) => {
    setModeState(m);
    try {
      localStorage.setItem(MODE_KEY, m);
    } catch {
      // Private mode: the choice just is not remembered.
    }
  };

  const load: Load = loaded.state !== 'loading' && loaded.against !== against ? { state: 'loading' } : loaded;
  const nothingCommitted = experiment.commit === null;
  useEffect(() => {
    if (nothingCommitted) return;
    let alive = true;
    setLoad({ state: 'loading' });
    api
      .getDiff({ tag, id: experiment.id, against })
      .then((diff) => alive && setLoad({ state: 'ready', against, diff }))
      .catch((err: unknown) => alive && setLoad({ state: 'error', against, error: (err as Error)?.message ?? String(err) }));
    return () => {
      alive = false;
    };
  }, [api, tag, experiment.id, against, nothingCommitted, attempt]);

  const text = load.state === 'ready' ? load.diff.diff : null;
  const files = useMemo(() => (text === null ? [] : parseUnifiedDiff(text)), [text]);

  if (nothingCommitted) {
    return (
      <div className="muted pad" data-testid="diff-none">
        Nothing was committed for this experiment{experiment.status === 'rejected' ? ': the proposal was rejected' : ''}
        {experiment.error ? ` (${experiment.error.replace(/\.$/, '')})` : ''}. There is no diff to show.
      </div>
    );
  }

  return (
    <div data-testid="diff-view" data-against={against} data-mode={mode}>
      <div className="toolbar">
        <div className="seg" role="group" aria-label="Compare against">
          <button type="button" aria-pressed={against === 'parent'} onClick={() => setAgainst('parent')} data-testid="diff-against-parent">
            vs parent{experiment.baseId !== null ? ` (#${experiment.baseId})` : ''}
          </button>
          <button type="button" aria-pressed={against === 'baseline'} onClick={() => setAgainst('baseline')} data-testid="diff-against-baseline">
            vs baseline
          </button>
        </div>
        <div className="seg" role="group" aria-label="Layout">
          <button type="button" aria-pressed={mode === 'unified'} onClick={() => setMode('unified')} data-testid="diff-unified">
            Unified
          </button>
          <button type="button" aria-pressed={mode === 'split'} onClick={() => setMode('split')} data-testid="diff-split">
            Split
          </button>
        </div>
        {load.state === 'ready' ? (
          <span className="muted mono" data-testid="diff-summary">
            {load.diff.from.slice(0, 7)}..{load.diff.to.slice(0, 7)} · {files.length} {files.length === 1 ? 'file' : 'files'} ·{' '}
            <span className="good-text">+{files.reduce((a, f) => a + f.additions, 0)}</span> <span className="bad-text">−{files.reduce((a, f) => a + f.deletions, 0)}</span>
          </span>
        ) : null}
      </div>
      {load.state === 'loading' ? (
        <div className="pad">
          <Spinner label="Loading the diff" />
        </div>
      ) : load.state === 'error' ? (
        <div className="banner error" data-testid="diff-error">
          <div className="grow">Could not load the diff: {load.error}</div>
          <Button size="small" onClick={() => setAttempt((a) => a + 1)}>
            Try again
          </Button>
        </div>
      ) : files.length === 0 ? (
        <div className="muted pad" data-testid="diff-empty">
          No difference {against === 'baseline' ? 'from the baseline' : 'from its parent'}: the two commits have the same content.
        </div>
      ) : (
        files.map((f, i) => <DiffFileView key={`${f.path}:${i}`} file={f} mode={mode} />)
      )}
    </div>
  );
}

function DiffFileView(props: { readonly file: DiffFile; readonly mode: Mode }): JSX.Element {
  const { file, mode } = props;
  const [all, setAll] = useState(false);
  const total = file.hunks.reduce((a, h) => a + h.lines.length, 0);
  let budget = all ? Infinity : LINE_BUDGET;
  const shown: DiffHunk[] = [];
  for (const h of file.hunks) {
    if (budget <= 0) break;
    shown.push(h.lines.length <= budget ? h : { ...h, lines: h.lines.slice(0, budget) });
    budget -= h.lines.length;
  }
  const name = file.status === 'renamed' || file.status === 'copied' ? `${file.oldPath} → ${file.newPath}` : file.path;
  return (
    <div className="diff-file" data-testid="diff-file" data-path={file.path}>
      <div className="diff-file-head">
        <span className="grow">{name}</span>
        {file.status !== 'modified' ? <span className="badge neutral">{file.status}</span> : null}
        <span className="good-text">+{file.additions}</span>
        <span className="bad-text">−{file.deletions}</span>
      </div>
      <div className="diff-body">
        {file.binary ? (
          <div className="muted pad">Binary file: not shown.</div>
        ) : (
          <table className={`diff-table ${mode}`}>
            {mode === 'split' ? (
              <colgroup>
                <col className="col-ln" />
                <col className="col-sign" />
                <col />
                <col className="col-ln" />
                <col className="col-sign" />
                <col />
              </colgroup>
            ) : null}
            <tbody>
              {shown.map((h, i) => (
                <Fragment key={i}>
                  <tr className="hunk">
                    <td colSpan={mode === 'split' ? 6 : 4}>{h.header}</td>
                  </tr>
                  {mode === 'split' ? <SplitRows hunk={h} /> : <UnifiedRows hunk={h} />}
                </Fragment>
              ))}
            </tbody>
          </table>
        )}
        {!all && total > LINE_BUDGET ? (
          <div className="pad">
            <Button size="small" onClick={() => setAll(true)}>
              Show all {total.toLocaleString()} lines
            </Button>
          </div>
        ) : null}
      </div>
    </div>
  );
}

function UnifiedRows(props: { readonly hunk: DiffHunk }): JSX.Element {
  return (
    <>
      {props.hunk.lines.map((l, i) =>
        l.kind === 'note' ? (
          <tr key={i} className="note">
            <td className="ln" />
            <td className="ln" />
            <td className="sign" />
            <td>{l.text}</td>
          </tr>
        ) : (
          <tr key={i} className={l.kind === 'context' ? '' : l.kind} data-kind={l.kind}>
            <td className="ln">{l.oldNo ?? ''}</td>
            <td className="ln">{l.newNo ?? ''}</td>
            <td className={`sign ${l.kind === 'add' ? 'add-sign' : l.kind === 'del' ? 'del-sign' : ''}`}>{l.kind === 'add' ? '+' : l.kind === 'del' ? '-' : ' '}</td>
            <td className="code">{l.text}</td>
          </tr>
        ),
      )}
    </>
  );
}

function Side(props: { readonly line: DiffLine | null; readonly side: 'left' | 'right' }): JSX.Element {
  const l = props.line;
  const cls = props.side === 'right' ? 'right-side' : '';
  if (!l) {
    return (
      <>
        <td className={`ln empty ${cls}`} />
        <td className="sign empty" />
        <td className="code empty" />
      </>
    );
  }
  const kind = l.kind === 'context' || l.kind === 'note' ? '' : l.kind;
  return (
    <>
      <td className={`ln ${cls}`}>{props.side === 'left' ? (l.oldNo ?? '') : (l.newNo ?? '')}</td>
      <td className={`sign ${kind} ${kind ? `${kind}-sign` : ''}`}>{l.kind === 'add' ? '+' : l.kind === 'del' ? '-' : ' '}</td>
      <td className={`code ${kind}`}>{l.text}</td>
    </>
  );
}

function SplitRows(props: { readonly hunk: DiffHunk }): JSX.Element {
  const rows = useMemo(() => toSplitRows(props.hunk), [props.hunk]);
  return (
    <>
      {rows.map((r, i) => (
        <tr key={i} className={r.kind === 'note' ? 'note' : ''} data-kind={r.kind}>
          <Side line={r.left} side="left" />
          <Side line={r.right} side="right" />
        </tr>
      ))}
    </>
  );
}
