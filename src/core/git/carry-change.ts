import { GitError, identityArgs, raw, rev } from './git.js';

export type CarryResult = { readonly commit: string } | { readonly conflicts: readonly string[] };

/**
 * Carries the change of `commit` onto `onto` with a three-way merge (their merge base is the best the
 * change was made on), without touching any worktree. The result is a commit whose first parent is `onto`
 * and whose second is `commit`, so git shows both lineages; or the files that conflict.
 */
export async function carryOnto(dir: string, commit: string, onto: string, message: string): Promise<CarryResult> {
  let out: string;
  try {
    out = await raw(dir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', rev(onto), rev(commit)]);
  } catch (err) {
    // Exit 1 is a conflict: the tree line, then one conflicted path a line.
    if (err instanceof GitError && err.exitCode === 1 && err.stdout.trim()) {
      const [, ...files] = err.stdout.split('\n').filter(Boolean);
      return { conflicts: [...new Set(files)] };
    }
    throw err;
  }
  const tree = out.split('\n')[0]!.trim();
  const id = await identityArgs(dir);
  const merged = (await raw(dir, [...id, 'commit-tree', rev(tree), '-p', rev(onto), '-p', rev(commit), '-m', message])).trim();
  return { commit: merged };
}
