import { raw } from './git.js';
import { fromTop, repoPlace } from './repo-place.js';

export interface ChangedFile {
  readonly path: string;
  /** git's two-letter porcelain code, e.g. ' M', '??', ' D'. */
  readonly code: string;
}

/**
 * Everything that differs from HEAD in a worktree, untracked files included (ignored files excluded), in the
 * whole repository: paths are relative to `worktree`, so in a monorepo's subfolder a change elsewhere reads
 * `../other/x.py` (and matches no editable glob).
 */
export async function changedFiles(worktree: string, opts: { readonly ignored?: boolean } = {}): Promise<ChangedFile[]> {
  const { prefix } = await repoPlace(worktree);
  // With `ignored`, ignored files are listed too (code '!!'): what `git clean -x` would remove, known from the
  // same git process.
  const out = await raw(worktree, ['status', '--porcelain=v1', '-z', '--untracked-files=all', ...(opts.ignored ? ['--ignored=traditional'] : [])]);
  const result: ChangedFile[] = [];
  const parts = out.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i]!;
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    // Porcelain paths are always from the repository's top.
    result.push({ path: fromTop(prefix, entry.slice(3)), code });
    if (code.includes('R') || code.includes('C')) {
      const from = parts[i + 1];
      if (from) result.push({ path: fromTop(prefix, from), code: 'D ' });
      i += 1;
    }
  }
  return result;
}
