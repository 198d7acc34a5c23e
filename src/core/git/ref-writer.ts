// Moving refs through one long-lived `git update-ref --stdin` per repository instead of one git process per ref:
// every proposal points refs/autoresearch/<tag>/<id> at its commit, and on a busy machine a git process costs
// 10 to 30 ms (bench/loop-overhead). git does the work itself (its locks, its reflog, its check that the
// commit exists), one transaction per ref: "start", "update <ref> <new>", "commit", each answered "<verb>: ok".
//
// A transaction git refuses (a lock held by another git, a missing object) ends that process with its message;
// the ref is then moved by a plain `git update-ref` (update-ref.ts, which retries a held lock) and the next
// ref starts a new process. The process is unref'd while idle (it never keeps the app alive) and ends after
// IDLE_MS without work, or when the app exits (its stdin closes).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { gitInvocation, raw, rev } from './git.js';
import { updateRef } from './update-ref.js';

const IDLE_MS = 120_000;

/** Started and not ended (its exit may have come while nothing waited on it). */
const running = (child: ChildProcess) => child.pid !== undefined && child.exitCode === null && child.signalCode === null;

/** The process was killed while a transaction waited on it: a ref lock it held may be left behind. */
class WriterKilled extends Error {}

interface Waiter {
  readonly expect: string;
  resolve(): void;
  reject(err: Error): void;
}

class Writer {
  private child: ChildProcess | null = null;
  private starting: Promise<ChildProcess> | null = null;
  private waiters: Waiter[] = [];
  private buffer = '';
  private stderr = '';
  private idle: NodeJS.Timeout | null = null;
  /** Transactions one at a time: each waits for the one before it. */
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly dir: string) {}

  update(ref: string, commit: string): Promise<void> {
    const run = this.chain.then(() => this.transaction(ref, commit));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async start(): Promise<ChildProcess> {
    const how = await gitInvocation(this.dir, ['update-ref', '--stdin']);
    const child = spawn('git', how.argv, { cwd: this.dir, env: how.env, stdio: ['pipe', 'pipe', 'pipe'] });
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      // What a replaced process still says (its output can come after its exit) answers nothing asked of this one.
      if (this.child !== child) return;
      this.buffer += chunk;
      for (let nl = this.buffer.indexOf('\n'); nl >= 0; nl = this.buffer.indexOf('\n')) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        const w = this.waiters.shift();
        if (!w) continue;
        if (line === w.expect) w.resolve();
        else w.reject(new Error(`git update-ref answered "${line}" to "${w.expect.split(':')[0]}"`));
      }
    });
    child.stderr!.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-4000);
    });
    // Killed by a signal is not the same as git refusing (exit 128, e.g. a lock another git holds): only a kill
    // can leave a lock of this process's own behind.
    const gone = (why: string, killed: boolean) => {
      if (this.child === child) this.child = null;
      this.buffer = '';
      const waiting = this.waiters.splice(0);
      const message = `git update-ref --stdin ended (${why}): ${this.stderr.trim().split('\n').slice(-2).join(' ') || 'no message'}`;
      for (const w of waiting) w.reject(killed ? new WriterKilled(message) : new Error(message));
    };
    child.on('error', (err) => gone(err.message, false));
    child.on('exit', (code, signal) => gone(signal ?? `exit ${code}`, signal !== null));
    child.stdin!.on('error', () => undefined); // a write after it ended: seen as its exit above
    return child;
  }

  private hold(child: ChildProcess, busy: boolean): void {
    for (const s of [child.stdin, child.stdout, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null>) {
      if (busy) s?.ref?.();
      else s?.unref?.();
    }
    if (busy) child.ref();
    else child.unref();
  }

  private async transaction(ref: string, commit: string): Promise<void> {
    if (this.idle) clearTimeout(this.idle);
    if (!this.child || !running(this.child)) {
      this.starting ??= this.start().finally(() => (this.starting = null));
      this.child = await this.starting;
    }
    const child = this.child;
    // It may have ended before this resumed (its exit was heard while nothing waited on it).
    if (!running(child)) {
      this.child = null;
      throw new Error('git update-ref --stdin ended before it was asked anything');
    }
    this.hold(child, true);
    this.stderr = '';
    const answers = ['start: ok', 'commit: ok'].map(
      (expect) => new Promise<void>((resolve, reject) => this.waiters.push({ expect, resolve, reject })),
    );
    try {
      child.stdin!.write(`start\nupdate ${rev(ref)} ${rev(commit)}\ncommit\n`);
      await Promise.all(answers);
    } catch (err) {
      // Whatever it was, this process is not trusted with the next ref.
      if (this.child === child) this.child = null;
      child.kill();
      throw err;
    } finally {
      this.hold(child, false);
      this.idle = setTimeout(() => {
        if (this.child === child && this.waiters.length === 0) {
          this.child = null;
          child.stdin!.end();
        }
      }, IDLE_MS);
      this.idle.unref();
    }
  }
}

const writers = new Map<string, Writer>();

/**
 * Points `ref` at `commit` in the repository of `dir`, as `updateRef` does, through the repository's long-lived
 * update-ref process; a transaction it refuses is made again by a plain `git update-ref`.
 */
export async function moveRef(dir: string, ref: string, commit: string): Promise<void> {
  const key = path.resolve(dir);
  let w = writers.get(key);
  if (!w) {
    w = new Writer(key);
    writers.set(key, w);
  }
  try {
    await w.update(ref, commit);
  } catch (err) {
    // A run's own refs are locked by nobody but this writer: one killed in the middle of a transaction (by a user,
    // by the kernel's OOM killer) left its lock, which would refuse the ref for good. A refusal by git itself
    // (someone else's lock) removes nothing, and the branch's lock is left alone (the user's own git may hold it):
    // updateRef's error then says what to remove.
    if (err instanceof WriterKilled && ref.startsWith('refs/autoresearch/')) await removeStaleLock(dir, ref);
    await updateRef(dir, ref, commit);
  }
}

async function removeStaleLock(dir: string, ref: string): Promise<void> {
  const common = (await raw(dir, ['rev-parse', '--git-common-dir']).catch(() => '')).trim();
  if (!common) return;
  await rm(path.join(path.resolve(dir, common), ...rev(ref).split('/')) + '.lock', { force: true }).catch(() => undefined);
}
