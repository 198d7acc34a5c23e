import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { identityArgs, raw } from './git.js';
import { knownPlace } from './git-place.js';

/** Stage exactly `paths` (additions, changes and deletions) and commit them. Returns the new sha. */
export async function commitPaths(worktree: string, paths: readonly string[], message: string): Promise<string> {
  const id = await identityArgs(worktree);
  const commit = [...id, 'commit', '--no-verify', '--quiet', '-m', message, '--', ...paths];
  // `git commit -- <paths>` stages and commits changed and deleted tracked files itself, one git process instead
  // of two; a new file is not known to git yet, so such a commit fails whole before it touches anything and the
  // files are added first. (Any other failure fails again below, with git's own message.)
  const direct = await raw(worktree, commit).then(
    () => true,
    () => false,
  );
  if (!direct) {
    await raw(worktree, ['add', '-A', '--', ...paths]);
    await raw(worktree, commit);
  }
  return (await detachedHead(worktree)) ?? (await raw(worktree, ['rev-parse', 'HEAD'])).trim();
}

/**
 * A slot worktree's HEAD as its git folder holds it (a detached HEAD is the commit's sha itself), read without a
 * git process: one less between two experiments (bench/loop-overhead). The git folder is the one git-place.ts
 * checked for that worktree; anything but a plain sha there (a branch, a folder we do not know) asks git.
 */
async function detachedHead(worktree: string): Promise<string | null> {
  let gitDir: string;
  try {
    const place = knownPlace(worktree);
    if (!place) return null;
    gitDir = place.gitDir;
  } catch {
    // Not a registered worktree any more: git says what HEAD is (or why it cannot).
    return null;
  }
  const text = await readFile(path.join(gitDir, 'HEAD'), 'utf8').catch(() => '');
  const sha = text.trim();
  return /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/.test(sha) ? sha : null;
}
