// The app's webhook for run notifications (notify/): kept in the app's data folder, never in a project. The page
// sees where it posts (the host), never the URL's path, which is the webhook's secret.
import type { WebhookStatus } from '../../../shared/api.js';
import { readAppSettings, writeWebhookUrl } from '../../notify/settings.js';
import { createWebhookNotifier, redactUrl } from '../../notify/webhook.js';
import { fail } from '../errors.js';
import type { Handlers, StudioContext } from '../context.js';

const statusOf = (url: string | null): WebhookStatus => ({ set: url !== null, where: url === null ? null : redactUrl(url) });

export function webhookHandlers({ deps }: StudioContext): Handlers<'getWebhook' | 'setWebhook' | 'testWebhook'> {
  const read = () => readAppSettings(deps.dataDir).catch((err: Error) => {
    throw fail(err.message, 'failed');
  });
  return {
    getWebhook: async () => statusOf((await read()).webhookUrl),
    setWebhook: async ({ url }) => {
      const saved = await writeWebhookUrl(deps.dataDir, url).catch((err: Error) => {
        throw fail(err.message, 'invalid-args');
      });
      return statusOf(saved.webhookUrl);
    },
    testWebhook: async () => {
      const { webhookUrl } = await read();
      if (!webhookUrl) return { delivered: false, message: 'No webhook is set: paste its URL first.' };
      let failure: string | null = null;
      const notifier = createWebhookNotifier({ url: webhookUrl, onError: (m) => (failure = m) });
      const figures = { metric: 'val_bpb', direction: 'min' as const, baseline: null, best: null, bestId: null, experiments: 0, kept: 0, crashes: 0, trainingHours: 0 };
      notifier.send({ kind: 'digest', title: 'Autoresearch Studio: a test message', text: 'Run notifications will arrive here.', project: '', tag: '', figures });
      await notifier.flush();
      return failure ? { delivered: false, message: failure } : { delivered: true, message: `The test message was delivered to ${redactUrl(webhookUrl)}.` };
    },
  };
}
