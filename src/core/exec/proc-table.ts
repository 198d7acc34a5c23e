// The process table as Linux shows it in /proc. Signals alone cannot tell a live process from a zombie
// that nobody has reaped yet, nor whose process a recycled pid now is; /proc can. A read that fails here
// means the process ended meanwhile (or there is no /proc): each catch answers "not there", never an error.
import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

export interface ProcEntry {
  readonly pid: number;
  readonly ppid: number;
  readonly pgid: number;
  /** R, S, D, Z (zombie), T, X (dead), ... */
  readonly state: string;
}

const PROC = '/proc';

export function hasProcFs(): boolean {
  try {
    readFileSync(`${PROC}/self/stat`);
    return true;
  } catch {
    return false;
  }
}

/**
 * One buffer for every /proc/<pid>/stat read. /proc reports a size of 0, so readFileSync grows a fresh 64 KiB
 * buffer per file: a scan of the process table (after every command, kill-tree.ts) allocated megabytes on the
 * app's one thread. A stat line is a few hundred bytes; 4 KiB holds any (the command name is at most 64).
 */
const statBuffer = Buffer.alloc(4096);

function readStat(pid: number): string | null {
  let fd: number;
  try {
    fd = openSync(`${PROC}/${pid}/stat`, 'r');
  } catch {
    return null;
  }
  try {
    const n = readSync(fd, statBuffer, 0, statBuffer.length, 0);
    return statBuffer.toString('latin1', 0, n);
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** One process from /proc/<pid>/stat, or null when it is gone (or unreadable). */
export function readProcEntry(pid: number): ProcEntry | null {
  const stat = readStat(pid);
  if (stat === null) return null;
  // The command name (field 2) is in parentheses and may itself contain spaces and ')'.
  const close = stat.lastIndexOf(')');
  if (close < 0) return null;
  const rest = stat.slice(close + 2).split(' ');
  const state = rest[0] ?? '';
  const ppid = Number(rest[1]);
  const pgid = Number(rest[2]);
  if (!state || !Number.isInteger(ppid) || !Number.isInteger(pgid)) return null;
  return { pid, ppid, pgid, state };
}

/** Every process this user can see. */
export function listProcesses(): ProcEntry[] {
  let names: string[];
  try {
    names = readdirSync(PROC);
  } catch {
    return [];
  }
  const out: ProcEntry[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    const entry = readProcEntry(Number(name));
    if (entry) out.push(entry);
  }
  return out;
}

/** A zombie has exited already; only its parent's wait() is missing. It holds nothing and cannot be killed. */
export const isRunning = (p: ProcEntry): boolean => p.state !== 'Z' && p.state !== 'X' && p.state !== 'x';

/** True when the process's environment (as it was at exec) holds key=value; false when unknown or unreadable. */
export function environHas(pid: number, key: string, value: string): boolean {
  let environ: Buffer;
  try {
    environ = readFileSync(`${PROC}/${pid}/environ`);
  } catch {
    return false;
  }
  const wanted = Buffer.from(`${key}=${value}`);
  let start = 0;
  while (start < environ.length) {
    let end = environ.indexOf(0, start);
    if (end < 0) end = environ.length;
    if (end - start === wanted.length && environ.subarray(start, end).equals(wanted)) return true;
    start = end + 1;
  }
  return false;
}
