// Ending an experiment for real: the whole process group, SIGTERM first so a trainer can save what it
// wants, SIGKILL after the grace period for whatever is left (the most-filed bug of tools like this is
// a timeout that leaves the training process running).
import { setTimeout as sleep } from 'node:timers/promises';
import { hasProcFs, isRunning, listProcesses } from './proc-table.js';

const POLL_MS = 50;
/** After SIGKILL the kernel needs a moment (longer for a process in uninterruptible I/O); wait at most this. */
const AFTER_KILL_WAIT_MS = 5_000;

let procFs: boolean | undefined;
const useProc = () => (procFs ??= hasProcFs());

function checkPgid(pgid: number): void {
  // kill(-1) would signal every process of the user and kill(-0) our own group: never let a bad value through.
  if (!Number.isInteger(pgid) || pgid <= 1) throw new RangeError(`Not a process group id: ${pgid}`);
}

/** Pids of the group's members that still run (zombies excluded). Linux only. */
export function processGroupMembers(pgid: number): number[] {
  return listProcesses()
    .filter((p) => p.pgid === pgid && isRunning(p))
    .map((p) => p.pid);
}

/** True while any member of the group still runs. A group of only zombies counts as gone. */
export function isProcessGroupAlive(pgid: number): boolean {
  checkPgid(pgid);
  let exists: boolean;
  try {
    process.kill(-pgid, 0);
    exists = true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    exists = (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // The signal check is cheap but counts zombies; only then is the process table read to tell them apart.
  if (!exists || !useProc()) return exists;
  return processGroupMembers(pgid).length > 0;
}

/** Sends a signal to the group; false when the group no longer exists. */
export function signalProcessGroup(pgid: number, signal: NodeJS.Signals): boolean {
  checkPgid(pgid);
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    // ESRCH: no member left. (EPERM, a group of another user, also lands here; the app's groups are its own.)
    return false;
  }
}

async function waitGone(pgid: number, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (!isProcessGroupAlive(pgid)) return true;
    if (Date.now() >= deadline) return false;
    await sleep(Math.min(POLL_MS, Math.max(1, deadline - Date.now())));
  }
}

/**
 * SIGTERM to the group, SIGKILL after graceMs if any member is left. Resolves once the group is gone
 * (or a few seconds after SIGKILL). 'gone': nothing was running; 'terminated': SIGTERM was enough;
 * 'killed': SIGKILL was needed.
 */
export async function killProcessGroup(pgid: number, graceMs: number): Promise<'gone' | 'terminated' | 'killed'> {
  checkPgid(pgid);
  if (!isProcessGroupAlive(pgid)) return 'gone';
  if (!signalProcessGroup(pgid, 'SIGTERM')) return 'gone';
  // A stopped process (SIGSTOP, Ctrl-Z) only sees SIGTERM once it runs again.
  signalProcessGroup(pgid, 'SIGCONT');
  if (await waitGone(pgid, Math.max(0, graceMs))) return 'terminated';
  signalProcessGroup(pgid, 'SIGKILL');
  await waitGone(pgid, AFTER_KILL_WAIT_MS);
  return 'killed';
}
