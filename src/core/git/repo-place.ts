// Where a folder sits in its git repository. A project may be a subfolder of a monorepo (packages/model/):
// the harness then works inside that subfolder while git speaks in paths from the repository's top, so the
// helpers that list, clean or compare files translate between the two here.
import path from 'node:path';
import { raw } from './git.js';
import { pinWorktreeTop } from './git-place.js';

export interface RepoPlace {
  /** The repository's (or worktree's) top folder. */
  readonly top: string;
  /** The folder's path inside the repository with forward slashes: '' at the top, else e.g. 'packages/model'. */
  readonly prefix: string;
}

// Slot worktrees are asked about several times per experiment, so their place (which cannot change: the
// worktree's path and the project's prefix are fixed) is remembered when the worktree is prepared. Its
// repository is pinned too: git in that folder opens the worktree's own git folder, never a `.git` an agent
// made below the worktree's top (git-place.ts).
const remembered = new Map<string, RepoPlace>();

export function rememberRepoPlace(dir: string, place: RepoPlace): void {
  remembered.set(path.resolve(dir), place);
  pinWorktreeTop(dir, place.top);
}

export async function repoPlace(dir: string): Promise<RepoPlace> {
  const known = remembered.get(path.resolve(dir));
  if (known) return known;
  const [prefix = '', cdup = ''] = (await raw(dir, ['rev-parse', '--show-prefix', '--show-cdup'])).split('\n');
  return { top: path.resolve(dir, cdup.trim() || '.'), prefix: prefix.trim().replace(/\/+$/, '') };
}

/** A path from the repository's top as the folder at `prefix` sees it (`../other/x.py` when outside it). */
export function fromTop(prefix: string, topRelative: string): string {
  return prefix ? path.posix.relative(prefix, topRelative) : topRelative;
}

/** A path relative to the folder at `prefix` as the repository's top sees it. */
export function toTop(prefix: string, relative: string): string {
  return prefix ? path.posix.join(prefix, relative) : relative;
}
