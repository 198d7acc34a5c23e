import { realpath } from 'node:fs/promises';
import { raw, UnsafeRepositoryError } from './git.js';

/** The top of the git repository that holds `dir`, or null when `dir` is not in one. */
export async function repoRoot(dir: string): Promise<string | null> {
  try {
    const top = (await raw(dir, ['rev-parse', '--show-toplevel'])).trim();
    return top ? await realpath(top) : null;
  } catch (err) {
    // A repository the harness refuses is still one: its message (what to remove) must reach the user,
    // not turn into "not a git repository" and an offer to run `git init`.
    if (err instanceof UnsafeRepositoryError) throw err;
    return null;
  }
}
