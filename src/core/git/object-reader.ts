// Reading objects through one long-lived `git cat-file --batch` per repository: a proposal worktree is put back
// at its base by writing the few files its last proposal changed (fast-commit.ts, restoreBase), and asking git
// for each one's content costs a git process otherwise. Each request is "<id>\n"; git answers
// "<id> <type> <size>\n<content>\n", or "<id> missing\n".
//
// A process that fails or ends fails what it was asked (the caller then does a checkout instead) and the next
// request starts a new one. It is unref'd while idle (it never keeps the app alive) and ends after IDLE_MS
// without work, or when the app exits (its stdin closes).
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { gitInvocation } from './git.js';

const IDLE_MS = 120_000;

/** Started and not ended (its exit may have come while nothing waited on it). */
const running = (child: ChildProcess) => child.pid !== undefined && child.exitCode === null && child.signalCode === null;

interface Pending {
  readonly id: string;
  resolve(content: Buffer): void;
  reject(err: Error): void;
}

class Reader {
  private child: ChildProcess | null = null;
  private starting: Promise<ChildProcess> | null = null;
  private pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private idle: NodeJS.Timeout | null = null;

  constructor(private readonly dir: string) {}

  private async start(): Promise<ChildProcess> {
    const how = await gitInvocation(this.dir, ['cat-file', '--batch']);
    const child = spawn('git', how.argv, { cwd: this.dir, env: how.env, stdio: ['pipe', 'pipe', 'ignore'] });
    child.stdout!.on('data', (chunk: Buffer) => {
      // What a replaced process still says (its output can come after its exit) answers nothing asked of this one.
      if (this.child !== child) return;
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
      this.drain(child);
    });
    const gone = (why: string) => {
      if (this.child === child) this.child = null;
      this.buffer = Buffer.alloc(0);
      for (const p of this.pending.splice(0)) p.reject(new Error(`git cat-file --batch ended (${why})`));
    };
    child.on('error', (err) => gone(err.message));
    child.on('exit', (code, signal) => gone(signal ?? `exit ${code}`));
    child.stdin!.on('error', () => undefined); // a write after it ended: seen as its exit above
    return child;
  }

  /** Answers, in the order asked, as soon as each is whole. */
  private drain(child: ChildProcess): void {
    for (;;) {
      const p = this.pending[0];
      if (!p) return;
      const nl = this.buffer.indexOf(10);
      if (nl < 0) return;
      const header = this.buffer.subarray(0, nl).toString('utf8').split(' ');
      if (header[0] === p.id && header[1] === 'missing') {
        this.pending.shift();
        this.buffer = this.buffer.subarray(nl + 1);
        p.reject(new Error(`git cat-file: ${p.id} is missing`));
        continue;
      }
      if (header.length !== 3 || header[0] !== p.id) {
        // Out of step with what was asked: nothing more it says is trusted, and every request waiting fails.
        if (this.child === child) this.child = null;
        this.buffer = Buffer.alloc(0);
        for (const w of this.pending.splice(0)) w.reject(new Error(`git cat-file answered "${header.join(' ').slice(0, 100)}" to ${w.id}`));
        child.kill();
        return;
      }
      const size = Number(header[2]);
      if (this.buffer.length < nl + 1 + size + 1) return;
      const content = Buffer.from(this.buffer.subarray(nl + 1, nl + 1 + size));
      this.buffer = this.buffer.subarray(nl + 1 + size + 1);
      this.pending.shift();
      p.resolve(content);
    }
  }

  private hold(child: ChildProcess, busy: boolean): void {
    for (const s of [child.stdin, child.stdout] as Array<{ ref?: () => void; unref?: () => void } | null>) {
      if (busy) s?.ref?.();
      else s?.unref?.();
    }
    if (busy) child.ref();
    else child.unref();
  }

  async read(id: string): Promise<Buffer> {
    if (!/^[0-9a-f]{40}$/.test(id)) throw new Error(`Not an object id: ${JSON.stringify(id.slice(0, 80))}`);
    if (this.idle) clearTimeout(this.idle);
    if (!this.child || !running(this.child)) {
      this.starting ??= this.start().finally(() => (this.starting = null));
      this.child = await this.starting;
    }
    const child = this.child;
    // It may have ended before this resumed (its exit was heard while nothing waited on it).
    if (!running(child)) {
      this.child = null;
      throw new Error('git cat-file --batch ended before it was asked anything');
    }
    this.hold(child, true);
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        this.pending.push({ id, resolve, reject });
        child.stdin!.write(`${id}\n`);
      });
    } finally {
      if (this.pending.length === 0) {
        this.hold(child, false);
        this.idle = setTimeout(() => {
          if (this.child === child && this.pending.length === 0) {
            this.child = null;
            child.stdin!.end();
          }
        }, IDLE_MS);
        this.idle.unref();
      }
    }
  }
}

const readers = new Map<string, Reader>();

/** The content of object `id` (a blob) of the repository of `dir`, through its long-lived cat-file process. */
export function readObject(dir: string, id: string): Promise<Buffer> {
  const key = path.resolve(dir);
  let r = readers.get(key);
  if (!r) {
    r = new Reader(key);
    readers.set(key, r);
  }
  return r.read(id);
}
