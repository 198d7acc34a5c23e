// Notifications that reach a researcher away from the desk (issue #25 item 4): a JSON POST on a new best, a
// streak of crashes, a stop, and a daily digest. The URL comes from the app's own settings, never from a
// project's config (a project from a colleague must not learn where its results go, or send them elsewhere).
//
// One body serves the common receivers: Slack's incoming webhooks read `text`, Discord's read `content`, a
// generic receiver gets the structured fields beside them. ntfy publishes a request's body as the message, so
// a URL on an ntfy server gets plain text with a Title header instead.
//
// Delivery is best effort by design: a receiver that is down, slow or refusing never delays or stops a run.
// Messages go out one at a time in order, each with a deadline; a failure is reported once (not once per
// message) through `onError`, and again only after a delivery has succeeded in between.
import type { RunSummary } from '../../shared/api.js';
import { formatChange, formatMetric, runImprovement } from '../../shared/wording.js';

export type WebhookKind = 'new-best' | 'crash-streak' | 'stop' | 'digest';

export interface WebhookMessage {
  readonly kind: WebhookKind;
  readonly title: string;
  readonly text: string;
  readonly project: string;
  readonly tag: string;
  /** The run's figures when the message was made. */
  readonly figures: WebhookFigures;
}

export interface WebhookFigures {
  readonly metric: string;
  readonly direction: 'min' | 'max';
  readonly baseline: number | null;
  readonly best: number | null;
  readonly bestId: number | null;
  readonly experiments: number;
  readonly kept: number;
  readonly crashes: number;
  readonly trainingHours: number;
}

export function figuresOf(s: RunSummary): WebhookFigures {
  return {
    metric: s.metricName,
    direction: s.direction,
    baseline: s.baseline,
    best: s.best,
    bestId: s.bestId,
    experiments: s.counts.total,
    kept: s.keptImprovements,
    crashes: s.counts.crash + s.counts.timeout,
    trainingHours: Math.round((s.trainingMs / 3_600_000) * 100) / 100,
  };
}

/** "val_bpb 0.997900 → 0.981200 (−1.67 %), 3 kept of 40, 1.2 h of training". */
export function figuresLine(f: WebhookFigures): string {
  const change = runImprovement(f.baseline, f.best, f.direction);
  const best = f.best === null ? 'no result yet' : `${formatMetric(f.baseline ?? f.best)} → ${formatMetric(f.best)}${change ? ` (${formatChange(change)})` : ''}`;
  return `${f.metric} ${best}, ${f.kept} kept of ${f.experiments}, ${f.trainingHours} h of training`;
}

/** The request a receiver at `url` understands. */
export function webhookRequest(url: string, m: WebhookMessage): { headers: Record<string, string>; body: string } {
  const host = (() => {
    try {
      return new URL(url).hostname;
    } catch {
      return '';
    }
  })();
  if (/(^|\.)ntfy\b/.test(host)) {
    return { headers: { 'content-type': 'text/plain; charset=utf-8', title: asciiHeader(m.title), tags: m.kind }, body: m.text };
  }
  const line = `*${m.title}*\n${m.text}`;
  return {
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: line, content: line.slice(0, 2000), title: m.title, kind: m.kind, project: m.project, tag: m.tag, figures: m.figures, message: m.text }),
  };
}

/** HTTP header values must be Latin-1: arrows and minus signs are written out. */
const asciiHeader = (s: string) => s.replace(/→/g, '->').replace(/−/g, '-').replace(/[^\x20-\x7e]/g, '?');

export interface WebhookNotifier {
  /** Queue a message; resolves at once (delivery happens in order in the background). */
  send(m: WebhookMessage): void;
  /** Wait until every queued message was delivered or given up (a run's end waits for its stop message). */
  flush(): Promise<void>;
}

export function createWebhookNotifier(opts: {
  readonly url: string;
  /** Per delivery; a slower receiver is given up on. */
  readonly timeoutMs?: number;
  /** Said once per streak of failures, e.g. as a run notice. */
  readonly onError?: (message: string) => void;
  /** Messages waiting beyond this are dropped, oldest first (a receiver down for days must not grow memory). */
  readonly maxQueued?: number;
}): WebhookNotifier {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxQueued = opts.maxQueued ?? 50;
  const queue: WebhookMessage[] = [];
  let sending: Promise<void> | null = null;
  let failing = false;

  const deliver = async (m: WebhookMessage) => {
    const { headers, body } = webhookRequest(opts.url, m);
    try {
      const res = await fetch(opts.url, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
      await res.arrayBuffer().catch(() => undefined); // the receiver's answer is not used; read it so the socket is freed
      if (!res.ok) throw new Error(`the receiver answered HTTP ${res.status}`);
      failing = false;
    } catch (err) {
      if (!failing) {
        failing = true;
        const why = err instanceof Error ? (err.name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : ((err.cause as Error | undefined)?.message ?? err.message)) : String(err);
        opts.onError?.(`The webhook ${redactUrl(opts.url)} could not be reached (${why}); the run goes on, and later messages are still tried. Check the URL in the app's settings.`);
      }
    }
  };

  const pump = async () => {
    while (queue.length) await deliver(queue.shift()!);
    sending = null;
  };

  return {
    send(m) {
      queue.push(m);
      while (queue.length > maxQueued) queue.shift();
      sending ??= pump();
    },
    flush: () => sending ?? Promise.resolve(),
  };
}

/** A webhook URL carries its secret in the path (Slack, Discord): only the host is ever shown. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}/…`;
  } catch {
    return '(an invalid URL)';
  }
}

/** Send one test message to `url` now (Setup's "Send a test", `autoresearch settings --test`) and say how it went. */
export async function sendTestMessage(url: string): Promise<{ readonly delivered: boolean; readonly message: string }> {
  let failure: string | null = null;
  const notifier = createWebhookNotifier({ url, onError: (m) => (failure = m) });
  const figures: WebhookFigures = { metric: 'val_bpb', direction: 'min', baseline: null, best: null, bestId: null, experiments: 0, kept: 0, crashes: 0, trainingHours: 0 };
  notifier.send({ kind: 'digest', title: 'Autoresearch Studio: a test message', text: 'Run notifications will arrive here.', project: '', tag: '', figures });
  await notifier.flush();
  return failure ? { delivered: false, message: failure } : { delivered: true, message: `The test message was delivered to ${redactUrl(url)}.` };
}
