import { identityArgs, raw } from './git.js';

/** Stage exactly `paths` (additions, changes and deletions) and commit them. Returns the new sha. */
export async function commitPaths(worktree: string, paths: readonly string[], message: string): Promise<string> {
  const id = await identityArgs(worktree);
  await raw(worktree, ['add', '-A', '--', ...paths]);
  await raw(worktree, [...id, 'commit', '--no-verify', '--quiet', '-m', message, '--', ...paths]);
  return (await raw(worktree, ['rev-parse', 'HEAD'])).trim();
}
