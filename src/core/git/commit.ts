import { gitForCommit, raw } from './git.js';

/** Stage exactly `paths` (additions, changes and deletions) and commit them. Returns the new sha. */
export async function commitPaths(worktree: string, paths: readonly string[], message: string): Promise<string> {
  const g = await gitForCommit(worktree);
  await g.raw(['add', '-A', '--', ...paths]);
  await g.raw(['commit', '--no-verify', '--quiet', '-m', message, '--', ...paths]);
  return (await raw(worktree, ['rev-parse', 'HEAD'])).trim();
}
