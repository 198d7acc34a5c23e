import { raw } from './git.js';

export interface ChangedFile {
  readonly path: string;
  /** git's two-letter porcelain code, e.g. ' M', '??', ' D'. */
  readonly code: string;
}

/** Everything that differs from HEAD in a worktree, untracked files included (ignored files excluded). */
export async function changedFiles(worktree: string): Promise<ChangedFile[]> {
  const out = await raw(worktree, ['status', '--porcelain=v1', '-z', '--untracked-files=all']);
  const result: ChangedFile[] = [];
  const parts = out.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i]!;
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    result.push({ path: entry.slice(3), code });
    if (code.includes('R') || code.includes('C')) {
      const from = parts[i + 1];
      if (from) result.push({ path: from, code: 'D ' });
      i += 1;
    }
  }
  return result;
}
