import { raw } from './git.js';

/** Point a ref (refs/heads/..., refs/autoresearch/...) at a commit, creating it if needed. */
export async function updateRef(dir: string, ref: string, commit: string): Promise<void> {
  await raw(dir, ['update-ref', ref, commit]);
}

export async function refExists(dir: string, ref: string): Promise<boolean> {
  // simple-git resolves a failed command that printed nothing, so ask for output instead of an exit code.
  return (await readRef(dir, ref)) !== null;
}

export async function readRef(dir: string, ref: string): Promise<string | null> {
  try {
    return (await raw(dir, ['rev-parse', '--verify', '--quiet', ref])).trim() || null;
  } catch {
    return null;
  }
}
