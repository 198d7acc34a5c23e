// The app's webhook for run notifications (notify/): kept in the app's data folder, never in a project. The page
// sees where it posts (the host), never the URL's path, which is the webhook's secret.
import type { WebhookStatus } from '../../../shared/api.js';
import { readAppSettings, writeWebhookUrl } from '../../notify/settings.js';
import { redactUrl, sendTestMessage } from '../../notify/webhook.js';
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
      return sendTestMessage(webhookUrl);
    },
  };
}
