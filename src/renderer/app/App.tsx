// The layout: activity bar | (run control bar / current view) | status bar, plus global shortcuts.
import { useEffect, useRef, useState } from 'react';
import { KeyboardShortcutHelp, hasMod } from '../components/KeyboardShortcuts.js';
import { EmptyState } from '../components/EmptyState.js';
import { Spinner } from '../components/Spinner.js';
import { ToastArea, toast } from '../components/Toast.js';
import { CompareView } from '../history/CompareView.js';
import { ExperimentView } from '../history/ExperimentView.js';
import { HistoryView } from '../history/HistoryView.js';
import { ProgramView } from '../program/ProgramView.js';
import { ReportsView } from '../reports/ReportsView.js';
import { DashboardView } from '../run/DashboardView.js';
import { SetupView } from '../setup/SetupView.js';
import { StartView } from '../start/StartView.js';
import { subscribeStudioEvents, useStudio } from '../store/studio.js';
import { ActivityBar, NAV_ITEMS } from './ActivityBar.js';
import { RunControlBar, START_RUN_EVENT } from './RunControlBar.js';
import { StatusBar } from './StatusBar.js';
import { TrustPanel } from '../trust/TrustPanel.js';
import { navigate, useRoute, type Route } from './router.js';

function isTyping(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

function View(props: { readonly route: Route }) {
  const r = props.route;
  switch (r.view) {
    case 'start':
      return <StartView />;
    case 'setup':
      return <SetupView />;
    case 'program':
      return <ProgramView />;
    case 'run':
      return <DashboardView />;
    case 'history':
      return <HistoryView tag={r.tag} />;
    case 'experiment':
      return <ExperimentView tag={r.tag} id={r.id} />;
    case 'compare':
      return <CompareView tags={r.tags} />;
    case 'reports':
      return <ReportsView tag={r.tag} />;
  }
}

export function App() {
  const route = useRoute();
  const loaded = useStudio((s) => s.loaded);
  const loadError = useStudio((s) => s.loadError);
  const project = useStudio((s) => s.project);
  const [help, setHelp] = useState(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (hasMod(e) && !e.altKey && /^[1-6]$/.test(e.key)) {
        e.preventDefault();
        const item = NAV_ITEMS[Number(e.key) - 1];
        if (item) navigate(item.route);
      } else if (hasMod(e) && e.key === 'Enter') {
        e.preventDefault();
        window.dispatchEvent(new Event(START_RUN_EVENT));
      } else if (e.key === '?' && !hasMod(e) && !isTyping(e.target)) {
        e.preventDefault();
        setHelp((h) => !h);
      } else if (e.key === 'Escape') {
        setHelp(false);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Run notices (API down, worktree repaired, run stopped) surface as toasts wherever the user is, and so
  // does a proposal that starts waiting for approval (the desktop app also gets a system notification
  // from main; in a browser, the page's own Notification when the user allowed it).
  useEffect(() => {
    const alerted = new Set<string>();
    return subscribeStudioEvents((e) => {
      if (e.type === 'notice') toast(e.level, e.message);
      if (e.type === 'experiment' && e.experiment.status === 'running' && e.experiment.approval?.state === 'waiting') {
        const key = `${e.tag}/${e.experiment.id}`;
        if (alerted.has(key)) return;
        alerted.add(key);
        const message = `Proposal #${e.experiment.id} waits for your approval: ${e.experiment.description}`;
        toast('info', message);
        if (useStudio.getState().app?.host !== 'electron' && typeof Notification !== 'undefined' && Notification.permission === 'granted') {
          new Notification('Autoresearch Studio', { body: message });
        }
      }
    });
  }, []);

  // With a project open and no route chosen yet, setup is the useful first screen.
  useEffect(() => {
    if (loaded && project && (window.location.hash === '' || window.location.hash === '#')) navigate({ view: project.config ? 'run' : 'setup' });
  }, [loaded, project]);

  // A project opened from outside the page (File → Open Folder…, a folder dropped onto the window, a second
  // launch with --project) leaves the start screen the same way the start screen's own buttons do.
  const shownDir = useRef<string | null | undefined>(undefined);
  useEffect(() => {
    if (!loaded) return;
    const dir = project?.dir ?? null;
    if (shownDir.current !== undefined && dir && dir !== shownDir.current && route.view === 'start') navigate({ view: project?.config ? 'run' : 'setup' });
    shownDir.current = dir;
  }, [loaded, project, route.view]);

  return (
    <div className="app" data-testid="app">
      <ActivityBar current={route} />
      <div className="main">
        <RunControlBar />
        <TrustPanel />
        <main className="view" data-testid={`view-${route.view}`}>
          {loadError ? (
            <EmptyState title="Could not load the studio's state" testId="load-error">
              {loadError}
            </EmptyState>
          ) : !loaded ? (
            <EmptyState title="Connecting…" testId="loading">
              <Spinner />
            </EmptyState>
          ) : (
            <View route={route} />
          )}
        </main>
      </div>
      <StatusBar onHelp={() => setHelp(true)} />
      <ToastArea />
      {help ? <KeyboardShortcutHelp onClose={() => setHelp(false)} /> : null}
    </div>
  );
}
