// Worktrees: one detached checkout per slot (and per proposal worktree) under .autoresearch/worktrees/, repaired if a crash
// left one broken, and given links to the untracked inputs (data/, .venv/) that training needs.
import { lstat, mkdir, rm, symlink } from 'node:fs/promises';
import path from 'node:path';
import { restoreBase } from '../git/fast-commit.js';
import { addWorktree, pruneWorktrees, removeWorktree } from '../git/worktree.js';
import { repoPlace, rememberRepoPlace, type RepoPlace } from '../git/repo-place.js';
import { forgetCleanState, resetTo } from '../git/reset-to.js';
import { slotWorktree } from '../project/paths.js';

/**
 * The slot's worktree, exactly at `commit`. It is a checkout of the whole repository; for a project in a
 * monorepo's subfolder (packages/model/) the returned path is that subfolder inside it, where commands run
 * and the agent works, and the worktree's git helpers (repo-place.ts) know where its top is.
 */
export async function prepareWorktree(projectDir: string, slot: number, commit: string, linked: readonly string[]): Promise<{ path: string; repaired: boolean }> {
  return prepareWorktreeAt(projectDir, slotWorktree(projectDir, slot), commit, linked);
}

/**
 * The worktrees this process made, by project: as a run ends it removes the slot worktrees it made that no
 * experiment ran in (removeUnusedWorktrees), so a run with many slots and few experiments leaves no pile of
 * checkouts. Those an experiment ran in stay for a look at what it left and for a resume; an earlier run's stay.
 */
const created = new Map<string, Set<string>>();

/**
 * The project's place in its repository (its prefix in a monorepo), asked of git once per project and process:
 * a project folder cannot move inside its repository while a run holds it, and asking costs a git process per
 * experiment otherwise.
 */
const projectPlaces = new Map<string, Promise<RepoPlace>>();
function projectPlace(projectDir: string): Promise<RepoPlace> {
  const key = path.resolve(projectDir);
  let place = projectPlaces.get(key);
  if (!place) {
    place = repoPlace(projectDir);
    projectPlaces.set(key, place);
    // A failure (not a repository yet) is not remembered: the next call asks again.
    place.catch(() => projectPlaces.delete(key));
  }
  return place;
}

/**
 * The worktree at `wt` (a slot's, a proposal's), exactly at `commit`; rebuilt when broken. `nothingUntracked`: see
 * resetTo (the worktree was left with nothing untracked, so no `git clean` after the checkout).
 */
export async function prepareWorktreeAt(projectDir: string, wt: string, commit: string, linked: readonly string[], opts: { readonly nothingUntracked?: boolean } = {}): Promise<{ path: string; repaired: boolean }> {
  const { prefix } = await projectPlace(projectDir);
  const exists = (await lstat(wt).catch(() => null)) !== null;
  if (!exists) {
    const key = path.resolve(projectDir);
    created.set(key, (created.get(key) ?? new Set()).add(path.resolve(wt)));
  }
  const copy = prefix ? path.join(wt, ...prefix.split('/')) : wt;
  rememberRepoPlace(copy, { top: wt, prefix });
  rememberRepoPlace(wt, { top: wt, prefix: '' });
  // No separate health check first (a `git rev-parse` per experiment): the forced checkout is one. It opens
  // the worktree's git folder through its `.git` file, which git-place.ts checks against git's back-link, and
  // fails on a worktree a crash or an agent broke; then the worktree is made again.
  let repaired = false;
  let reset = false;
  if (exists) {
    try {
      await resetTo(copy, commit, linked, opts);
      reset = true;
    } catch {
      repaired = true;
    }
  }
  if (!reset) {
    forgetCleanState(wt);
    await removeWorktree(projectDir, wt);
    await pruneWorktrees(projectDir).catch(() => undefined);
    await mkdir(path.dirname(wt), { recursive: true });
    await addWorktree(projectDir, wt, commit);
  }
  await linkInputs(projectDir, copy, linked);
  return { path: copy, repaired };
}

/**
 * Proposal worktree `wt` put back at `base` without a checkout, when its last proposal's commit left HEAD there and
 * changed only `paths` (git/fast-commit.ts, restoreBase). Its path (the project's folder in it), or null when it
 * could not be: the caller then prepares it with prepareWorktreeAt, which checks it out (and repairs it).
 */
export async function restoreWorktreeAt(projectDir: string, wt: string, base: string, paths: readonly string[], linked: readonly string[]): Promise<string | null> {
  try {
    const { prefix } = await projectPlace(projectDir);
    const copy = prefix ? path.join(wt, ...prefix.split('/')) : wt;
    await restoreBase(copy, base, paths);
    await linkInputs(projectDir, copy, linked);
    return copy;
  } catch {
    return null;
  }
}

/**
 * Removes the slot worktrees this process made for the project whose slot ran no experiment (`usedSlots` are the
 * slots of the run's experiments). Called as the run ends, while it still holds the run lock: nothing runs in them
 * and no other run can have taken them. One `git worktree prune` for all. Returns how many it removed.
 */
export async function removeUnusedWorktrees(projectDir: string, usedSlots: Iterable<number>): Promise<number> {
  const key = path.resolve(projectDir);
  const mine = [...(created.get(key) ?? [])];
  created.delete(key);
  const used = new Set(usedSlots);
  const unused = mine.filter((wt) => {
    const slot = /^slot-(\d+)$/.exec(path.basename(wt));
    return slot !== null && wt === path.resolve(slotWorktree(projectDir, Number(slot[1]))) && !used.has(Number(slot[1]));
  });
  if (unused.length === 0) return 0;
  for (const wt of unused) await rm(wt, { recursive: true, force: true });
  await pruneWorktrees(projectDir);
  return unused.length;
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
