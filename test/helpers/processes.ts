// Real processes for tests: fixture trainers, a stand-in for the app that can be kill -9ed, and checks
// that a pid is really gone (a zombie waiting to be reaped counts as gone).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

export const TRAINERS_DIR = path.resolve(__dirname, '../fixtures/trainers');
export const FIXTURE_BIN = path.resolve(__dirname, '../fixtures/bin');

/** Absolute path of a fixture trainer, e.g. trainer('print-metric.py'). */
export const trainer = (name: string) => path.join(TRAINERS_DIR, name);

/** A shell command line that runs a fixture trainer with python3. */
export const pythonTrainer = (name: string) => `python3 '${trainer(name)}'`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** True while the process exists and is not a zombie. */
export function pidRunning(pid: number): boolean {
  if (existsSync('/proc/self/stat')) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
      return state !== 'Z' && state !== 'X';
    } catch {
      return false;
    }
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Process group id of a pid (Linux), or null when it is gone. */
export function pgidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
  } catch {
    return null;
  }
}

/** Polls until `check` is true; false after timeoutMs. */
export async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs = 20_000, everyMs = 50): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > deadline) return false;
    await sleep(everyMs);
  }
}

/** Waits for a file of whitespace-separated pids (the trainers write it atomically) and returns them. */
export async function readPidsFile(file: string, timeoutMs = 30_000): Promise<number[]> {
  if (!(await waitUntil(() => existsSync(file), timeoutMs))) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
  return (await readFile(file, 'utf8')).trim().split(/\s+/).map(Number);
}

/** Cleanup after a test: SIGKILL each pid and the group it leads (if any), ignoring what is gone already. */
export function killHard(pids: Iterable<number>): void {
  for (const pid of pids) {
    if (!Number.isInteger(pid) || pid <= 1) continue;
    for (const target of [-pid, pid]) {
      try {
        process.kill(target, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
  }
}

// The stand-in app: a plain node process that starts the command the way runCommand does (detached, its
// own process group) and reports the child's pid, so a test can kill -9 it and look at what is left.
const FAKE_APP = `
const { spawn } = require('node:child_process');
const [command, cwd, envJson] = process.argv.slice(1);
const child = spawn('/bin/sh', ['-c', command], { cwd, env: JSON.parse(envJson), detached: true, stdio: 'ignore' });
child.on('spawn', () => process.stdout.write(JSON.stringify({ pid: child.pid }) + '\\n'));
setInterval(() => {}, 1 << 30);
`;

export interface FakeApp {
  /** The stand-in app process. */
  readonly appPid: number;
  /** The experiment's pid, which is also its process group id. */
  readonly childPid: number;
  /** kill -9 the app (a crash); its experiment keeps running. */
  crash(): Promise<void>;
}

export async function startFakeApp(opts: { command: string; cwd: string; env: Record<string, string> }): Promise<FakeApp> {
  const app = spawn(process.execPath, ['-e', FAKE_APP, opts.command, opts.cwd, JSON.stringify(opts.env)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => app.once('exit', () => resolve()));
  const childPid = await new Promise<number>((resolve, reject) => {
    let out = '';
    app.stdout!.setEncoding('utf8');
    app.stdout!.on('data', (text: string) => {
      out += text;
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { pid: number }).pid);
    });
    app.once('exit', (code) => reject(new Error(`The fake app exited (${code}) before it started the command`)));
  });
  return {
    appPid: app.pid!,
    childPid,
    async crash() {
      app.kill('SIGKILL');
      await exited;
    },
  };
}
