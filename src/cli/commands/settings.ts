import { dataDir } from '../../core/gpu/lease.js';
import { readAppSettings, SETTINGS_FILE, writeWebhookUrl } from '../../core/notify/settings.js';
import { redactUrl, sendTestMessage } from '../../core/notify/webhook.js';
import { parseCommandArgs } from '../args.js';
import { CliError } from '../io.js';
import type { Command } from './index.js';

const USAGE = `Usage: autoresearch settings [--webhook URL | --webhook off] [--test]

The app's own settings (not a project's), kept in the app's data folder (AUTORESEARCH_DATA_DIR, else
~/.autoresearch-studio). Without options, prints them.
  --webhook URL   POST run notifications to URL: a new best, 3 failures in a row, the run's stop, and a
                  daily digest. Slack and Discord webhooks, ntfy topics (https://ntfy.sh/TOPIC) and any
                  receiver of JSON work. Runs started with \`autoresearch run\` or \`serve\` from now on use it.
  --webhook off   send none
  --test          send a test message to the webhook now and say whether it arrived`;

export const settingsCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(argv, { webhook: { type: 'string' }, test: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    if (positionals.length) throw new CliError(`settings takes no folder: the settings are the app's, not a project's.\n\n${USAGE}`);
    const dir = dataDir(io.env);
    const fail = (err: Error) => {
      throw new CliError(err.message);
    };
    let settings = await readAppSettings(dir).catch(fail);
    if (typeof values.webhook === 'string') {
      settings = await writeWebhookUrl(dir, values.webhook === 'off' ? null : values.webhook).catch(fail);
      io.out(settings.webhookUrl ? `Webhook set: ${redactUrl(settings.webhookUrl)}\n` : 'Webhook off.\n');
    } else if (!values.test) {
      io.out(`Settings (${dir}/${SETTINGS_FILE}):\n  webhook: ${settings.webhookUrl ? redactUrl(settings.webhookUrl) : 'off'}\n`);
    }
    if (values.test) {
      if (!settings.webhookUrl) throw new CliError('No webhook is set. Set one with `autoresearch settings --webhook URL`.');
      const result = await sendTestMessage(settings.webhookUrl);
      if (!result.delivered) throw new CliError(result.message);
      io.out(`${result.message}\n`);
    }
    return 0;
  },
};
