// Which repository a harness git command opens. Git finds a repository by walking up from its working folder
// to the first `.git`, and a trainer may create one (`git init` in its writable subfolder of a monorepo): the
// harness's next `git status` there would read the agent's config. So every command names its repository
// with --git-dir and --work-tree: a slot worktree's from the worktree's own `.git` file, checked against the
// back-link git keeps in the main repository, and any other folder's from its first discovery in this
// process, with GIT_CEILING_DIRECTORIES so that discovery never climbs past a known top.
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

export interface GitPlace {
  /** The git folder (a linked worktree's is <common>/worktrees/<name>). */
  readonly gitDir: string;
  /** The repository's (or worktree's) top folder. */
  readonly top: string;
}

/** Folder → the top of the slot worktree it belongs to (registered by repo-place.ts). */
const pinnedTops = new Map<string, string>();
/** Folder → what discovery found the first time, for folders that are not slot worktrees. */
const discovered = new Map<string, GitPlace>();

/** `dir` lies in the worktree whose top is `top`: its repository is that worktree's, never one below it. */
export function pinWorktreeTop(dir: string, top: string): void {
  pinnedTops.set(path.resolve(dir), path.resolve(top));
}

/** After `git init` or a repository moved: find it again next time. */
export function forgetPlace(dir: string): void {
  discovered.delete(path.resolve(dir));
}

export function rememberDiscovered(dir: string, place: GitPlace): void {
  discovered.set(path.resolve(dir), place);
}

export class NotAWorktreeError extends Error {}

/**
 * The git folder of the linked worktree at `top`, read from its `.git` file and accepted only when git's own
 * back-link (<gitdir>/gitdir) names that file: a `.git` an agent wrote cannot point the harness elsewhere.
 */
export function worktreeGitDir(top: string): string {
  const dotGit = path.join(top, '.git');
  let text: string;
  try {
    if (!lstatSync(dotGit, { throwIfNoEntry: true }).isFile()) throw new NotAWorktreeError(`${dotGit} is not a worktree's .git file`);
    text = readFileSync(dotGit, 'utf8');
  } catch (err) {
    if (err instanceof NotAWorktreeError) throw err;
    throw new NotAWorktreeError(`${top} is not a git worktree (no .git file)`);
  }
  const m = /^gitdir: (.+)$/m.exec(text);
  if (!m) throw new NotAWorktreeError(`${dotGit} names no git folder`);
  const gitDir = path.resolve(top, m[1]!.trim());
  let back = '';
  try {
    back = readFileSync(path.join(gitDir, 'gitdir'), 'utf8').trim();
  } catch {
    // no back-link: not a worktree git made
  }
  if (!back || !samePath(path.resolve(gitDir, back), dotGit) || path.basename(path.dirname(gitDir)) !== 'worktrees') {
    throw new NotAWorktreeError(`${dotGit} points to ${gitDir}, which is not this worktree's git folder`);
  }
  return gitDir;
}

function samePath(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

/** The known place of `dir`, or null when it must be discovered (then pass the result to rememberDiscovered). */
export function knownPlace(dir: string): GitPlace | null {
  const key = path.resolve(dir);
  const top = pinnedTops.get(key);
  if (top !== undefined) return { gitDir: worktreeGitDir(top), top };
  const found = discovered.get(key);
  // A repository deleted since (a test's, a user's re-clone) is discovered again.
  if (found && statSync(path.join(found.gitDir, 'HEAD'), { throwIfNoEntry: false })) return found;
  if (found) discovered.delete(key);
  return null;
}

/** The git folder's common folder (where config, objects and refs live; the same for a main checkout). */
export function commonDir(gitDir: string): string {
  try {
    return path.resolve(gitDir, readFileSync(path.join(gitDir, 'commondir'), 'utf8').trim());
  } catch {
    return gitDir;
  }
}
