// The bottom line: connection, project, run state and best metric, theme toggle, shortcut help.
import { formatEstimate, formatKept, GLOSSARY } from '../../shared/wording.js';
import { useStudio } from '../store/studio.js';
import { setTheme, useTheme } from './theme.js';

export function StatusBar(props: { readonly onHelp: () => void }) {
  const connected = useStudio((s) => s.connected);
  const project = useStudio((s) => s.project);
  const live = useStudio((s) => s.live);
  const runs = useStudio((s) => s.runs);
  const host = useStudio((s) => s.app?.host);
  const theme = useTheme();
  // With nothing live, the most recent run still tells the user where things stand.
  const latest = runs.length ? [...runs].sort((a, b) => (a.lastEventAt < b.lastEventAt ? 1 : -1))[0] : undefined;
  const summary = live ? runs.find((r) => r.tag === live.tag) : latest;
  const state = live?.state ?? (latest ? 'stopped' : 'none');

  return (
    <footer className="status-bar" data-testid="status-bar">
      <span data-testid="status-connection" data-connected={connected}>
        <span className="dot" style={{ background: connected ? 'var(--good)' : 'var(--warn)' }} />
        {connected ? (host === 'serve' ? 'Connected (serve)' : 'Connected') : 'Reconnecting…'}
      </span>
      <span data-testid="status-project" title={project?.dir}>
        {project ? project.name : 'No project'}
        {project?.branch ? <span className="faint"> · {project.branch}</span> : null}
      </span>
      <span data-testid="status-run-state" data-state={state}>
        {live ? `Run ${live.tag}: ${live.state}` : latest ? `Last run ${latest.tag}: stopped` : 'No run yet'}
      </span>
      {summary ? (
        <>
          <span data-testid="status-experiments" data-count={summary.counts.total - summary.counts.running} title={`${GLOSSARY.experiments}\n${GLOSSARY.kept}`}>
            {summary.counts.total - summary.counts.running} done · {formatKept(summary.keptImprovements)}
          </span>
          <span data-testid="status-best">
            best {summary.metricName} {formatEstimate(summary.best, summary.bestRuns)}
          </span>
        </>
      ) : null}
      <span className="spacer" />
      <button type="button" onClick={() => setTheme(theme === 'dark' ? 'light' : 'dark')} title="Switch between dark and light" data-testid="theme-toggle">
        {theme === 'dark' ? '☾ Dark' : '☀ Light'}
      </button>
      <button type="button" onClick={props.onHelp} title="Keyboard shortcuts (?)">
        ?
      </button>
    </footer>
  );
}
