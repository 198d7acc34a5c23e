// Runs git through one small long-lived helper process (spawner-helper.ts) instead of forking the app.
//
// Why: fork copies the page tables of the process that forks. The app's core runs in a big process (Electron's
// main process, holding a run's record), so every git command it starts directly pays for that size; the
// helper is small, so the ~8 git commands of an experiment fork from it instead (docs/benchmarks.md,
// loop-overhead). The helper is started on the first command, is unref'd (it never keeps the app alive; the
// pipe is held only while a command waits), and exits when its stdin closes. One that dies is started again
// on the next command; a command it was running fails with a message that says so (it may have run, so it is
// never sent twice). A helper that cannot start at all (no Node-capable binary) leaves git to the direct
// execFile, as before, for the rest of the process.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { HELPER_MARK, HELPER_SOURCE } from './spawner-helper.js';

export interface ExecRequest {
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly encoding: 'utf8' | 'buffer';
  readonly maxBuffer: number;
}

/** What execFile's callback gets: `err` as execFile makes it (code: exit code or errno name, signal). */
export interface ExecResult {
  readonly err: Error | null;
  readonly stdout: string | Buffer;
  readonly stderr: string;
}

interface Job {
  readonly file: string;
  readonly args: readonly string[];
  readonly req: ExecRequest;
  readonly out: string[];
  readonly err: string[];
  resolve(r: ExecResult): void;
  reject(e: Error): void;
}

/** A helper that has not said it is ready in this long is given up for the direct execFile. */
const READY_TIMEOUT_MS = 15_000;

let options: { nodePath: string; nodeEnv: Record<string, string> } = { nodePath: process.execPath, nodeEnv: { ELECTRON_RUN_AS_NODE: '1' } };

/**
 * Which binary runs the helper: the app's own (process.execPath) by default, which is Node, or Electron run as
 * Node. Tests point it at a binary that cannot run the helper to see the fallback. Applies to the next start.
 */
export function configureSpawner(o: { nodePath: string; nodeEnv?: Record<string, string> }): void {
  options = { nodePath: o.nodePath, nodeEnv: o.nodeEnv ?? { ELECTRON_RUN_AS_NODE: '1' } };
  broken = false;
}

let helper: Helper | null = null;
/** Set when a helper could not start: git runs directly from here on. */
let broken = false;

class Helper {
  readonly child: ChildProcess;
  private ready = false;
  private nextId = 1;
  private readonly running = new Map<number, Job>();
  private partial: string[] = [];
  private stderrTail = '';
  private readonly readyTimer: NodeJS.Timeout;

  constructor() {
    // NODE_OPTIONS (a test runner's loader, say) would only slow the helper's start; git gets its own env.
    const env: NodeJS.ProcessEnv = { ...process.env, ...options.nodeEnv };
    delete env.NODE_OPTIONS;
    this.child = spawn(options.nodePath, ['-e', HELPER_SOURCE, HELPER_MARK], { stdio: ['pipe', 'pipe', 'pipe'], env, windowsHide: true });
    this.child.unref();
    this.child.stdout!.setEncoding('utf8');
    this.child.stdout!.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr!.setEncoding('utf8');
    this.child.stderr!.on('data', (chunk: string) => (this.stderrTail = (this.stderrTail + chunk).slice(-1000)));
    this.child.stdin!.on('error', () => {}); // a dead helper: 'close' below says what happens to its commands
    this.child.on('error', () => {}); // spawn failed (ENOENT): 'close' follows
    this.child.on('close', (code, signal) => this.onClose(code, signal));
    this.readyTimer = setTimeout(() => this.child.kill('SIGKILL'), READY_TIMEOUT_MS);
    this.readyTimer.unref(); // commands never wait for it (they run directly meanwhile), nor does the app
    this.hold(false);
  }

  /** The pid of a helper that serves commands (it said it is ready). */
  get pid(): number | undefined {
    return this.ready ? this.child.pid : undefined;
  }

  submit(job: Job): void {
    // Until the helper says it is ready, commands run directly: its start (tens of ms, more for Electron) is
    // never waited for, and a helper that never gets ready was sent nothing.
    if (!this.ready) return direct(job);
    const id = this.nextId++;
    this.running.set(id, job);
    if (this.running.size === 1) this.hold(true);
    const { cwd, env, encoding, maxBuffer } = job.req;
    // The helper's own folder is where this process was when it started it: a relative cwd is made whole here.
    this.child.stdin!.write(`${JSON.stringify({ id, file: job.file, args: job.args, cwd: path.resolve(cwd), env, encoding, maxBuffer })}\n`);
  }

  /** The pipes keep the app alive only while a command waits for its answer. */
  private hold(on: boolean): void {
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr] as unknown as Array<Readable & { ref?(): void; unref?(): void } | null>) {
      if (on) s?.ref?.();
      else s?.unref?.();
    }
  }

  private onData(chunk: string): void {
    // A long answer's line (up to ~5.6 MB) comes in many chunks: each chunk is searched once, not the whole line.
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl >= 0; nl = chunk.indexOf('\n', from)) {
      this.partial.push(chunk.slice(from, nl));
      this.onLine(this.partial.join(''));
      this.partial = [];
      from = nl + 1;
    }
    if (from < chunk.length) this.partial.push(chunk.slice(from));
  }

  private onLine(line: string): void {
    let msg: { ready?: number; id?: number; done?: boolean; out?: string; err?: string; thrown?: boolean; error?: { message: string; code?: unknown; signal?: unknown; killed?: unknown } | null };
    try {
      msg = JSON.parse(line) as typeof msg;
    } catch {
      return; // not the protocol (something a preload printed): not an answer to anything
    }
    if (msg.ready !== undefined) {
      this.ready = true;
      clearTimeout(this.readyTimer);
      return;
    }
    const job = msg.id === undefined ? undefined : this.running.get(msg.id);
    if (!job) return;
    if (msg.out) job.out.push(msg.out);
    if (msg.err) job.err.push(msg.err);
    if (!msg.done) return;
    this.running.delete(msg.id!);
    if (this.running.size === 0) this.hold(false);
    const stdout = job.req.encoding === 'buffer' ? Buffer.concat(job.out.map((p) => Buffer.from(p, 'base64'))) : job.out.join('');
    const stderr = job.err.join('');
    const err = msg.error ? Object.assign(new Error(msg.error.message), { code: msg.error.code, signal: msg.error.signal, killed: msg.error.killed }) : null;
    if (msg.thrown) job.reject(err!);
    else job.resolve({ err, stdout, stderr });
  }

  private onClose(code: number | null, signal: NodeJS.Signals | null): void {
    clearTimeout(this.readyTimer);
    if (helper === this) helper = null;
    if (!this.ready) {
      // Never ready (no Node-capable binary, or it could not run the helper): git runs directly from now on.
      broken = true;
      return;
    }
    const how = signal ? `killed by ${signal}` : `exit ${code}`;
    const tail = this.stderrTail.trim().split('\n').slice(-1)[0];
    const err = Object.assign(new Error(`the helper process that runs git for the app stopped (${how}) while this command ran${tail ? ` (${tail})` : ''}; it starts again for the next command, so run this one again`), { code: null });
    for (const job of this.running.values()) job.resolve({ err, stdout: '', stderr: '' });
    this.running.clear();
  }
}

function direct(job: Job): void {
  const { cwd, env, encoding, maxBuffer } = job.req;
  try {
    execFile(job.file, job.args, { cwd, env, encoding, maxBuffer }, (err, stdout, stderr) => job.resolve({ err, stdout, stderr: String(stderr) }));
  } catch (err) {
    job.reject(err as Error);
  }
}

/** execFile(file, args, req) through the helper: the same result, err included, as a direct execFile gives. */
export function spawnerExec(file: string, args: readonly string[], req: ExecRequest): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const job: Job = { file, args, req, out: [], err: [], resolve, reject };
    if (broken) return direct(job);
    if (!helper) helper = new Helper();
    helper.submit(job);
  });
}

/** The pid of the helper serving commands, or undefined while none is (not yet started or ready; tests). */
export function spawnerPid(): number | undefined {
  return helper?.pid;
}

/** Whether git runs directly because no helper could start (tests). */
export function spawnerFellBack(): boolean {
  return broken;
}
