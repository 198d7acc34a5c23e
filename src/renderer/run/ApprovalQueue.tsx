// Proposals waiting for approval (config.approval), on the dashboard: each with its description, hypothesis
// and diff, and three answers: approve (runs as proposed), edit (the researcher changes the proposed files
// here; that version is what runs), reject (with a note the agent sees in its next prompt). The answers go
// through the Api to the run's inbox, whichever process owns the run.
import { useEffect, useState, type JSX } from 'react';
import type { Experiment } from '../../shared/experiment.js';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';
import { toast } from '../components/Toast.js';
import { DiffView } from '../history/DiffView.js';

/** Waiting now, or left waiting by a stop (the resumed run takes it up again): the fold's rule. */
export function pendingApprovals(experiments: readonly Experiment[]): Experiment[] {
  return experiments.filter((e) => e.approval && (e.status === 'running' || e.status === 'interrupted'));
}

export function ApprovalQueue(props: { readonly tag: string; readonly experiments: readonly Experiment[]; readonly live: boolean }): JSX.Element | null {
  const pending = pendingApprovals(props.experiments);
  if (pending.length === 0) return null;
  return (
    <section className="dash-section approvals" data-testid="approvals">
      <h2>Waiting for your approval ({pending.length})</h2>
      {!props.live ? <p className="muted">The run is stopped: answers given now apply when it is resumed.</p> : null}
      {pending.map((e) => (
        <ApprovalCard key={e.id} tag={props.tag} experiment={e} />
      ))}
    </section>
  );
}

type Mode = { readonly kind: 'view' } | { readonly kind: 'reject'; readonly note: string } | { readonly kind: 'edit'; readonly files: { path: string; content: string }[] | null };

function ApprovalCard(props: { readonly tag: string; readonly experiment: Experiment }): JSX.Element {
  const { tag, experiment: e } = props;
  const api = useApi();
  const [mode, setMode] = useState<Mode>({ kind: 'view' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const answered = e.approval?.state !== 'waiting' ? e.approval?.state : null;

  // Edit: load the proposed files once, then the textareas hold the researcher's version.
  useEffect(() => {
    if (mode.kind !== 'edit' || mode.files !== null) return;
    let live = true;
    api
      .readProposalFiles({ tag, id: e.id })
      .then((r) => live && setMode({ kind: 'edit', files: r.files.map((f) => ({ ...f })) }))
      .catch((err: Error) => live && setError(err.message));
    return () => {
      live = false;
    };
  }, [api, tag, e.id, mode]);

  const send = async (answer: 'approve' | 'edit' | 'reject', extra: { note?: string; files?: { path: string; content: string }[] } = {}) => {
    setBusy(true);
    setError(null);
    try {
      const r = await api.answerApproval({ tag, id: e.id, answer, ...extra });
      const verb = answer === 'approve' ? 'Approved' : answer === 'edit' ? 'Approved your edit of' : 'Rejected';
      toast('info', `${verb} #${e.id}${r.delivered === 'journal' ? '; it applies when the run resumes' : ''}.`);
      setMode({ kind: 'view' });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="panel approval-card" data-testid="approval" data-id={e.id} data-answered={answered ?? ''}>
      <div className="row">
        <b className="mono">#{e.id}</b>
        <span className="grow" data-testid="approval-description">
          {e.description}
        </span>
        <span className="muted">{e.changedFiles.join(', ')}</span>
      </div>
      {e.hypothesis.trim() ? (
        <p className="muted" data-testid="approval-hypothesis">
          {e.hypothesis}
        </p>
      ) : null}
      {answered ? (
        <p data-testid="approval-answered">Answered ({answered}); it applies when the run resumes.</p>
      ) : mode.kind === 'edit' ? (
        mode.files === null ? (
          <Spinner label="Loading the proposed files" />
        ) : (
          <div data-testid="approval-edit">
            <p className="muted">Change the proposed files; your version is what runs (it passes the same checks as any proposal).</p>
            {mode.files.map((f, i) => (
              <label key={f.path} className="approval-file">
                <span className="mono">{f.path}</span>
                <textarea
                  className="mono"
                  data-testid="approval-edit-file"
                  data-path={f.path}
                  spellCheck={false}
                  rows={Math.min(30, f.content.split('\n').length + 1)}
                  value={f.content}
                  onChange={(ev) => {
                    const files = mode.files!.map((g, j) => (j === i ? { ...g, content: ev.target.value } : g));
                    setMode({ kind: 'edit', files });
                  }}
                />
              </label>
            ))}
            <div className="row">
              <Button variant="primary" disabled={busy} data-testid="approval-edit-run" onClick={() => void send('edit', { files: mode.files! })}>
                Run my edit
              </Button>
              <Button disabled={busy} onClick={() => setMode({ kind: 'view' })}>
                Cancel
              </Button>
            </div>
          </div>
        )
      ) : mode.kind === 'reject' ? (
        <div data-testid="approval-reject-form">
          <label className="approval-file">
            <span>Why not? The agent sees this note in its next prompt.</span>
            <textarea data-testid="approval-note" rows={3} value={mode.note} onChange={(ev) => setMode({ kind: 'reject', note: ev.target.value })} />
          </label>
          <div className="row">
            <Button variant="danger" disabled={busy} data-testid="approval-reject-send" onClick={() => void send('reject', mode.note.trim() ? { note: mode.note.trim() } : {})}>
              Reject
            </Button>
            <Button disabled={busy} onClick={() => setMode({ kind: 'view' })}>
              Cancel
            </Button>
          </div>
        </div>
      ) : (
        <div className="row">
          <Button variant="primary" disabled={busy} data-testid="approval-approve" onClick={() => void send('approve')}>
            Approve
          </Button>
          <Button disabled={busy} data-testid="approval-edit-open" onClick={() => setMode({ kind: 'edit', files: null })}>
            Edit…
          </Button>
          <Button variant="danger" disabled={busy} data-testid="approval-reject" onClick={() => setMode({ kind: 'reject', note: '' })}>
            Reject…
          </Button>
        </div>
      )}
      {error ? (
        <div className="banner error" data-testid="approval-error">
          <div className="grow">{error}</div>
        </div>
      ) : null}
      {mode.kind !== 'edit' ? <DiffView key={`${tag}/${e.id}/${e.commit ?? ''}`} tag={tag} experiment={e} /> : null}
    </div>
  );
}
