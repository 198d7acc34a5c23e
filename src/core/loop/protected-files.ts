// Protected files (the evaluator, data preparation) must stay byte-identical to the run's start commit.
// The hashes are taken once from the start commit; every experiment is checked before and after it runs.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { changedFiles } from '../git/changed-files.js';
import { raw, rawBuffer, rev } from '../git/git.js';
import { repoPlace } from '../git/repo-place.js';

export type ProtectedHashes = ReadonlyMap<string, string>;

/**
 * sha256 of every tracked file of `commit` that matches the globs, read from git (not the disk). Run in a
 * monorepo's subfolder, ls-tree lists that subfolder with paths relative to it, and `commit:./file` reads
 * them from there, so the globs apply as the project sees its files.
 */
export async function protectedHashesAt(repo: string, commit: string, globs: readonly string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  if (globs.length === 0) return hashes;
  const isProtected = picomatch([...globs], { dot: true });
  const files = (await raw(repo, ['ls-tree', '-r', '-z', '--name-only', '--end-of-options', rev(commit)])).split('\0').filter((f) => f && isProtected(f));
  for (const file of files) {
    const content = await gitShowBuffer(repo, `${commit}:./${file}`);
    hashes.set(file, createHash('sha256').update(content).digest('hex'));
  }
  return hashes;
}

function gitShowBuffer(repo: string, spec: string): Promise<Buffer> {
  return rawBuffer(repo, ['cat-file', 'blob', '--end-of-options', rev(spec)]);
}

/**
 * The protected files whose content in `worktree` differs from the expected hashes (or are missing). For a
 * project in a monorepo's subfolder, everything outside the subfolder is protected too (an evaluator may
 * live in ../shared): a tracked file changed or a file added there is listed as `../shared/eval.py`.
 */
export async function changedProtectedFiles(worktree: string, expected: ProtectedHashes): Promise<string[]> {
  const changed: string[] = [];
  for (const [file, hash] of expected) {
    const content = await readFile(path.join(worktree, file)).catch(() => null);
    if (!content || createHash('sha256').update(content).digest('hex') !== hash) changed.push(file);
  }
  const { prefix } = await repoPlace(worktree);
  if (prefix) changed.push(...(await changedFiles(worktree)).map((c) => c.path).filter((f) => f.startsWith('../')));
  return [...new Set(changed)];
}
