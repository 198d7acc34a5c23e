import { readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
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
 * git never lists a path named `.git`, so a repository a trainer made inside a tracked folder (`git init model/`)
 * survives `git clean`. The harness never opens it (explicit --git-dir, GIT_CEILING_DIRECTORIES), but nothing in
 * the writable tree may stay a `.git` for the next experiment (issue #20): every `.git` below the top, in any
 * letter case (case-insensitive file systems), is removed. Links are not followed; linked inputs are left alone.
 */
export async function removeNestedGitDirs(top: string, skip: readonly string[] = []): Promise<void> {
  const skipped = new Set(skip);
  const walk = async (dir: string, isTop: boolean): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const path = join(dir, e.name);
      if (skipped.has(path)) continue;
      if (e.name.toLowerCase() === '.git') {
        // The worktree's own `.git` (a file in a linked worktree, a folder in the main one) stays.
        if (!isTop) await rm(path, { recursive: true, force: true });
        continue;
      }
      if (e.isDirectory()) await walk(path, false);
    }
  };
  await walk(top, true);
}

/**
 * Put a worktree exactly at `commit`: tracked files reset, everything else removed except `keep`.
 * `nothingUntracked`: the caller knows the worktree held nothing untracked or ignored when it last left it (a
 * proposal worktree after a committed proposal, whose guard listed everything): the checkout alone suffices.
 */
export async function resetTo(worktree: string, commit: string, keep: readonly string[] = [], opts: { readonly nothingUntracked?: boolean } = {}): Promise<void> {
  // From the top: the project's subfolder may be gone (an agent deleted it), the worktree is not.
  const { top } = await repoPlace(worktree);
  // checkout does not take --end-of-options in every git version; rev() refuses anything option-like. A forced
  // checkout sets HEAD, the index and every tracked file to `commit` (staged new files go too), so no `reset
  // --hard` after it: one git process less between two experiments of a slot.
  await raw(top, ['checkout', '--detach', '--force', rev(commit)]);
  await cleanWorktree(worktree, keep, opts);
}

/** Move HEAD to `commit` and leave the index and the files on disk as they are (`git reset --soft`). */
export async function softResetTo(worktree: string, commit: string): Promise<void> {
  await raw(worktree, ['reset', '--soft', '--quiet', rev(commit)]);
}
