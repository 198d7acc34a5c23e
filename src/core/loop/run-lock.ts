// One live run per project. The lock records the owner's pid; a lock whose process is gone is stale
// (the app was killed) and tells the next start which run to repair.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import { projectPaths } from '../project/paths.js';

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

export async function readLock(projectDir: string): Promise<LockInfo | null> {
  try {
    return JSON.parse(await readFile(projectPaths(projectDir).lockFile, 'utf8')) as LockInfo;
  } catch {
    return null;
  }
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

export async function acquireLock(projectDir: string, tag: string): Promise<void> {
  const existing = await readLock(projectDir);
  if (existing && isLockLive(existing)) throw new RunLockedError(existing);
  const file = projectPaths(projectDir).lockFile;
  await mkdir(path.dirname(file), { recursive: true });
  const info: LockInfo = { pid: process.pid, host: hostname(), tag, startedAt: new Date().toISOString() };
  await writeFile(file, JSON.stringify(info) + '\n');
}

export async function releaseLock(projectDir: string): Promise<void> {
  const existing = await readLock(projectDir);
  if (existing && existing.pid === process.pid && existing.host === hostname()) {
    await rm(projectPaths(projectDir).lockFile, { force: true });
  }
}
