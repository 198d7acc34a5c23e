// The app's own settings (not a project's): `settings.json` in the app's data folder (the desktop's userData;
// ~/.autoresearch-studio or AUTORESEARCH_DATA_DIR for the CLI). Today it holds the webhook URL, which must never
// come from a project's config: a project from someone else would learn where the results go, or redirect them.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

export const SETTINGS_FILE = 'settings.json';

export interface AppSettings {
  /** Where run notifications are POSTed (webhook.ts); null: none. */
  readonly webhookUrl: string | null;
}

const DEFAULTS: AppSettings = { webhookUrl: null };

/** Why `url` cannot be a webhook, in words that say what to do; null when it can. */
export function webhookUrlProblem(url: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return `"${url.slice(0, 80)}" is not a URL. A webhook URL looks like https://hooks.slack.com/services/… or https://ntfy.sh/your-topic.`;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `A webhook URL starts with https:// (or http://), not ${u.protocol}//.`;
  return null;
}

/** The settings; a missing file is the defaults, an unreadable one is an error that names the file. */
export async function readAppSettings(dataDir: string): Promise<AppSettings> {
  const file = path.join(dataDir, SETTINGS_FILE);
  const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw err;
  });
  if (text === null) return DEFAULTS;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch {
    throw new Error(`The app's settings file ${file} is not valid JSON: fix it or delete it (the defaults are used without it).`);
  }
  const url = (parsed as { webhookUrl?: unknown } | null)?.webhookUrl;
  return { webhookUrl: typeof url === 'string' && !webhookUrlProblem(url) ? url : null };
}

/** Set (or with null, remove) the webhook URL; refuses one that is not an http(s) URL and writes nothing then. */
export async function writeWebhookUrl(dataDir: string, url: string | null): Promise<AppSettings> {
  const problem = url === null ? null : webhookUrlProblem(url);
  if (problem) throw new Error(problem);
  const next: AppSettings = { ...(await readAppSettings(dataDir)), webhookUrl: url };
  await mkdir(dataDir, { recursive: true });
  // Written beside and renamed: a crash mid-write never leaves half a settings file.
  const file = path.join(dataDir, SETTINGS_FILE);
  await writeFile(`${file}.tmp`, JSON.stringify(next, null, 1) + '\n', { mode: 0o600 });
  await rename(`${file}.tmp`, file);
  return next;
}
