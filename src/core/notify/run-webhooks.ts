// Which of a run's journal events become webhook messages (webhook.ts sends them): a new best (not the
// baseline, the first best of every run), a streak of crashes (said once when it reaches its length, again only
// after a run that did not crash), the run's stop with its figures, and a digest once a day while it runs.
// Shared by the desktop app and `autoresearch run`, so a run started either way reaches the same receiver.
import type { JournalEvent } from '../../shared/journal.js';
import { formatMetric } from '../../shared/wording.js';
import { summarize, type RunRecord } from '../journal/fold.js';
import { readAppSettings } from './settings.js';
import { createWebhookNotifier, figuresLine, figuresOf, type WebhookMessage, type WebhookNotifier } from './webhook.js';

/** Crashes or timeouts in a row that make a streak worth a message. */
export const CRASH_STREAK = 3;
export const DIGEST_EVERY_MS = 24 * 3_600_000;
/** How long a run's end waits for its queued messages. */
export const CLOSE_DEADLINE_MS = 15_000;

export interface RunWebhooks {
  /** Every journal event of the run, after it was written and folded into `record()`. */
  onEvent(ev: JournalEvent): void;
  /** Stop the digest clock and wait for what is queued (the stop message). */
  close(): Promise<void>;
}

export function runWebhooks(opts: {
  readonly notifier: WebhookNotifier;
  readonly project: string;
  readonly tag: string;
  readonly record: () => RunRecord;
  readonly digestEveryMs?: number;
}): RunWebhooks {
  const { notifier, project, tag } = opts;
  let crashes = 0;
  let lastDigestCount = 0;
  const message = (kind: WebhookMessage['kind'], title: string, text: string): WebhookMessage => ({
    kind,
    title,
    text,
    project,
    tag,
    figures: figuresOf(summarize(opts.record())),
  });

  const digest = setInterval(() => {
    const s = summarize(opts.record());
    const since = s.counts.total - lastDigestCount;
    lastDigestCount = s.counts.total;
    notifier.send(message('digest', `Run ${tag}: ${since} experiments in the last day`, figuresLine(figuresOf(s))));
  }, opts.digestEveryMs ?? DIGEST_EVERY_MS);
  digest.unref?.();

  return {
    onEvent(ev) {
      if (ev.type === 'best' && ev.id !== 0) {
        const exp = opts.record().experiments.get(ev.id);
        const s = summarize(opts.record());
        notifier.send(message('new-best', `New best ${s.metricName} ${formatMetric(ev.metric)} in ${tag} (#${ev.id})`, `${exp?.description ?? ''}\n${figuresLine(figuresOf(s))}`));
      } else if (ev.type === 'experiment-end' && ev.experiment.kind !== 'baseline') {
        const failed = ev.experiment.status === 'crash' || ev.experiment.status === 'timeout';
        crashes = failed ? crashes + 1 : 0;
        if (crashes === CRASH_STREAK) {
          notifier.send(message('crash-streak', `${CRASH_STREAK} experiments in a row failed in ${tag}`, `#${ev.experiment.id}: ${(ev.experiment.error ?? ev.experiment.status).split('\n')[0]}`));
        }
      } else if (ev.type === 'run-stop') {
        clearInterval(digest);
        notifier.send(message('stop', `Run ${tag} stopped: ${ev.reason}`, `${ev.message.split('\n')[0]}\n${figuresLine(figuresOf(summarize(opts.record())))}`));
      }
    },
    async close() {
      clearInterval(digest);
      // The stop message gets its chance, but a receiver that hangs does not hold the app's exit for long.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([notifier.flush(), new Promise<void>((r) => (timer = setTimeout(r, CLOSE_DEADLINE_MS)))]);
      clearTimeout(timer);
    },
  };
}

/** A run as the webhooks need it: the loop's RunHandle fits (notify sits below loop, so it is named by shape). */
export interface WebhookRun {
  readonly projectDir: string;
  readonly tag: string;
  record(): RunRecord;
  subscribe(listener: (e: { readonly kind: string; readonly event?: JournalEvent }) => void): () => void;
}

/**
 * The webhooks of `run` when the app's settings name a URL (settings.ts), subscribed to its events; null without
 * one. `onError` hears of a receiver that cannot be reached (once per streak of failures).
 */
export async function attachRunWebhooks(settingsDir: string, run: WebhookRun, onError: (message: string) => void): Promise<RunWebhooks | null> {
  const { webhookUrl } = await readAppSettings(settingsDir).catch((err: Error) => {
    onError(`${err.message} No webhook is sent for this run.`);
    return { webhookUrl: null };
  });
  if (!webhookUrl) return null;
  const hooks = runWebhooks({ notifier: createWebhookNotifier({ url: webhookUrl, onError }), project: run.projectDir, tag: run.tag, record: () => run.record() });
  const unsubscribe = run.subscribe((e) => (e.kind === 'journal' && e.event ? hooks.onEvent(e.event) : undefined));
  return {
    onEvent: hooks.onEvent,
    async close() {
      unsubscribe();
      await hooks.close();
    },
  };
}
