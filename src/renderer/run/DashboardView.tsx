// The live dashboard (#/run): the run header, one card per slot (experiment, budget, log tail, GPUs),
// the progress chart and the latest experiments. With nothing live it shows the last run, and with no
// run at all, what to do to start one.
import { useDeferredValue, useMemo, type JSX } from 'react';
import { buildProgress, summarizeRun } from '../../shared/progress.js';
import { navigate } from '../app/router.js';
import { ProgressChart } from '../chart/ProgressChart.js';
import { HeldoutPanel } from '../history/HeldoutPanel.js';
import { Button } from '../components/Button.js';
import { EmptyState } from '../components/EmptyState.js';
import { Spinner } from '../components/Spinner.js';
import { GpuBars } from './SlotCard.js';
import { useRun } from '../history/run-store.js';
import { useStudio } from '../store/studio.js';
import { ApprovalQueue } from './ApprovalQueue.js';
import { LatestExperiments } from './LatestExperiments.js';
import { RunHeader } from './RunHeader.js';
import { SlotCard } from './SlotCard.js';
import { useNow } from './use-now.js';
import { SlotUsageLine } from './SlotUsageLine.js';
import { usageAt } from '../../shared/slot-usage.js';
import { trustStartReason, useTrust } from '../trust/trust-store.js';
import '../history/history.css';
import './run.css';

export function DashboardView(): JSX.Element {
  const project = useStudio((s) => s.project);
  const runs = useStudio((s) => s.runs);
  const live = useStudio((s) => s.live);
  const gpus = useStudio((s) => s.gpus);
  const sandboxWarning = useStudio((s) => s.sandboxWarning);
  // Start is off until the project's commands are trusted: the empty state says that, not "press Start".
  const untrusted = trustStartReason(project?.dir ?? null, useTrust());
  const unsandboxed = sandboxWarning ? (
    <div className="banner warn" data-testid="sandbox-warning">
      <div className="grow">{sandboxWarning}</div>
    </div>
  ) : null;
  const tag = live?.tag ?? runs[0]?.tag ?? null;
  const summary = runs.find((r) => r.tag === tag) ?? null;
  const entry = useDeferredValue(useRun(tag));
  const now = useNow(!!live);
  const detail = entry?.state === 'ready' ? entry.detail : null;
  const direction = detail?.direction ?? summary?.direction ?? 'min';
  const model = useMemo(() => (detail ? buildProgress(detail.experiments, direction, { noiseFloor: detail.noiseFloor }) : null), [detail?.experiments, direction, detail?.noiseFloor]);
  const figures = useMemo(() => (detail ? summarizeRun(detail.experiments, direction, { bestId: detail.bestId }) : null), [detail?.experiments, direction, detail?.bestId]);
  const usage = useMemo(() => (summary?.usage ? usageAt(summary.usage, now) : null), [summary?.usage, now]);

  if (!project) {
    return (
      <EmptyState title="No project open" testId="dashboard-empty" actions={<Button onClick={() => navigate({ view: 'start' })}>Open a project</Button>}>
        Open a project (or the demo), set it up, then start a run here.
      </EmptyState>
    );
  }
  if (!tag) {
    return (
      <div className="view-pad">
        {unsandboxed}
        <EmptyState
          title="No run yet — set up the project and press Start"
          testId="dashboard-empty"
          actions={
            <>
              <Button onClick={() => navigate({ view: 'setup' })}>Setup</Button>
              <Button onClick={() => navigate({ view: 'program' })}>program.md</Button>
            </>
          }
        >
          {!project.config
            ? 'The project has no settings yet: fill in the setup form first.'
            : untrusted
              ? `${untrusted}, then press Start in the bar above (Ctrl+Enter).`
              : 'The project is set up: press Start in the bar above (Ctrl+Enter).'}
        </EmptyState>
        {gpus.length ? (
          <div className="panel" style={{ maxWidth: 520, margin: '0 auto' }}>
            <h3>GPUs</h3>
            <GpuBars gpus={gpus} />
          </div>
        ) : null}
      </div>
    );
  }

  return (
    <div className="view-pad wide dashboard" data-testid="dashboard" data-live={live ? 'true' : 'false'}>
      {unsandboxed}
      {!live && summary ? (
        <div className="banner info" data-testid="dashboard-not-live">
          <div className="grow">
            No run is live. Showing the last run, <b>{summary.tag}</b>
            {summary.stopMessage ? `: ${summary.stopMessage}` : '.'} Start a new run, or resume this one, from the bar above.
          </div>
          <Button size="small" onClick={() => navigate({ view: 'history', tag: summary.tag })}>
            Open in History
          </Button>
        </div>
      ) : null}
      {summary ? <RunHeader summary={summary} live={live} figures={figures} now={now} /> : null}
      {detail ? <HeldoutPanel config={detail.config} experiments={detail.experiments} bestId={detail.bestId} /> : null}
      {detail ? <ApprovalQueue tag={tag} experiments={detail.experiments} live={!!live} /> : null}
      {live ? (
        <div className="slots" data-testid="slots">
          {live.slots.map((s) => (
            <SlotCard key={s.slot} tag={live.tag} slot={s} now={now} budgetSeconds={live.budgetSeconds} timeoutSeconds={live.timeoutSeconds} gpus={gpus} usage={usage?.find((u) => u.slot === s.slot) ?? null} />
          ))}
        </div>
      ) : usage && usage.length ? (
        <div className="slot-usage-list" data-testid="slot-usage-list">
          {usage.map((u) => (
            <SlotUsageLine key={u.slot} usage={u} label={`Slot ${u.slot}`} />
          ))}
        </div>
      ) : null}
      <section className="dash-section">
        {entry?.state === 'error' ? (
          <div className="banner error">
            <div className="grow">Could not load the experiments of {tag}: {entry.error}</div>
          </div>
        ) : !model || !detail ? (
          <Spinner label="Loading the experiments" />
        ) : (
          <ProgressChart key={tag} model={model} metricName={detail.metricName} height={320} onOpen={(id) => navigate({ view: 'experiment', tag, id })} />
        )}
      </section>
      {detail ? (
        <section className="dash-section">
          <div className="row" style={{ marginBottom: 6 }}>
            <h2>Latest experiments</h2>
            <span className="grow" />
            <a href={`#/history/${encodeURIComponent(tag)}`}>All {detail.experiments.length} in History →</a>
          </div>
          <LatestExperiments tag={tag} experiments={detail.experiments} direction={detail.direction} />
        </section>
      ) : null}
    </div>
  );
}
