// The guardrails every proposal passes after the proposer returns, whoever made the change (claude through
// the Workspace, an agent CLI with full file access, the mutation proposer): only editable files changed,
// protected files byte-identical, the diff not empty and not larger than the cap, and not only a new random seed.
import { createHash } from 'node:crypto';
import { lstat, readFile, readlink, rm } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import type { ProjectConfig } from '../../shared/config.js';
import { changedFiles } from '../git/changed-files.js';
import { raw, rev } from '../git/git.js';
import { fromTop, repoPlace } from '../git/repo-place.js';
import { APP_DIR } from '../project/paths.js';
import { secretsIn } from '../util/redact.js';
import { seedOnlyChange } from './seed-only.js';

export type GuardResult =
  | {
      readonly ok: true;
      readonly changedFiles: string[];
      readonly changedLines: number;
      /**
       * Whether anything besides the change and the linked inputs is in the worktree (ignored files, the app's
       * folder): once the change is committed, `git clean` has something to remove only then.
       */
      readonly leftovers: boolean;
    }
  | { readonly ok: false; readonly reason: string; readonly changedFiles: string[] };

const MAX_LISTED = 8;
const listed = (files: readonly string[]) =>
  files.length <= MAX_LISTED ? files.join(', ') : `${files.slice(0, MAX_LISTED).join(', ')} and ${files.length - MAX_LISTED} more`;

/** sha256 of a file as it is on disk; a symbolic link hashes as its target path (never followed). */
async function hashPath(abs: string): Promise<string | null> {
  const info = await lstat(abs).catch(() => null);
  if (!info) return null;
  const h = createHash('sha256');
  if (info.isSymbolicLink()) h.update(`symlink:${await readlink(abs)}`);
  else if (info.isFile()) h.update(await readFile(abs));
  else h.update(`not-a-file:${info.mode}`);
  return h.digest('hex');
}

/** sha256 of each tracked file of the worktree that matches the globs, as it is on disk now. */
export async function hashProtectedFiles(worktree: string, globs: readonly string[]): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  if (globs.length === 0) return hashes;
  const isProtected = picomatch([...globs], { dot: true });
  const tracked = (await raw(worktree, ['ls-files', '-z', '--cached'])).split('\0').filter((f) => f && isProtected(f));
  for (const file of tracked.sort()) {
    const hash = await hashPath(path.join(worktree, file));
    if (hash !== null) hashes.set(file, hash);
  }
  return hashes;
}

/**
 * What the guard reads of the tracked changes, from one git process (numstat and the -U0 patch together):
 * three separate diffs would cost two more git processes between two experiments (bench/loop-overhead).
 */
interface TrackedDiff {
  /** `git diff --numstat` rows. */
  readonly numstat: string;
  /** `git diff -U0` of the same files. */
  readonly patch: string;
}

async function trackedDiff(worktree: string, tracked: readonly string[]): Promise<TrackedDiff> {
  if (!tracked.length) return { numstat: '', patch: '' };
  const out = await raw(worktree, ['diff', '--numstat', '--patch', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', 'HEAD', '--', ...tracked]);
  // The numstat rows come first (git quotes a path with a newline, so no row starts a line with "diff --git ").
  const at = `\n${out}`.indexOf('\ndiff --git ');
  return at < 0 ? { numstat: out, patch: '' } : { numstat: out.slice(0, at), patch: out.slice(at) };
}

/**
 * Every tracked change of the worktree, by one `git diff` started beside the guard's `git status` (both only
 * read), with the paths it covers: when they are the tracked files the guard asks about, which is the usual case
 * (an editable file changed), the status and the diff run at once instead of one after the other, one git
 * process less between two experiments (bench/loop-overhead). Null when git failed.
 */
async function wholeTrackedDiff(worktree: string): Promise<{ readonly files: ReadonlySet<string>; readonly diff: TrackedDiff } | null> {
  const { prefix } = await repoPlace(worktree);
  const out = await raw(worktree, ['diff', '-z', '--numstat', '--patch', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '--no-renames', 'HEAD']);
  // With -z the numstat rows are `added\tdeleted\tpath\0` (paths as they are, from the repository's top), then an
  // empty record, then the patch (which has no NUL: git shows a file with one as binary).
  const files = new Set<string>();
  const rows: string[] = [];
  let at = 0;
  while (at < out.length) {
    const end = out.indexOf('\0', at);
    if (end < 0) return null;
    const record = out.slice(at, end);
    at = end + 1;
    if (record === '') break;
    const m = /^([0-9]+|-)\t([0-9]+|-)\t([^]*)$/.exec(record);
    if (!m) return null;
    rows.push(`${m[1]}\t${m[2]}\t`);
    files.add(fromTop(prefix, m[3]!));
  }
  return { files, diff: { numstat: rows.join('\n'), patch: out.slice(at) } };
}

/** The tracked diff of `tracked`: the whole one when it covers exactly those files, else a diff of them. */
async function diffOfTracked(worktree: string, tracked: readonly string[], whole: Promise<Awaited<ReturnType<typeof wholeTrackedDiff>>>): Promise<TrackedDiff> {
  if (!tracked.length) return { numstat: '', patch: '' };
  const w = await whole;
  if (w && w.files.size === tracked.length && tracked.every((f) => w.files.has(f))) return w.diff;
  return trackedDiff(worktree, tracked);
}

/** Lines a change adds and removes: git's count for tracked files, the line count for new ones. */
async function countChangedLines(worktree: string, diff: TrackedDiff, untracked: readonly string[]): Promise<number> {
  let lines = 0;
  for (const row of diff.numstat.split('\n').filter(Boolean)) {
    const [a, d] = row.split('\t');
    // Binary files show "-": count them as one line each so they are not free.
    lines += a === '-' ? 1 : Number(a) || 0;
    lines += d === '-' ? 0 : Number(d) || 0;
  }
  for (const file of untracked) {
    // Gone since git listed it (the agent's process may still be writing): it counts no lines.
    const content = await readFile(path.join(worktree, file)).catch(() => null);
    if (!content) continue;
    if (content.includes(0)) lines += 1;
    else lines += content.toString('utf8').split('\n').length - (content.at(-1) === 0x0a ? 1 : 0);
  }
  return lines;
}

/** The lines a -U0 patch adds, without its `+++ b/file` headers (an added line "++x" reads "+++x" and stays). */
function addedLines(patch: string): string {
  const lines = patch.split('\n');
  return lines.filter((l, i) => l.startsWith('+') && !(l.startsWith('+++ ') && (lines[i - 1] ?? '').startsWith('--- '))).join('\n');
}

/** The names of the app's secrets that the change adds (its added lines, its new files). */
async function secretsAdded(worktree: string, diff: TrackedDiff, untracked: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  for (const name of secretsIn(addedLines(diff.patch))) found.add(name);
  for (const file of untracked) {
    const content = await readFile(path.join(worktree, file)).catch(() => null);
    if (content) for (const name of secretsIn(content.toString('utf8'))) found.add(name);
  }
  return [...found];
}

export async function guardDiff(opts: {
  worktree: string;
  config: ProjectConfig;
  protectedHashes: ReadonlyMap<string, string>;
}): Promise<GuardResult> {
  const { worktree, config, protectedHashes } = opts;
  const isEditable = picomatch([...config.files.editable], { dot: true });
  // Any letter case: on a case-insensitive volume PREPARE.PY is the protected prepare.py.
  const isProtected = config.files.protected.length ? picomatch([...config.files.protected], { dot: true, nocase: true }) : () => false;
  // Links to untracked inputs (data/, .venv/) and the app's own folder are the harness's, not the proposal's.
  const linked = config.files.linked.map((l) => l.replace(/\/+$/, ''));
  const isHarnessPath = (f: string) => f === APP_DIR || f.startsWith(`${APP_DIR}/`) || linked.some((l) => f === l || f.startsWith(`${l}/`));

  const whole = wholeTrackedDiff(worktree).catch(() => null);
  const entries = await changedFiles(worktree, { ignored: true });
  const isLinked = (f: string) => linked.some((l) => f === l || f.startsWith(`${l}/`));
  const leftovers = entries.some((c) => (c.code === '!!' || (c.code === '??' && isHarnessPath(c.path))) && !isLinked(c.path));
  const changes = entries.filter((c) => c.code !== '!!' && !isHarnessPath(c.path));
  const files = [...new Set(changes.map((c) => c.path))].sort();

  // Protected files are compared with their hashes even when git does not list them (e.g. marked
  // assume-unchanged), because an agent with shell access could arrange that.
  const tampered: string[] = [];
  for (const [file, expected] of protectedHashes) {
    if ((await hashPath(path.join(worktree, file))) !== expected) tampered.push(file);
  }
  const protectedChanged = [...new Set([...tampered, ...files.filter((f) => isProtected(f))])].sort();
  if (protectedChanged.length) {
    return {
      ok: false,
      reason: `The proposal changed protected files (${listed(protectedChanged)}); they must stay byte-identical, so nothing of it runs.`,
      changedFiles: [...new Set([...files, ...protectedChanged])].sort(),
    };
  }
  if (files.length === 0) return { ok: false, reason: 'The proposal changed no file (empty diff).', changedFiles: [] };

  const outside = files.filter((f) => !isEditable(f));
  if (outside.length) {
    return {
      ok: false,
      reason: `The proposal changed files outside the editable ones (${config.files.editable.join(', ')}): ${listed(outside)}.`,
      changedFiles: files,
    };
  }

  // A changed file must be a plain file: a symbolic link (train.py -> ~/.ssh/id_ed25519) or a hard link would be
  // committed as, or point the run at, something outside the project.
  const links: string[] = [];
  for (const f of files) {
    const info = await lstat(path.join(worktree, f)).catch(() => null);
    if (info && (info.isSymbolicLink() || (info.isFile() && info.nlink > 1))) links.push(f);
  }
  if (links.length) {
    return { ok: false, reason: `The proposal made links instead of files (${listed(links)}); only plain files may change.`, changedFiles: files };
  }

  const untracked = changes.filter((c) => c.code === '??').map((c) => c.path);
  const tracked = files.filter((f) => !untracked.includes(f));
  // A change that writes one of the app's secrets (the API key) into a file would carry it into git, the
  // trainer and every diff shown: it is refused whole, not committed with the key in it.
  const diff = await diffOfTracked(worktree, tracked, whole);
  const secrets = await secretsAdded(worktree, diff, untracked);
  if (secrets.length) {
    return { ok: false, reason: `The change contains a secret value (${secrets.join(', ')}); it was not committed.`, changedFiles: files };
  }
  const changedLines = await countChangedLines(worktree, diff, untracked);
  if (changedLines > config.agent.maxDiffLines) {
    return {
      ok: false,
      reason: `The proposal changed ${changedLines} lines, more than agent.maxDiffLines (${config.agent.maxDiffLines}). Ask for smaller steps or raise the cap.`,
      changedFiles: files,
    };
  }
  // A new seed is not an improvement: it only re-rolls the luck the rule would then call a win (seed-only.ts).
  if (untracked.length === 0) {
    const seed = seedOnlyChange(diff.patch);
    if (seed) {
      return {
        ok: false,
        reason: `The proposal only changes the random seed (${seed}). Changing the random seed is not an improvement: change the model, the data or the training instead.`,
        changedFiles: files,
      };
    }
  }
  return { ok: true, changedFiles: files, changedLines, leftovers };
}

/**
 * Put `paths` back as they are in `commit` (index and disk). Paths the commit does not have are deleted,
 * so a file the agent created disappears.
 */
export async function restoreFiles(worktree: string, commit: string, paths: readonly string[]): Promise<void> {
  if (paths.length === 0) return;
  const inCommit = new Set(
    (await raw(worktree, ['ls-tree', '-r', '-z', '--name-only', '--end-of-options', rev(commit), '--', ...paths])).split('\0').filter(Boolean),
  );
  const existing = paths.filter((p) => inCommit.has(p));
  const extra = paths.filter((p) => !inCommit.has(p));
  if (existing.length) await raw(worktree, ['checkout', rev(commit), '--', ...existing]);
  // A project in a monorepo's subfolder may name files elsewhere in its worktree (../shared/eval.py).
  const { top } = await repoPlace(worktree);
  for (const p of extra) {
    const abs = path.resolve(worktree, p);
    // Never delete outside the worktree, whatever a path says.
    if (abs !== path.resolve(worktree) && abs.startsWith(path.resolve(top) + path.sep)) {
      // Not in the index is fine (the file was never added); the rm below is what must happen, and throws.
      await raw(worktree, ['rm', '--cached', '--quiet', '--ignore-unmatch', '--', p]).catch(() => undefined);
      await rm(abs, { force: true, recursive: true });
    }
  }
}
