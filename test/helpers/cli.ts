// Running the real `autoresearch` CLI (the bundle that `npm run build` makes) as a child process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './project.js';

export const CLI = path.join(REPO_ROOT, 'bin', 'autoresearch.mjs');

/** Bundle the CLI once per test file (esbuild, about a second), so tests run the code under test. */
export function buildCli(): void {
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'scripts', 'build-cli.mjs')], { cwd: REPO_ROOT, stdio: 'inherit' });
  if (!existsSync(path.join(REPO_ROOT, 'out', 'cli', 'autoresearch.mjs'))) throw new Error('the CLI bundle was not built');
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawnCli(args, opts);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`autoresearch ${args.join(' ')} did not finish in time.\nstdout:\n${stdout}\nstderr:\n${stderr}`));
    }, opts.timeoutMs ?? 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * The CLI as a child whose stdout and stderr are always read: a pipe nobody drains fills up (64 KiB), and a run
 * writing its progress to it would block there, which looks like a hung loop on a slow machine. A test that wants
 * the output adds its own 'data' listener right after the call (listeners added in the same tick miss nothing).
 */
export function spawnCli(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): ChildProcess {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: opts.cwd ?? REPO_ROOT,
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', drain);
  child.stderr!.on('data', drain);
  return child;
}

function drain(): void {
  // Reading is the point; the output itself is the test's business.
}
