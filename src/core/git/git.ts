// The one place that runs git: an execFile of the system git, made by a small helper process (spawner.ts) so
// that the fork is not of this big one. (simple-git waits a fixed 50 ms after
// every command that prints nothing, its completion detection; with ten such commands per experiment that
// alone would exceed the harness's 150 ms budget per experiment, bench/loop-overhead.)
//
// Everything a project folder holds is untrusted (it may come from a colleague, a tarball, or an agent's
// code that ran in it), so every git command here:
// - runs no program the repository or an agent names: hooks, fsmonitor, filters, textconv, external diff,
//   merge drivers, gpg, pager, editor, credential helpers, askpass and ssh command are overridden (git-env.ts,
//   program-config.ts), and a repository whose own config includes other files is refused;
// - opens the repository the harness means, named with --git-dir/--work-tree (git-place.ts), never one an
//   agent created below it;
// - takes revisions only through `rev()`, which refuses anything git could read as an option, and callers
//   put `--end-of-options` before them where the git verb supports it.
import path from 'node:path';
import { gitEnv } from './git-env.js';
import { forgetPlace, knownPlace, NotAWorktreeError, rememberDiscovered, type GitPlace } from './git-place.js';
import { programOverrides } from './program-config.js';
import { spawnerExec, type ExecResult } from './spawner.js';

export { SAFE_GIT_CONFIG } from './git-env.js';
export { UnsafeRepositoryError } from './program-config.js';

/** Used only when the user has no git identity configured, so the app's commits never fail on it. */
export const FALLBACK_IDENTITY = { name: 'Autoresearch Studio', email: 'autoresearch@localhost' } as const;

const MAX_OUTPUT = 256 * 1024 * 1024;

export class GitError extends Error {
  readonly exitCode: number | null;
  readonly stderr: string;
  /** What the command printed before it failed (merge-tree prints its conflicts there). */
  readonly stdout: string;
  constructor(args: readonly string[], exitCode: number | null, stderr: string, stdout = '') {
    super(`git ${args.slice(0, 3).join(' ')} failed${exitCode !== null ? ` (exit ${exitCode})` : ''}: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`);
    this.name = 'GitError';
    this.exitCode = exitCode;
    this.stderr = stderr;
    this.stdout = stdout;
  }
}

/**
 * A revision argument (sha, ref name, `sha:path`). Refuses what git could take for an option (`--output=…`)
 * or what no revision contains, so a value read from a journal can never become a flag.
 */
export function rev(value: string): string {
  if (typeof value !== 'string' || value === '' || value.startsWith('-') || /[\u0000-\u001f\u007f]/.test(value)) {
    throw new Error(`Refusing ${JSON.stringify(String(value).slice(0, 80))} as a git revision: it is not a commit or ref name.`);
  }
  return value;
}

/** Another git process (a parallel slot, a background gc) holds a lock: worth a short retry. */
const LOCK_CONTENTION = /\.lock': File exists|cannot lock ref|Unable to create '.*\.lock'|another git process seems to be running/i;

export async function raw(dir: string, args: readonly string[]): Promise<string> {
  return withLockRetry(() => runGit(dir, args, 'utf8') as Promise<string>);
}

/**
 * `raw` with GIT_INDEX_FILE set: plumbing that builds a tree in an index of its own (carry-change.ts), never the
 * worktree's. The file must be outside the repository's folders the app watches (a temp folder).
 */
export async function rawWithIndex(dir: string, args: readonly string[], indexFile: string): Promise<string> {
  return withLockRetry(() => runGit(dir, args, 'utf8', { GIT_INDEX_FILE: indexFile }) as Promise<string>);
}

/** The same as `raw`, for binary output (blob contents). */
export async function rawBuffer(dir: string, args: readonly string[]): Promise<Buffer> {
  return withLockRetry(() => runGit(dir, args, 'buffer') as Promise<Buffer>);
}

async function withLockRetry<T>(fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= 5 || !(err instanceof GitError) || !LOCK_CONTENTION.test(err.stderr)) throw err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}

/** Verbs that can print a patch: external diff and textconv would run a program the repository names. */
const PATCH_VERBS = new Set(['diff', 'log', 'show', 'format-patch', 'whatchanged']);
/** Verbs that make a repository: there is none to name yet, and the folder's place changes. */
const INIT_VERBS = new Set(['init', 'clone']);

/** Index of the git verb in `args` (after any leading `-c key=value` pairs). */
function verbIndex(args: readonly string[]): number {
  let i = 0;
  while (args[i] === '-c') i += 2;
  return i;
}

function withPatchSafety(args: readonly string[]): readonly string[] {
  const v = verbIndex(args);
  if (!PATCH_VERBS.has(args[v] ?? '')) return args;
  return [...args.slice(0, v + 1), '--no-ext-diff', '--no-textconv', ...args.slice(v + 1)];
}

// Through the spawner's small helper process, not a fork of this (big) one: spawner.ts says why.
function spawn(dir: string, argv: readonly string[], env: NodeJS.ProcessEnv, encoding: 'utf8' | 'buffer'): Promise<ExecResult> {
  return spawnerExec('git', argv, { cwd: dir, maxBuffer: encoding === 'buffer' ? 4 * MAX_OUTPUT : MAX_OUTPUT, encoding, env });
}

/** The repository of `dir`: a slot worktree's as registered, else the one git finds there the first time. */
async function placeOf(dir: string, args: readonly string[]): Promise<GitPlace | null> {
  try {
    const known = knownPlace(dir);
    if (known) return known;
  } catch (err) {
    if (err instanceof NotAWorktreeError) throw new GitError(args, 128, err.message);
    throw err;
  }
  const found = await spawn(dir, ['--no-pager', 'rev-parse', '--absolute-git-dir', '--show-toplevel'], gitEnv([]), 'utf8');
  if (found.err) return null; // not a repository (yet): the command itself says so
  const [gitDir = '', top = ''] = String(found.stdout).split('\n').map((l) => l.trim());
  if (!gitDir || !top) return null;
  const place = { gitDir, top };
  rememberDiscovered(dir, place);
  return place;
}

/**
 * The arguments and environment a harness git command runs with in `dir` (see the top of this file): `raw`'s,
 * and a long-lived git's (ref-writer.ts).
 */
export async function gitInvocation(dir: string, args: readonly string[], env: Record<string, string> = {}): Promise<{ argv: string[]; env: NodeJS.ProcessEnv }> {
  const making = INIT_VERBS.has(args[verbIndex(args)] ?? '');
  const place = making ? null : await placeOf(dir, args);
  const placeArgs = place ? [`--git-dir=${place.gitDir}`, `--work-tree=${place.top}`] : [];
  const pairs = await programOverrides(dir, placeArgs, place?.gitDir ?? null);
  // Belt and braces: a git that git itself starts (gc --auto) never climbs above the worktree's top either.
  const extra: Record<string, string> = { ...env, ...(place ? { GIT_CEILING_DIRECTORIES: path.dirname(place.top) } : {}) };
  return { argv: ['--no-pager', ...placeArgs, ...withPatchSafety(args)], env: gitEnv(pairs, extra) };
}

async function runGit(dir: string, args: readonly string[], encoding: 'utf8' | 'buffer', env: Record<string, string> = {}): Promise<string | Buffer> {
  const making = INIT_VERBS.has(args[verbIndex(args)] ?? '');
  const how = await gitInvocation(dir, args, env);
  const { err, stdout, stderr } = await spawn(dir, how.argv, how.env, encoding);
  if (making) forgetPlace(dir);
  if (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new Error('git was not found. Install git and make sure it is on PATH.');
    const code = typeof (err as { code?: unknown }).code === 'number' ? (err as unknown as { code: number }).code : null;
    throw new GitError(args, code, stderr || err.message, String(stdout ?? ''));
  }
  return stdout;
}

const identityKnown = new Map<string, boolean>();

/** `-c user.name=… -c user.email=…` when the repository has no identity configured, else nothing. */
export async function identityArgs(dir: string): Promise<string[]> {
  let known = identityKnown.get(dir);
  if (known === undefined) {
    const email = await raw(dir, ['config', '--get', 'user.email']).catch(() => '');
    const name = await raw(dir, ['config', '--get', 'user.name']).catch(() => '');
    known = email.trim() !== '' && name.trim() !== '';
    identityKnown.set(dir, known);
  }
  return known ? [] : ['-c', `user.name=${FALLBACK_IDENTITY.name}`, '-c', `user.email=${FALLBACK_IDENTITY.email}`];
}
