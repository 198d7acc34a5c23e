import { realpath } from 'node:fs/promises';
import { raw } from './git.js';

/** The top of the git repository that holds `dir`, or null when `dir` is not in one. */
export async function repoRoot(dir: string): Promise<string | null> {
  try {
    const top = (await raw(dir, ['rev-parse', '--show-toplevel'])).trim();
    return top ? await realpath(top) : null;
  } catch {
    return null;
  }
}
