// The one place that runs git. Two doors:
// - `raw(dir, args)`: a direct execFile of the system git. The loop's hot verbs (reset, commit, update-ref,
//   status, diff) go through it because simple-git waits a fixed 50 ms after every command that prints
//   nothing (its completion detection); with ten such commands per experiment that alone would exceed
//   the harness's 150 ms budget per experiment (bench/loop-overhead).
// - `git(dir)`: a simple-git client, for everything where its API reads better than argv.
import { execFile } from 'node:child_process';
import { simpleGit, type SimpleGit } from 'simple-git';

/** Used only when the user has no git identity configured, so the app's commits never fail on it. */
export const FALLBACK_IDENTITY = { name: 'Autoresearch Studio', email: 'autoresearch@localhost' } as const;

const MAX_OUTPUT = 256 * 1024 * 1024;

export class GitError extends Error {
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(args: readonly string[], exitCode: number | null, stderr: string) {
    super(`git ${args.slice(0, 3).join(' ')} failed${exitCode !== null ? ` (exit ${exitCode})` : ''}: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`);
    this.name = 'GitError';
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

export function git(dir: string): SimpleGit {
  return simpleGit({ baseDir: dir, trimmed: false });
}

/** Another git process (a parallel slot, a background gc) holds a lock: worth a short retry. */
const LOCK_CONTENTION = /\.lock': File exists|cannot lock ref|Unable to create '.*\.lock'|another git process seems to be running/i;

export async function raw(dir: string, args: readonly string[]): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await runGit(dir, args);
    } catch (err) {
      if (attempt >= 5 || !(err instanceof GitError) || !LOCK_CONTENTION.test(err.stderr)) throw err;
      await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
    }
  }
}

function runGit(dir: string, args: readonly string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      [...args],
      {
        cwd: dir,
        maxBuffer: MAX_OUTPUT,
        encoding: 'utf8',
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
          reject(new GitError(args, code, stderr || err.message));
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
