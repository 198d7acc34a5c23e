import { readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { raw, rev } from './git.js';
import { repoPlace, toTop } from './repo-place.js';

/**
 * `-e /<path>` for each linked input, so `git clean -x` leaves the links (data/, .venv/) alone. The patterns
 * are read from the repository's top, so a project in a subfolder names its inputs under its prefix.
 */
function keepArgs(keep: readonly string[], prefix: string): string[] {
  return keep
    .map((k) => k.trim().replace(/^\/+|\/+$/g, ''))
    .filter((k) => k !== '' && !k.startsWith('-'))
    .flatMap((k) => ['-e', `/${toTop(prefix, k)}`]);
}

/**
 * Remove everything in a worktree that is not in its HEAD commit: untracked files and ignored ones too
 * (a `.pth` or `.pyc` planted by one experiment must not run in the next), nested repositories included.
 * Only `keep` (the linked inputs, relative to `worktree`) survives. `worktree` may be a project's subfolder
 * of a worktree: the whole worktree is cleaned all the same (git clean in a subfolder would clean only it).
 */
export async function cleanWorktree(worktree: string, keep: readonly string[] = [], opts: { readonly nothingUntracked?: boolean } = {}): Promise<void> {
  const { top, prefix } = await repoPlace(worktree);
  // The caller just listed the worktree (git status --ignored) and found nothing git clean would remove: one
  // git process less between two experiments. Nested repositories, which git never lists, are looked for anyway.
  if (!opts.nothingUntracked) await raw(top, ['clean', '-ffdx', '--quiet', ...keepArgs(keep, prefix)]);
  await removeNestedGitDirs(top, keep.map((k) => resolve(worktree, k)));
}

/**
 * What each worktree held when it was last left clean (every path in it tracked, or a linked input): its paths and
 * their kinds, recorded by the walk that follows every clean (removeNestedGitDirs). The next reset compares the
 * worktree with it and removes what is new itself (removeNew), instead of a `git clean` process between two
 * experiments. Only this process's resets record it: a worktree made again (prepareWorktreeAt) is forgotten.
 */
const leftClean = new Map<string, Set<string>>();

/** The worktree at `top` was made again (or removed): nothing is known of what it holds. */
export function forgetCleanState(top: string): void {
  leftClean.delete(resolve(top));
}

const kindOf = (e: { isDirectory(): boolean; isSymbolicLink(): boolean }) => (e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : 'f');
/** A name read back from readdir that is not the name on disk (not valid UTF-8): it could not be removed by it. */
const unreadable = (name: string) => name.includes('\uFFFD');

/**
 * Every path below `top` with its kind ("d model", "f model/net.py"), not descending into `skip` (the linked inputs)
 * or a `.git`; `nestedGit` is handed each `.git` below the top (the top's own is the worktree's). `readable` is false
 * where a name is not valid UTF-8.
 */
async function walkTree(top: string, skip: ReadonlySet<string>, nestedGit?: (path: string) => Promise<unknown>): Promise<{ paths: Set<string>; readable: boolean }> {
  const paths = new Set<string>();
  let readable = true;
  const walk = async (dir: string, rel: string): Promise<void> => {
    for (const e of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (skip.has(path)) continue;
      if (e.name.toLowerCase() === '.git') {
        if (rel !== '' && nestedGit) await nestedGit(path);
        continue;
      }
      if (unreadable(e.name)) readable = false;
      const r = rel ? `${rel}/${e.name}` : e.name;
      paths.add(`${kindOf(e)} ${r}`);
      if (e.isDirectory()) await walk(path, r);
    }
  };
  await walk(top, '');
  return { paths, readable };
}

/**
 * Removes what appeared in the worktree since it was last left clean: what a trainer (or an agent) made there,
 * ignored by git or not, as `git clean -ffdx` would. Tracked files it changed or deleted are the forced checkout's
 * to restore. false (nothing removed) where the worktree is not known, a name cannot be read, or a path changed
 * kind (a tracked file become a folder or a link): then `git clean` does it after the checkout, as before.
 */
export async function removeNewSinceClean(worktree: string, keep: readonly string[] = []): Promise<boolean> {
  const { top } = await repoPlace(worktree);
  return removeNew(top, new Set(keep.map((k) => resolve(worktree, k))));
}

async function removeNew(top: string, skip: ReadonlySet<string>): Promise<boolean> {
  const before = leftClean.get(resolve(top));
  if (!before) return false;
  const { paths: now, readable } = await walkTree(top, skip);
  if (!readable) return false;
  const known = new Set([...before].map((p) => p.slice(2)));
  const fresh: string[] = [];
  for (const p of now) {
    if (before.has(p)) continue;
    const rel = p.slice(2);
    if (known.has(rel)) return false; // the same path, another kind
    fresh.push(rel);
  }
  // The outermost new paths only: removing a new folder removes what is in it. (A nested `.git` in a new folder
  // goes with it; one in a tracked folder is removeNestedGitDirs's, after the checkout.)
  const isNew = new Set(fresh);
  const outermost = fresh.filter((rel) => {
    for (let d = dirname(rel); d !== '.'; d = dirname(d)) if (isNew.has(d)) return false;
    return true;
  });
  // force: false, so a path that cannot be removed is an error, and the caller falls back to git clean.
  for (const rel of outermost) await rm(join(top, rel), { recursive: true, force: false });
  return true;
}

/**
 * git never lists a path named `.git`, so a repository a trainer made inside a tracked folder (`git init model/`)
 * survives `git clean`. The harness never opens it (explicit --git-dir, GIT_CEILING_DIRECTORIES), but nothing in
 * the writable tree may stay a `.git` for the next experiment (issue #20): every `.git` below the top, in any
 * letter case (case-insensitive file systems), is removed. Links are not followed; linked inputs are left alone.
 */
export async function removeNestedGitDirs(top: string, skip: readonly string[] = []): Promise<void> {
  // The same walk records what the worktree holds now that it is clean (leftClean), for the next reset.
  leftClean.delete(resolve(top));
  const { paths, readable } = await walkTree(top, new Set(skip), (path) => rm(path, { recursive: true, force: true }));
  if (readable) leftClean.set(resolve(top), paths);
}

/**
 * Put a worktree exactly at `commit`: tracked files reset, everything else removed except `keep`.
 * `nothingUntracked`: the caller knows the worktree held nothing untracked or ignored when it last left it (a
 * proposal worktree after a committed proposal, whose guard listed everything): the checkout alone suffices.
 */
export async function resetTo(worktree: string, commit: string, keep: readonly string[] = [], opts: { readonly nothingUntracked?: boolean } = {}): Promise<void> {
  // From the top: the project's subfolder may be gone (an agent deleted it), the worktree is not.
  const { top } = await repoPlace(worktree);
  // What appeared since the worktree was last left clean is removed here, before the checkout, with no git
  // process (removeNew); where that cannot be done, git clean after the checkout, as always.
  const skip = new Set(keep.map((k) => resolve(worktree, k)));
  const removed = opts.nothingUntracked === true || (await removeNew(top, skip).catch(() => false));
  // checkout does not take --end-of-options in every git version; rev() refuses anything option-like. A forced
  // checkout sets HEAD, the index and every tracked file to `commit` (staged new files go too), so no `reset
  // --hard` after it: one git process less between two experiments of a slot.
  await raw(top, ['checkout', '--detach', '--force', rev(commit)]);
  await cleanWorktree(worktree, keep, { nothingUntracked: removed });
}

/** Move HEAD to `commit` and leave the index and the files on disk as they are (`git reset --soft`). */
export async function softResetTo(worktree: string, commit: string): Promise<void> {
  await raw(worktree, ['reset', '--soft', '--quiet', rev(commit)]);
}
