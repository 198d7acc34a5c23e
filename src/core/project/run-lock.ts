// One live run per project: the lock is .autoresearch/run.lock in the project, so two runs (of one tag or of
// two) never share the project's slot worktrees. The lock records the owner's pid; a lock whose process is
// gone is stale (the app was killed) and tells the next start which run to repair.
//
// Taking it is atomic, also on NFS: the lock's content is written to a file of this process's own and then
// hard-linked to run.lock, which fails if run.lock exists, so a reader never sees half a lock and two starts
// never both win. A stale lock is replaced only by the one start that claims it: the claim is another link,
// named after that very lock (its content's hash), and the replacement is a rename over it. A claimer that
// dies before replacing leaves its claim; the next start sees its pid dead and claims the next number.
import { createHash, randomUUID } from 'node:crypto';
import { link, mkdir, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { projectPaths } from './paths.js';
import { assertNoLinkedFolders, openNoFollow, readTextNoFollow } from '../util/safe-fs.js';

// The lock and its claims are hard links of one another while a start takes them (that is how taking is
// atomic), so only symbolic links are refused when they are read; a run.lock planted as a symbolic link is.
const readLockText = (file: string) => readTextNoFollow(file, { allowHardLinks: true });

export interface LockInfo {
  readonly pid: number;
  readonly host: string;
  readonly tag: string;
  readonly startedAt: string;
}

export function isPidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parseLock(text: string): LockInfo | null {
  try {
    const v = JSON.parse(text) as Partial<LockInfo> | null;
    return v && typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.tag === 'string' ? (v as LockInfo) : null;
  } catch {
    return null;
  }
}

export async function readLock(projectDir: string): Promise<LockInfo | null> {
  // For display and checks: taking the lock never relies on this read (acquire links the file, EEXIST decides).
  const text = await readLockText(projectPaths(projectDir).lockFile).catch(() => null);
  return text === null ? null : parseLock(text);
}

/** Is the lock held by a live process (on this machine)? A lock from another host counts as live. */
export function isLockLive(lock: LockInfo): boolean {
  if (lock.host !== hostname()) return true;
  return lock.pid !== process.pid && isPidAlive(lock.pid);
}

export class RunLockedError extends Error {
  constructor(lock: LockInfo) {
    super(
      `The run "${lock.tag}" is already running in this project (process ${lock.pid} on ${lock.host}, since ${lock.startedAt}). ` +
        'Stop it first (Ctrl-C in its terminal, or Stop in the app).',
    );
    this.name = 'RunLockedError';
  }
}

const code = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code;
const hashOf = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 16);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** How long a start waits for another start that is taking over the same stale lock. */
const TAKEOVER_WAIT_MS = 15_000;

/**
 * Take the project's run lock for `tag`, or throw RunLockedError naming the live owner. Returns the stale lock
 * it replaced (its run may need repairing), or null.
 */
export async function acquireLock(projectDir: string, tag: string): Promise<{ previous: LockInfo | null }> {
  const file = projectPaths(projectDir).lockFile;
  await assertNoLinkedFolders(file);
  await mkdir(path.dirname(file), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), tag, startedAt: new Date().toISOString() };
  // The nonce makes every lock's content (and so its claim names) unique, even for a reused pid.
  const mine = JSON.stringify({ ...info, nonce: randomUUID() }) + '\n';
  const own = `${file}.${process.pid}-${randomUUID().slice(0, 8)}.tmp`;
  await writeOwn(own, mine).catch(async (err: unknown) => {
    await rm(own, { force: true });
    // The file the user knows (and whose folder must be writable) is run.lock, not its temporary twin.
    if (err && typeof err === 'object' && 'path' in err) (err as NodeJS.ErrnoException).path = file;
    throw err;
  });
  const deadline = Date.now() + TAKEOVER_WAIT_MS;
  try {
    for (;;) {
      try {
        await link(own, file);
        return { previous: null };
      } catch (err) {
        if (code(err) !== 'EEXIST') throw err;
      }
      const text = await readLockText(file).catch((err: unknown) => {
        if (code(err) === 'ENOENT') return null; // released meanwhile: try again
        throw err;
      });
      if (text === null) continue;
      const held = parseLock(text);
      // An unreadable lock (an older version's torn write) has no live owner to name: it is stale.
      if (held && isLockLive(held)) throw new RunLockedError(held);
      const took = await takeOver(file, own, hashOf(text));
      if (took) return { previous: held };
      if (Date.now() > deadline) throw new Error(`Another start is taking over the stale run lock ${file} and has not finished; try again, or remove that file if no run is going on.`);
      await pause(5 + Math.random() * 20);
    }
  } finally {
    await rm(own, { force: true });
  }
}

/** Replace the stale lock whose content hashes to `id` by `own`, if this process wins its claim. */
async function takeOver(file: string, own: string, id: string): Promise<boolean> {
  // Claims of a lock that is gone can never be used again, so they are removed then; not before, or a
  // second start could claim a number again while the first still replaces the lock.
  const claims: string[] = [];
  const gone = async () => {
    for (const c of claims) await rm(c, { force: true });
  };
  for (let k = 0; ; k++) {
    const claim = `${file}.takeover-${id}-${k}`;
    claims.push(claim);
    try {
      await link(own, claim);
    } catch (err) {
      if (code(err) !== 'EEXIST') throw err;
      // A claim gone meanwhile (its claimer finished) reads as no claimer: the loop tries again.
      const claimer = parseLock(await readLockText(claim).catch(() => ''));
      // A live claimer is replacing it now: wait for it (the caller reads the lock again).
      if (claimer && claimer.pid !== process.pid && isLockLive(claimer)) return false;
      continue;
    }
    // Claimed. Only a claimer of this lock may replace it, so if it is still there it stays until the rename.
    // Gone meanwhile: someone else's claim already replaced it, so this one did not take it.
    const now = await readLockText(file).catch(() => null);
    if (now !== null && hashOf(now) === id) await rename(own, file);
    await gone();
    return now !== null && hashOf(now) === id;
  }
}

/** This start's own lock file, created new (O_EXCL: a link planted at its name fails the open). */
async function writeOwn(own: string, text: string): Promise<void> {
  const handle = await openNoFollow(own, 'wx');
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
}

export async function releaseLock(projectDir: string): Promise<void> {
  const existing = await readLock(projectDir);
  if (existing && existing.pid === process.pid && existing.host === hostname()) {
    await rm(projectPaths(projectDir).lockFile, { force: true });
  }
}
