// Worktrees: one detached checkout per slot (and per proposal worktree) under .autoresearch/worktrees/, repaired if a crash
// left one broken, and given links to the untracked inputs (data/, .venv/) that training needs.
import { lstat, mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';
import { addWorktree, isHealthyWorktree, pruneWorktrees, removeWorktree } from '../git/worktree.js';
import { repoPlace, rememberRepoPlace } from '../git/repo-place.js';
import { resetTo } from '../git/reset-to.js';
import { slotWorktree } from '../project/paths.js';

/**
 * The slot's worktree, exactly at `commit`. It is a checkout of the whole repository; for a project in a
 * monorepo's subfolder (packages/model/) the returned path is that subfolder inside it, where commands run
 * and the agent works, and the worktree's git helpers (repo-place.ts) know where its top is.
 */
export async function prepareWorktree(projectDir: string, slot: number, commit: string, linked: readonly string[]): Promise<{ path: string; repaired: boolean }> {
  return prepareWorktreeAt(projectDir, slotWorktree(projectDir, slot), commit, linked);
}

/** The worktree at `wt` (a slot's, a proposal's), exactly at `commit`; rebuilt when broken. */
export async function prepareWorktreeAt(projectDir: string, wt: string, commit: string, linked: readonly string[]): Promise<{ path: string; repaired: boolean }> {
  const { prefix } = await repoPlace(projectDir);
  const copy = prefix ? path.join(wt, ...prefix.split('/')) : wt;
  rememberRepoPlace(copy, { top: wt, prefix });
  rememberRepoPlace(wt, { top: wt, prefix: '' });
  let repaired = false;
  if (await isHealthyWorktree(wt)) {
    try {
      await resetTo(copy, commit, linked);
    } catch {
      repaired = true;
    }
  } else {
    repaired = (await lstat(wt).catch(() => null)) !== null;
  }
  if (repaired || !(await isHealthyWorktree(wt))) {
    await removeWorktree(projectDir, wt);
    await pruneWorktrees(projectDir).catch(() => undefined);
    await mkdir(path.dirname(wt), { recursive: true });
    await addWorktree(projectDir, wt, commit);
  }
  await linkInputs(projectDir, copy, linked);
  return { path: copy, repaired };
}

/** Symlink each untracked input of the project into the worktree's copy of it (data/ → the project's data/). */
export async function linkInputs(projectDir: string, worktree: string, linked: readonly string[]): Promise<void> {
  for (const rel of linked) {
    const clean = rel.replace(/\/+$/, '');
    if (!clean || clean.includes('..') || path.isAbsolute(clean)) continue;
    const source = path.join(projectDir, clean);
    const target = path.join(worktree, clean);
    if (!(await lstat(source).catch(() => null))) continue;
    if (await lstat(target).catch(() => null)) continue;
    await mkdir(path.dirname(target), { recursive: true });
    await symlink(source, target);
  }
}
