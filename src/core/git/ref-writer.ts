// Moving refs through one long-lived `git update-ref --stdin` per repository instead of one git process per ref:
// every proposal points refs/autoresearch/<tag>/<id> at its commit, and on a busy machine a git process costs
// 10 to 30 ms (bench/loop-overhead). git does the work itself (its locks, its reflog, its check that the
// commit exists), one transaction per ref: "start", "update <ref> <new>", "commit", each answered "<verb>: ok".
//
// A transaction git refuses (a lock held by another git, a missing object) ends that process with its message;
// the ref is then moved by a plain `git update-ref` (update-ref.ts, which retries a held lock) and the next
// ref starts a new process. The process is unref'd while idle (it never keeps the app alive) and ends after
// two minutes without work, or when the app exits (its stdin closes): long-lived.ts.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { raw, rev } from './git.js';
import { LongLivedGit, spawnLongLived } from './long-lived.js';
import { updateRef } from './update-ref.js';


/** The process was killed while a transaction waited on it: a ref lock it held may be left behind. */
class WriterKilled extends Error {}

interface Waiter {
  readonly expect: string;
  resolve(): void;
  reject(err: Error): void;
}

class Writer extends LongLivedGit {
  private waiters: Waiter[] = [];
  private buffer = '';
  private stderr = '';
  /** Transactions one at a time: each waits for the one before it. */
  private chain: Promise<void> = Promise.resolve();

  constructor(dir: string) {
    super(dir, 'update-ref --stdin');
  }

  protected busy(): boolean {
    return this.waiters.length > 0;
  }

  update(ref: string, commit: string): Promise<void> {
    const run = this.chain.then(() => this.transaction(ref, commit));
    this.chain = run.catch(() => undefined);
    return run;
  }

  protected async start(): Promise<ChildProcess> {
    const child = await spawnLongLived(this.dir, ['update-ref', '--stdin'], true);
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
    return child;
  }

  private async transaction(ref: string, commit: string): Promise<void> {
    const child = await this.ready();
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
      this.idle(child);
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
