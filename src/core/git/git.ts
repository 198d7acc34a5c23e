// The one place that runs git: a direct execFile of the system git. (simple-git waits a fixed 50 ms after
// every command that prints nothing, its completion detection; with ten such commands per experiment that
// alone would exceed the harness's 150 ms budget per experiment, bench/loop-overhead.)
//
// Everything a project folder holds is untrusted (it may come from a colleague, a tarball, or an agent's
// code that ran in it), so every git command here:
// - runs with hooks and fsmonitor off: `--no-verify` skips only two hooks, and post-checkout, post-commit,
//   prepare-commit-msg and reference-transaction would otherwise run agent-planted code on every experiment;
// - takes revisions only through `rev()`, which refuses anything git could read as an option, and callers
//   put `--end-of-options` before them where the git verb supports it.
import { execFile } from 'node:child_process';

/** Used only when the user has no git identity configured, so the app's commits never fail on it. */
export const FALLBACK_IDENTITY = { name: 'Autoresearch Studio', email: 'autoresearch@localhost' } as const;

const MAX_OUTPUT = 256 * 1024 * 1024;

/** Prepended to every git command: no hook and no fsmonitor daemon ever runs inside the harness's git. */
export const SAFE_GIT_CONFIG: readonly string[] = ['-c', 'core.hooksPath=/dev/null', '-c', 'core.fsmonitor=false'];

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

function runGit(dir: string, args: readonly string[], encoding: 'utf8' | 'buffer'): Promise<string | Buffer> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...SAFE_GIT_CONFIG, ...args],
      {
        cwd: dir,
        maxBuffer: encoding === 'buffer' ? 4 * MAX_OUTPUT : MAX_OUTPUT,
        encoding,
        // Never wait for a password prompt or an editor in an unattended run.
        env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', LC_ALL: 'C' },
      },
      (err, stdout, stderr) => {
        if (err) {
          const code = typeof (err as NodeJS.ErrnoException & { code?: unknown }).code === 'number' ? ((err as unknown as { code: number }).code) : null;
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
            reject(new Error('git was not found. Install git and make sure it is on PATH.'));
            return;
          }
          reject(new GitError(args, code, String(stderr) || err.message, String(stdout ?? '')));
          return;
        }
        resolve(stdout);
      },
    );
  });
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
