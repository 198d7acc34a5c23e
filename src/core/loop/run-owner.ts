// Before the app signals the process named by run.lock, it checks that the process is that run: the lock is
// a file in the project folder, which anyone may have written (a colleague's tarball, an agent's code), and
// a PID from another host, or a recycled one, is some unrelated local process.
import { readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { hostname } from 'node:os';
import type { LockInfo } from '../project/run-lock.js';

/**
 * Does `pid` hold `journal` open? The process that owns a run keeps its journal open for appending for as
 * long as it runs; no unrelated process does. null when /proc is not there to tell (not Linux).
 */
export function holdsFileOpen(pid: number, file: string): boolean | null {
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !safeExists('/proc/self/fd')) return null;
    return false;
  }
  let target: string;
  try {
    target = realpathSync(file);
  } catch {
    return false;
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return true;
    } catch {
      // closed meanwhile
    }
  }
  return false;
}

function safeExists(p: string): boolean {
  try {
    readdirSync(p);
    return true;
  } catch {
    return false;
  }
}

/** Why the lock's process must not be signalled, or null when it is this machine's run owner. */
export function whyNotSignal(lock: LockInfo, journal: string): string | null {
  if (lock.host !== hostname()) return `The run ${lock.tag} belongs to process ${lock.pid} on ${lock.host}, not this machine; stop it there.`;
  if (!Number.isInteger(lock.pid) || lock.pid <= 1) return `run.lock names no valid process (${String(lock.pid)}).`;
  const holds = holdsFileOpen(lock.pid, journal);
  if (holds === false) return `Process ${lock.pid} is not the run ${lock.tag} (it does not hold its journal open); nothing was signalled. Delete .autoresearch/run.lock if the run is gone.`;
  return null;
}
