// Reports → "Open a results.tsv…": any autoresearch results.tsv (from this app, from karpathy/autoresearch,
// from a colleague) turned into the same report and chart as `autoresearch report --from-tsv`. The file is
// read here and sent to the Api, which renders it; nothing is written to disk until the user downloads it.
import { useEffect, useMemo, useRef, useState, type JSX } from 'react';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';

type Direction = 'auto' | 'min' | 'max';
type State =
  | { readonly kind: 'idle' }
  | { readonly kind: 'busy'; readonly name: string }
  | { readonly kind: 'done'; readonly source: string; readonly fileName: string; readonly content: string }
  | { readonly kind: 'error'; readonly message: string };

export function TsvImport(): JSX.Element {
  const api = useApi();
  const input = useRef<HTMLInputElement>(null);
  const [direction, setDirection] = useState<Direction>('auto');
  const [state, setState] = useState<State>({ kind: 'idle' });
  const content = state.kind === 'done' ? state.content : null;
  const url = useMemo(() => (content === null ? null : URL.createObjectURL(new Blob([content], { type: 'text/html;charset=utf-8' }))), [content]);
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);

  const open = async (file: File) => {
    setState({ kind: 'busy', name: file.name });
    try {
      const text = await file.text();
      const r = await api.reportFromTsv({ text, fileName: file.name, format: 'html', ...(direction !== 'auto' ? { direction } : {}) });
      setState({ kind: 'done', source: file.name, ...r });
    } catch (err) {
      setState({ kind: 'error', message: (err as Error)?.message ?? String(err) });
    }
  };

  return (
    <section className="tsv-import" data-testid="tsv-import">
      <div className="history-top">
        <Button onClick={() => input.current?.click()} disabledReason={state.kind === 'busy' ? `Reading ${state.name}…` : null} data-testid="tsv-open">
          {state.kind === 'busy' ? <Spinner /> : null} Open a results.tsv…
        </Button>
        <label className="run-picker">
          <span className="muted">Metric</span>
          <select value={direction} onChange={(e) => setDirection(e.target.value as Direction)} data-testid="tsv-direction">
            <option value="auto">direction from its name</option>
            <option value="min">lower is better</option>
            <option value="max">higher is better</option>
          </select>
        </label>
        <input
          ref={input}
          type="file"
          accept=".tsv,text/tab-separated-values,text/plain"
          hidden
          data-testid="tsv-file"
          onChange={(e) => {
            const file = e.target.files?.[0];
            e.target.value = '';
            if (file) void open(file);
          }}
        />
        <span className="faint">Any autoresearch results.tsv; the same report as <code>autoresearch report --from-tsv</code>.</span>
      </div>
      {state.kind === 'error' ? (
        <div className="banner error" role="alert" data-testid="tsv-error">
          <div className="grow">{state.message}</div>
        </div>
      ) : null}
      {state.kind === 'done' && url ? (
        <>
          <div className="banner info" data-testid="tsv-done">
            <div className="grow">
              Report of <span className="mono">{state.source}</span>
            </div>
            <a className="btn primary" href={url} download={state.fileName} data-testid="tsv-download">
              Download {state.fileName}
            </a>
          </div>
          <iframe className="report-preview" title={`Report of ${state.source}`} sandbox="" srcDoc={state.content} data-testid="tsv-preview" />
        </>
      ) : null}
    </section>
  );
}
