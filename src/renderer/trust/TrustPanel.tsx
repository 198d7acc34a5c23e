// Trust before anything runs: opening a project whose commands were never approved (or changed since) shows
// what it would make the app run, and nothing runs until the user trusts it. The approval names the hash of the
// list shown, so a project that changed meanwhile is refused rather than trusted unseen.
import { useEffect, useState } from 'react';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { toast } from '../components/Toast.js';
import { useStudio } from '../store/studio.js';
import { setTrust, useTrust } from './trust-store.js';
import './trust.css';

export function TrustPanel() {
  const api = useApi();
  const project = useStudio((s) => s.project);
  const { forDir, report } = useTrust();
  const [busy, setBusy] = useState(false);

  // Read again whenever the project is opened, saved or refreshed (a config changed on disk shows on the next).
  useEffect(() => {
    if (!project) {
      setTrust(null, null);
      return;
    }
    let current = true;
    api
      .projectTrust({})
      .then((r) => current && setTrust(project.dir, r))
      .catch(() => current && setTrust(project.dir, null));
    return () => {
      current = false;
    };
  }, [api, project]);

  if (!project || forDir !== project.dir || !report || report.state === 'trusted') return null;
  const changed = report.state === 'changed';

  async function approve(): Promise<void> {
    if (!report) return;
    setBusy(true);
    try {
      setTrust(project!.dir, await api.trustProject({ hash: report.hash }));
      toast('info', "Trusted: this project's commands can run now", 'trust');
    } catch (err) {
      toast('error', `Not trusted: ${(err as Error).message}`, 'trust');
      setTrust(project!.dir, await api.projectTrust({}).catch(() => null));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="trust-panel" data-testid="trust-panel" data-state={report.state}>
      <h2>{changed ? "This project's commands changed since you trusted them" : 'Do you trust the commands of this project?'}</h2>
      <p className="muted">
        A project folder may come from anyone. Starting a run would run what is listed here on this machine; nothing from{' '}
        <span className="mono">{project.name}</span> runs until you trust it. {changed ? 'What changed is marked.' : ''}
      </p>
      <ul className="trust-items">
        {report.items.map((item) => (
          <li key={`${item.key}\0${item.text}`} data-testid="trust-item" data-key={item.key} className={item.changed ? 'changed' : ''}>
            <div className="trust-item-head">
              <code>{item.key}</code>
              <span className="muted">{item.what}</span>
              {item.changed ? <span className="trust-tag changed">changed</span> : null}
              {item.switchedOff ? <span className="trust-tag">switched off by the app</span> : null}
            </div>
            <pre className="mono">{item.text}</pre>
          </li>
        ))}
      </ul>
      <div className="trust-actions">
        <Button variant="primary" onClick={() => void approve()} disabledReason={busy ? 'Working…' : null} data-testid="trust-approve">
          Trust these commands
        </Button>
        <span className="faint">Or in a terminal: autoresearch trust {report.dir}</span>
      </div>
    </section>
  );
}
