import { GitError, identityArgs, raw, rev } from './git.js';

export type ApplyResult = { readonly tree: string } | { readonly conflicts: readonly string[] };

/**
 * The tree of `onto` (a commit or a tree) with the change `from` → `to` applied (a cherry-pick), without
 * touching any worktree or index. merge-tree merges from the two commits' merge base, so both sides are re-parented onto a root copy of
 * `from` first: that copy becomes the merge base, and only the change from → to is brought over.
 */
export async function applyChangeTree(dir: string, from: string, to: string, onto: string): Promise<ApplyResult> {
  const id = await identityArgs(dir);
  const commitTree = async (commit: string, parent: string | null) =>
    (await raw(dir, [...id, 'commit-tree', rev(`${commit}^{tree}`), ...(parent ? ['-p', rev(parent)] : []), '-m', 'autoresearch: change to apply'])).trim();
  const base = await commitTree(from, null);
  const theirs = await commitTree(to, base);
  const ours = await commitTree(onto, base);
  try {
    const out = await raw(dir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', rev(ours), rev(theirs)]);
    return { tree: out.split('\n')[0]!.trim() };
  } catch (err) {
    // Exit 1 is a conflict: the tree line, then one conflicted path a line.
    if (err instanceof GitError && err.exitCode === 1 && err.stdout.trim()) {
      const [, ...files] = err.stdout.split('\n').filter(Boolean);
      // Named relative to `dir` by git itself, as a project in a monorepo's subfolder sees them.
      return { conflicts: [...new Set(files)] };
    }
    throw err;
  }
}
