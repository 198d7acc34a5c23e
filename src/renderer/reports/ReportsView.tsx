// Reports (#/reports/<tag>): export a run as one self-contained HTML file or as Markdown. The engine
// writes it under .autoresearch/reports/ and returns its content too, so the browser can offer it as a
// download (serve on a remote GPU box). The selected run's HTML report is previewed on opening (previewReport:
// rendered, not written), in a sandboxed frame; Refresh renders it again (a live run moves on).
import { useEffect, useMemo, useState, type JSX } from 'react';
import { navigate } from '../app/router.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { Spinner } from '../components/Spinner.js';
import { formatBytes } from '../components/format.js';
import { useApi } from '../api/hooks.js';
import { RunPicker } from '../history/RunPicker.js';
import { useStudio } from '../store/studio.js';
import { TsvImport } from './TsvImport.js';
import '../history/history.css';
import './reports.css';

type Format = 'html' | 'md';
interface Exported {
  readonly tag: string;
  readonly format: Format;
  readonly path: string;
  readonly fileName: string;
  readonly content: string;
}

type State = { readonly state: 'idle' } | { readonly state: 'busy'; readonly format: Format } | { readonly state: 'done'; readonly report: Exported } | { readonly state: 'error'; readonly format: Format; readonly error: string };

/** A Blob URL for the content, revoked when it changes or the view goes away. */
function useBlobUrl(content: string | null, type: string): string | null {
  const url = useMemo(() => (content === null ? null : URL.createObjectURL(new Blob([content], { type }))), [content, type]);
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);
  return url;
}

export function ReportsView(props: { tag?: string }): JSX.Element {
  const api = useApi();
  const runs = useStudio((s) => s.runs);
  const project = useStudio((s) => s.project);
  const tag = props.tag ?? runs[0]?.tag ?? null;
  const [state, setState] = useState<State>({ state: 'idle' });
  const report = state.state === 'done' && state.report.tag === tag ? state.report : null;
  const url = useBlobUrl(report?.content ?? null, report?.format === 'md' ? 'text/markdown;charset=utf-8' : 'text/html;charset=utf-8');

  useEffect(() => setState({ state: 'idle' }), [tag]);

  // The preview: asked again when the run changes or on Refresh; an answer for another run than the shown one is dropped.
  const [preview, setPreview] = useState<{ readonly tag: string; readonly content: string } | { readonly tag: string; readonly error: string } | null>(null);
  const [previewAsked, setPreviewAsked] = useState(0);
  useEffect(() => {
    if (!tag || !project) return;
    let current = true;
    setPreview(null);
    api.previewReport({ tag }).then(
      (r) => current && setPreview({ tag, content: r.content }),
      (err: unknown) => current && setPreview({ tag, error: (err as Error)?.message ?? String(err) }),
    );
    return () => {
      current = false;
    };
  }, [api, tag, project, previewAsked]);

  const exportAs = async (format: Format) => {
    if (!tag) return;
    setState({ state: 'busy', format });
    try {
      const r = await api.exportReport({ tag, format });
      setState({ state: 'done', report: { tag, format, ...r } });
    } catch (err) {
      setState({ state: 'error', format, error: (err as Error)?.message ?? String(err) });
    }
  };

  if (!project) {
    return (
      <div className="view-pad wide reports">
        <EmptyState title="No project open" testId="reports-empty" actions={<Button onClick={() => navigate({ view: 'start' })}>Open a project</Button>}>
          Reports are made from a project's runs, or from any results.tsv below.
        </EmptyState>
        <TsvImport />
      </div>
    );
  }
  if (!tag) {
    return (
      <div className="view-pad wide reports">
        <EmptyState title="No runs to report on yet" testId="reports-empty" actions={<Button onClick={() => navigate({ view: 'run' })}>Go to Run</Button>}>
          Start a run; once it has experiments, export it here as an HTML or Markdown report. Any autoresearch results.tsv can be turned into a report below (or with
          <code> autoresearch report --from-tsv results.tsv --out report.html</code>).
        </EmptyState>
        <TsvImport />
      </div>
    );
  }
  const busy = state.state === 'busy';
  return (
    <div className="view-pad wide reports" data-testid="reports" data-tag={tag}>
      <div className="history-top">
        <RunPicker runs={runs} value={tag} onChange={(t) => navigate({ view: 'reports', tag: t })} />
        <div className="grow" />
        <Button variant="primary" onClick={() => void exportAs('html')} disabledReason={busy ? 'Exporting…' : null} data-testid="export-html">
          {busy && state.format === 'html' ? <Spinner /> : null} Export HTML
        </Button>
        <Button onClick={() => void exportAs('md')} disabledReason={busy ? 'Exporting…' : null} data-testid="export-md">
          {busy && state.format === 'md' ? <Spinner /> : null} Export Markdown
        </Button>
      </div>
      <p className="muted">
        The HTML report is one self-contained file (no network, no external files): the summary, the progress chart, every kept improvement with its diff, and the full experiment table. The
        Markdown variant has the same content for a README or a pull request.
      </p>
      {state.state === 'error' ? (
        <div className="banner error" data-testid="export-error">
          <div className="grow">Could not export the {state.format === 'html' ? 'HTML' : 'Markdown'} report: {state.error}</div>
          <Button size="small" onClick={() => void exportAs(state.format)}>
            Try again
          </Button>
        </div>
      ) : null}
      {report && url ? (
        <>
          <div className="banner info" data-testid="export-done">
            <div className="grow">
              Written to <span className="mono" data-testid="export-path">{report.path}</span> ({formatBytes(new Blob([report.content]).size)}).
            </div>
            <a className="btn primary" href={url} download={report.fileName} data-testid="export-download">
              Download {report.fileName}
            </a>
          </div>
          {report.format === 'html' ? (
            <iframe
              className="report-preview"
              title={`Report of ${report.tag}`}
              // No scripts, no same-origin access, no navigation: the report is a static document.
              sandbox=""
              srcDoc={report.content}
              data-testid="report-preview"
            />
          ) : (
            <pre className="report-md" data-testid="report-preview-md">
              {report.content}
            </pre>
          )}
        </>
      ) : !preview || preview.tag !== tag ? (
        <div className="faint" data-testid="report-preview-loading">
          <Spinner /> Rendering the report of {tag}…
        </div>
      ) : 'error' in preview ? (
        <div className="banner error" data-testid="report-preview-error">
          <div className="grow">Could not render the report of {tag}: {preview.error}</div>
          <Button size="small" onClick={() => setPreviewAsked((n) => n + 1)}>
            Try again
          </Button>
        </div>
      ) : (
        <>
          <div className="report-preview-bar">
            <span className="faint">Preview of the report as Export HTML would write it.</span>
            <Button size="small" onClick={() => setPreviewAsked((n) => n + 1)} data-testid="report-preview-refresh">
              Refresh
            </Button>
          </div>
          <iframe className="report-preview" title={`Report of ${tag}`} sandbox="" srcDoc={preview.content} data-testid="report-preview" />
        </>
      )}
      <h2 className="tsv-heading">From a results.tsv</h2>
      <TsvImport />
    </div>
  );
}
