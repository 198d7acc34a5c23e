// What one loop event means for the UI: the pushes it becomes, the desktop notifications it raises, and
// whether the run list is due again. A pure function (the caller pushes, notifies and keeps the clock), shared by
// a run this process owns and one it follows through the journal, so both look the same on the page.
import type { StudioEventBody } from '../../shared/api.js';
import { experimentChange, formatChange, formatMetric } from '../../shared/wording.js';
import { summarize, type RunRecord } from '../journal/fold.js';
import type { LoopEvent } from '../loop/types.js';

/** The run list changes with every event; between the events that always refresh it, at most once a second. */
export const RUNS_PUSH_INTERVAL_MS = 1000;

export interface RelayInput {
  readonly projectDir: string;
  readonly tag: string;
  /** The run as folded so far, this event included. */
  readonly record: RunRecord;
  readonly now: number;
  /** When the run list was last pushed for this run (0: never). */
  readonly lastRunsPush: number;
}

export interface Notification {
  readonly title: string;
  readonly body: string;
}

export interface RelayOutput {
  readonly pushes: readonly StudioEventBody[];
  readonly notifications: readonly Notification[];
  /** Push the run list now (the caller then sets lastRunsPush to `now`). */
  readonly refreshRuns: boolean;
}

export function relayEvent(e: LoopEvent, at: RelayInput): RelayOutput {
  const { projectDir: project, tag, record } = at;
  if (e.kind === 'log') return { pushes: [{ type: 'log', project, tag, id: e.id, text: e.text }], notifications: [], refreshRuns: false };
  if (e.kind === 'live') return { pushes: [{ type: 'live', project, live: e.live }], notifications: [], refreshRuns: false };
  const pushes: StudioEventBody[] = [];
  const notifications: Notification[] = [];
  const ev = e.event;
  switch (ev.type) {
    case 'experiment-start':
    case 'experiment-end':
      pushes.push({ type: 'experiment', project, tag, experiment: ev.experiment });
      break;
    case 'experiment-proposed':
    // The best measured again: its row shows the new mean at once (the summary follows with the run list).
    case 'best-remeasured':
    // The held-out check of a keep finished: its History cell and the dashboard's line show it at once.
    case 'heldout-result':
    case 'approval-answer': {
      const exp = record.experiments.get(ev.id);
      if (exp) pushes.push({ type: 'experiment', project, tag, experiment: exp });
      break;
    }
    // A baseline repeat finished: the baseline's row shows its runs so far.
    case 'baseline-run': {
      const exp = record.experiments.get(0);
      if (exp) pushes.push({ type: 'experiment', project, tag, experiment: exp });
      break;
    }
    case 'approval-wait': {
      const exp = record.experiments.get(ev.id);
      if (exp) pushes.push({ type: 'experiment', project, tag, experiment: exp });
      // The desktop notification (Electron passes notify); the page shows its own toast from the push.
      notifications.push({ title: `Proposal #${ev.id} waits for your approval`, body: `${tag}: ${exp?.description ?? ''}` });
      break;
    }
    case 'best':
      // The baseline (#0) is the first best of every run: not news.
      if (ev.id !== 0) {
        const summary = summarize(record);
        const exp = record.experiments.get(ev.id);
        const change = exp ? experimentChange(exp, summary.direction) : null;
        notifications.push({
          title: `New best ${summary.metricName}: ${formatMetric(ev.metric)}${change ? `, ${formatChange(change)}` : ''}`,
          body: `${tag} #${ev.id}: ${exp?.description ?? ''}`,
        });
      }
      break;
    case 'notice':
      if (ev.level !== 'info') pushes.push({ type: 'notice', level: ev.level, message: ev.message });
      break;
    default:
      break;
  }
  // A trainer starting or ending changes the slots' busy and idle clocks (RunSummary.usage): push at once.
  const trainer = (ev.type === 'process-start' && ev.what === 'run') || ev.type === 'process-end';
  const always = ev.type === 'experiment-end' || ev.type === 'best' || ev.type === 'best-remeasured' || ev.type === 'run-stop' || ev.type === 'steer' || trainer;
  return { pushes, notifications, refreshRuns: always || at.now - at.lastRunsPush > RUNS_PUSH_INTERVAL_MS };
}
