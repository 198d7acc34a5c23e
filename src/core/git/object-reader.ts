// Reading objects through one long-lived `git cat-file --batch` per repository: a proposal worktree is put back
// at its base by writing the few files its last proposal changed (fast-commit.ts, restoreBase), and asking git
// for each one's content costs a git process otherwise. Each request is "<id>\n"; git answers
// "<id> <type> <size>\n<content>\n", or "<id> missing\n".
//
// A process that fails or ends fails what it was asked (the caller then does a checkout instead) and the next
// request starts a new one. It is unref'd while idle (it never keeps the app alive) and ends after two minutes
// without work, or when the app exits (its stdin closes): long-lived.ts.
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { LongLivedGit, spawnLongLived } from './long-lived.js';


interface Pending {
  readonly id: string;
  resolve(content: Buffer): void;
  reject(err: Error): void;
}

class Reader extends LongLivedGit {
  private pending: Pending[] = [];
  private buffer: Buffer = Buffer.alloc(0);

  constructor(dir: string) {
    super(dir, 'cat-file --batch');
  }

  protected busy(): boolean {
    return this.pending.length > 0;
  }

  protected async start(): Promise<ChildProcess> {
    const child = await spawnLongLived(this.dir, ['cat-file', '--batch'], false);
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

  async read(id: string): Promise<Buffer> {
    if (!/^[0-9a-f]{40}$/.test(id)) throw new Error(`Not an object id: ${JSON.stringify(id.slice(0, 80))}`);
    const child = await this.ready();
    try {
      return await new Promise<Buffer>((resolve, reject) => {
        this.pending.push({ id, resolve, reject });
        child.stdin!.write(`${id}\n`);
      });
    } finally {
      this.idle(child);
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
