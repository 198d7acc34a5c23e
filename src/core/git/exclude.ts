import { readFile, appendFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { raw } from './git.js';

/** Add patterns to .git/info/exclude (not the user's .gitignore) if they are not there yet. */
export async function ensureExcluded(repo: string, patterns: readonly string[]): Promise<void> {
  const gitDir = (await raw(repo, ['rev-parse', '--git-common-dir'])).trim();
  const file = path.resolve(repo, gitDir, 'info', 'exclude');
  await mkdir(path.dirname(file), { recursive: true });
  const current = await readFile(file, 'utf8').catch(() => '');
  const lines = new Set(current.split('\n').map((l) => l.trim()));
  const missing = patterns.filter((p) => !lines.has(p));
  if (missing.length === 0) return;
  const prefix = current === '' || current.endsWith('\n') ? '' : '\n';
  await appendFile(file, `${prefix}# Autoresearch Studio\n${missing.join('\n')}\n`);
}
