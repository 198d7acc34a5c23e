import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { GitError, identityArgs, raw, rawBuffer, rawWithIndex, rev } from './git.js';
import { mergeZeroContext, parseZeroContextHunks } from './line-merge.js';

export type CarryResult = { readonly commit: string } | { readonly conflicts: readonly string[] };

/**
 * Carries the change of `commit` onto `onto` with a three-way merge (their merge base is the best the
 * change was made on), without touching any worktree. The result is a commit whose first parent is `onto`
 * and whose second is `commit`, so git shows both lineages; or the files that conflict. Files git's merge
 * calls conflicting only because the two changes touch neighbouring lines are merged line by line
 * (line-merge.ts): with working ahead by default, a proposal made while the best changed the line above is the
 * common case in a block of hyperparameters.
 */
export async function carryOnto(dir: string, commit: string, onto: string, message: string): Promise<CarryResult> {
  let out: string;
  try {
    out = await raw(dir, ['merge-tree', '--write-tree', '--name-only', '--no-messages', rev(onto), rev(commit)]);
  } catch (err) {
    // Exit 1 is a conflict: the tree line, then one conflicted path a line.
    if (err instanceof GitError && err.exitCode === 1 && err.stdout.trim()) {
      const [tree, ...files] = err.stdout.split('\n').filter(Boolean);
      const conflicts = [...new Set(files)];
      const mergedTree = await mergeNeighbours(dir, commit, onto, tree!.trim(), conflicts).catch(() => null);
      if (mergedTree === null) return { conflicts };
      out = mergedTree;
    } else throw err;
  }
  const tree = out.split('\n')[0]!.trim();
  const id = await identityArgs(dir);
  const merged = (await raw(dir, [...id, 'commit-tree', rev(tree), '-p', rev(onto), '-p', rev(commit), '-m', message])).trim();
  return { commit: merged };
}

/**
 * The tree of git's merge with each conflicted file merged line by line instead, or null when a file's changes
 * really overlap (or it is not a plain text file both sides changed). The base is the proposal's parent.
 */
async function mergeNeighbours(dir: string, commit: string, onto: string, mergeTree: string, files: readonly string[]): Promise<string | null> {
  if (files.length === 0) return null;
  const base = `${rev(commit)}^`;
  const merged = new Map<string, string>();
  for (const file of files) {
    const diff = (to: string) => raw(dir, ['diff', '-U0', '--no-color', '--no-renames', base, rev(to), '--', file]);
    const [oursPatch, theirsPatch] = await Promise.all([diff(onto), diff(commit)]);
    // Added, deleted, binary or mode changes: git's answer stands.
    if (/^(new file|deleted file|old mode|Binary files)/m.test(oursPatch + theirsPatch)) return null;
    const ours = parseZeroContextHunks(oursPatch);
    const theirs = parseZeroContextHunks(theirsPatch);
    if (!ours || !theirs) return null;
    const text = (await rawBuffer(dir, ['cat-file', 'blob', `${base}:${file}`])).toString('utf8');
    if (text === '' || text.includes('\0')) return null;
    // Lines are split at \n only, as git's diff splits them: a CRLF file's lines keep their \r, in the hunks too,
    // and come out as they went in. A last line without a newline stays so; a side that changed that line (or
    // added after it) has a "\ No newline" marker in its hunks, and parseZeroContextHunks gave up on it above.
    const finalNewline = text.endsWith('\n');
    const lines = mergeZeroContext((finalNewline ? text.slice(0, -1) : text).split('\n'), ours, theirs);
    if (!lines) return null;
    merged.set(file, lines.join('\n') + (finalNewline ? '\n' : ''));
  }
  // Git's merged tree (every other file merged by git), with these files put in: in an index of its own.
  const tmp = await mkdtemp(path.join(tmpdir(), 'ar-carry-'));
  try {
    const index = path.join(tmp, 'index');
    await rawWithIndex(dir, ['read-tree', rev(mergeTree)], index);
    for (const [file, content] of merged) {
      const blobFile = path.join(tmp, 'blob');
      await writeFile(blobFile, content);
      const blob = (await raw(dir, ['hash-object', '-w', '--no-filters', blobFile])).trim();
      const mode = (await raw(dir, ['ls-tree', rev(onto), '--', file])).split(/\s/)[0]!;
      await rawWithIndex(dir, ['update-index', '--cacheinfo', `${mode},${blob},${file}`], index);
    }
    return (await rawWithIndex(dir, ['write-tree'], index)).trim();
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
