import { raw } from './git.js';

/**
 * Put a worktree exactly at `commit`: tracked files reset, untracked files removed (ignored ones such as
 * data links and caches are kept; `keep` names more paths to leave alone).
 */
export async function resetTo(worktree: string, commit: string, keep: readonly string[] = []): Promise<void> {
  // A crash can leave a stale index lock behind; the next git command would fail on it forever.
  await raw(worktree, ['checkout', '--detach', '--force', commit]);
  await raw(worktree, ['reset', '--hard', '--quiet', commit]);
  await raw(worktree, ['clean', '-fd', '--quiet', ...keep.flatMap((k) => ['-e', k])]);
}
