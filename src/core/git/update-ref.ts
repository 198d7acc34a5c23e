import { raw, rev } from './git.js';

/** Point a ref (refs/heads/..., refs/autoresearch/...) at a commit, creating it if needed. */
export async function updateRef(dir: string, ref: string, commit: string): Promise<void> {
  await raw(dir, ['update-ref', '--end-of-options', rev(ref), rev(commit)]);
}

export async function refExists(dir: string, ref: string): Promise<boolean> {
  return (await readRef(dir, ref)) !== null;
}

export async function readRef(dir: string, ref: string): Promise<string | null> {
  try {
    return (await raw(dir, ['rev-parse', '--verify', '--quiet', '--end-of-options', rev(ref)])).trim() || null;
  } catch {
    return null;
  }
}
