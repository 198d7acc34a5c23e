// Slot worktrees: detached checkouts under .autoresearch/worktrees/, so the user's checkout is never touched.
import { rm } from 'node:fs/promises';
import { raw, rev } from './git.js';

export async function addWorktree(repo: string, worktreePath: string, commit: string): Promise<void> {
  await raw(repo, ['worktree', 'add', '--detach', '--force', '--end-of-options', worktreePath, rev(commit)]);
}

export async function pruneWorktrees(repo: string): Promise<void> {
  await raw(repo, ['worktree', 'prune']);
}

export async function removeWorktree(repo: string, worktreePath: string): Promise<void> {
  await raw(repo, ['worktree', 'remove', '--force', worktreePath]).catch(() => undefined);
  await rm(worktreePath, { recursive: true, force: true });
  await pruneWorktrees(repo).catch(() => undefined);
}
