// The start screen: the open project, recent projects, open a folder, try the demo. The desktop opens a
// folder with the native dialog (or a drop onto the window, handled by the preload); in a browser behind
// `autoresearch serve` there is no dialog, so the folder's path is typed, with the folders of what is typed so
// far offered as completions.
import { useState } from 'react';
import { useApi } from '../api/hooks.js';
import { navigate } from '../app/router.js';
import { Button } from '../components/Button.js';
import { useStudio } from '../store/studio.js';
import { useFolderCompletion } from './folder-completion.js';

export function StartView() {
  const api = useApi();
  const project = useStudio((s) => s.project);
  const recent = useStudio((s) => s.recentProjects);
  const host = useStudio((s) => s.app?.host);
  const [dir, setDir] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const folders = useFolderCompletion(api, host === 'electron' ? '' : dir);

  async function open(what: string, fn: () => Promise<{ config: unknown; cancelled?: boolean }>): Promise<void> {
    setBusy(what);
    setError(null);
    // The project's own event can arrive before this answer and move the page on (App.tsx), and the user on from
    // there (to History, say): an answer that comes after that must not take them back.
    const from = window.location.hash;
    try {
      const info = await fn();
      if (!info.cancelled && window.location.hash === from) navigate({ view: info.config ? 'run' : 'setup' });
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="view-pad start" data-testid="start-view">
      <h1>Autoresearch Studio</h1>
      <p className="muted" style={{ marginTop: 4 }}>
        An agent proposes one change at a time, the studio runs your experiment for a fixed time, keeps the change if the metric improved, and
        records everything.
      </p>

      {project ? (
        <section className="card" data-testid="current-project">
          <h2>Open project</h2>
          <div className="row">
            <div className="grow">
              <div>{project.name}</div>
              <div className="mono faint">{project.dir}</div>
            </div>
            <Button onClick={() => navigate({ view: 'setup' })}>Setup</Button>
            <Button onClick={() => navigate({ view: 'program' })}>program.md</Button>
            <Button variant="primary" onClick={() => navigate({ view: 'run' })}>
              Run
            </Button>
          </div>
        </section>
      ) : null}

      <section className="card">
        <h2>Try the demo</h2>
        <p className="muted">
          A tiny character-level language model in JavaScript that trains for a fixed 5,000 steps (a few seconds) on the CPU, laid out like autoresearch (
          <code>train.mjs</code>, <code>prepare.mjs</code>, <code>program.md</code>) and set up with the offline mutation proposer: no GPU and
          no API key needed. A fresh copy is made each time.
        </p>
        <Button variant="primary" onClick={() => void open('demo', () => api.createDemo({}))} disabledReason={busy ? 'Working…' : null} data-testid="try-demo">
          {busy === 'demo' ? 'Creating…' : 'Try the demo'}
        </Button>
      </section>

      <section className="card">
        <h2>Open a folder</h2>
        {host === 'electron' ? (
          <>
            <p className="muted">Your project's folder (a git repository, or a folder to make one), or drop it onto this window.</p>
            <Button
              variant="primary"
              onClick={() => void open('choose', async () => (await api.chooseProject({})) ?? { config: null, cancelled: true })}
              disabledReason={busy ? 'Working…' : null}
              title="Ctrl+O / ⌘O"
              data-testid="open-folder"
            >
              {busy === 'choose' ? 'Opening…' : 'Open folder…'}
            </Button>
          </>
        ) : (
          <>
            <p className="muted">
              The path on the machine that runs <code>autoresearch serve</code>, e.g. <code>/home/me/autoresearch</code>
            </p>
            <form
              className="row"
              onSubmit={(e) => {
                e.preventDefault();
                if (dir.trim()) void open('open', () => api.openProject({ dir: dir.trim() }));
              }}
            >
              <input
                className="grow mono"
                placeholder="/path/to/project"
                value={dir}
                onChange={(e) => setDir(e.target.value)}
                aria-label="Project folder"
                list="open-dir-folders"
                autoComplete="off"
                spellCheck={false}
                data-testid="open-dir"
              />
              <datalist id="open-dir-folders" data-testid="open-dir-folders">
                {folders.map((f) => (
                  <option key={f} value={f} />
                ))}
              </datalist>
              <Button type="submit" disabledReason={busy ? 'Working…' : dir.trim() ? null : 'Type or paste a folder path'} data-testid="open-submit">
                Open
              </Button>
            </form>
          </>
        )}
      </section>

      {error ? (
        <div className="banner error" role="alert" data-testid="start-error">
          {error}
        </div>
      ) : null}

      <section className="card">
        <h2>Recent projects</h2>
        {recent.length === 0 ? (
          <p className="faint">Projects you open appear here.</p>
        ) : (
          <ul className="recent" data-testid="recent-projects">
            {recent.map((p) => (
              <li key={p}>
                <button type="button" className="link mono" onClick={() => void open('recent', () => api.openProject({ dir: p }))} disabled={Boolean(busy)}>
                  {p}
                </button>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
