import { raw, rev } from './git.js';

/** `-e /<path>` for each linked input, so `git clean -x` leaves the links (data/, .venv/) alone. */
function keepArgs(keep: readonly string[]): string[] {
  return keep
    .map((k) => k.trim().replace(/^\/+|\/+$/g, ''))
    .filter((k) => k !== '' && !k.startsWith('-'))
    .flatMap((k) => ['-e', `/${k}`]);
}

/**
 * Remove everything in a worktree that is not in its HEAD commit: untracked files and ignored ones too
 * (a `.pth` or `.pyc` planted by one experiment must not run in the next), nested repositories included.
 * Only `keep` (the linked inputs) survives.
 */
export async function cleanWorktree(worktree: string, keep: readonly string[] = []): Promise<void> {
  await raw(worktree, ['clean', '-ffdx', '--quiet', ...keepArgs(keep)]);
}

/** Put a worktree exactly at `commit`: tracked files reset, everything else removed except `keep`. */
export async function resetTo(worktree: string, commit: string, keep: readonly string[] = []): Promise<void> {
  // checkout and reset do not take --end-of-options in every git version; rev() refuses anything option-like.
  await raw(worktree, ['checkout', '--detach', '--force', rev(commit)]);
  await raw(worktree, ['reset', '--hard', '--quiet', rev(commit)]);
  await cleanWorktree(worktree, keep);
}

/** Move HEAD to `commit` and leave the index and the files on disk as they are (`git reset --soft`). */
export async function softResetTo(worktree: string, commit: string): Promise<void> {
  await raw(worktree, ['reset', '--soft', '--quiet', rev(commit)]);
}
