import { raw, rev as revArg } from './git.js';

/** Full sha of HEAD, or null in a repository without commits. */
export async function headCommit(dir: string): Promise<string | null> {
  try {
    return (await raw(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])).trim() || null;
  } catch {
    return null;
  }
}

/** The checked-out branch name, or null when HEAD is detached or unborn. */
export async function currentBranch(dir: string): Promise<string | null> {
  try {
    const name = (await raw(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD'])).trim();
    return name || null;
  } catch {
    return null;
  }
}

export async function resolveCommit(dir: string, rev: string): Promise<string | null> {
  try {
    return (await raw(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', revArg(`${rev}^{commit}`)])).trim() || null;
  } catch {
    return null;
  }
}
