// After the app itself died (crash, power loss, kill -9), its experiments may still be running: a
// trainer holding the GPU would make every later experiment fail or be slow. On the next start the loop
// calls this with the process groups its journal recorded.
import { setTimeout as sleep } from 'node:timers/promises';
import { environHas, hasProcFs, isRunning, listProcesses, type ProcEntry } from './proc-table.js';
import { isProcessGroupAlive, killProcessGroup } from './kill-tree.js';

export interface KillOrphansOptions {
  /** Process groups a previous app process started (journaled at each experiment's start). */
  readonly pgids: readonly number[];
  /**
   * An environment entry every experiment process carries (AUTORESEARCH_RUN_DIR=<run dir>). With it, a
   * recorded group is killed only if one of its processes carries it, so a pgid the system has since given
   * to an unrelated program is left alone; and any other process that carries it (one that left the group
   * with setsid) is killed too. Linux only; elsewhere the pgid alone decides.
   */
  readonly marker?: { readonly key: string; readonly value: string };
  readonly graceMs: number;
}

const POLL_MS = 50;

/**
 * Kills what a previous app process left running. `killed`: the pids of the processes that were signalled
 * (without /proc: the pgids of the groups that were).
 */
export async function killOrphans(opts: KillOrphansOptions): Promise<{ killed: number[] }> {
  const pgids = [...new Set(opts.pgids)].filter((p) => Number.isInteger(p) && p > 1 && p !== process.pid);
  if (!hasProcFs()) return killByPgidOnly(pgids, opts.graceMs);

  const table = listProcesses().filter(isRunning);
  const self = ancestry(table);
  const selfGroups = new Set(table.filter((p) => self.has(p.pid)).map((p) => p.pgid));
  const marker = opts.marker;
  const carries = (p: ProcEntry) => (marker ? environHas(p.pid, marker.key, marker.value) : false);

  const groups: number[] = [];
  const strays = new Set<number>();
  const killed = new Set<number>();
  for (const pgid of pgids) {
    // A group that holds this process or one of its ancestors is not an experiment's.
    if (selfGroups.has(pgid)) continue;
    const members = table.filter((p) => p.pgid === pgid);
    if (members.length === 0) continue;
    if (marker && !members.some(carries)) continue;
    groups.push(pgid);
    for (const m of members) killed.add(m.pid);
  }
  if (marker) {
    for (const p of table) {
      if (self.has(p.pid) || killed.has(p.pid) || groups.includes(p.pgid)) continue;
      if (carries(p)) strays.add(p.pid);
    }
  }
  for (const pid of strays) killed.add(pid);

  await Promise.all([...groups.map((g) => killProcessGroup(g, opts.graceMs)), killPids([...strays], opts.graceMs)]);
  return { killed: [...killed].sort((a, b) => a - b) };
}

/** This process and its ancestors: never ours to kill, whatever their environment says. */
function ancestry(table: readonly ProcEntry[]): Set<number> {
  const byPid = new Map(table.map((p) => [p.pid, p]));
  const out = new Set<number>();
  for (let pid: number | undefined = process.pid; pid && pid > 1 && !out.has(pid); pid = byPid.get(pid)?.ppid) out.add(pid);
  return out;
}

async function killPids(pids: readonly number[], graceMs: number): Promise<void> {
  if (pids.length === 0) return;
  const send = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // Gone already.
    }
  };
  const alive = () => {
    const running = new Set(listProcesses().filter(isRunning).map((p) => p.pid));
    return pids.filter((p) => running.has(p));
  };
  for (const pid of pids) send(pid, 'SIGTERM');
  for (const pid of pids) send(pid, 'SIGCONT');
  const deadline = Date.now() + Math.max(0, graceMs);
  while (alive().length > 0 && Date.now() < deadline) await sleep(POLL_MS);
  const left = alive();
  for (const pid of left) send(pid, 'SIGKILL');
  const killDeadline = Date.now() + 5_000;
  while (alive().length > 0 && Date.now() < killDeadline) await sleep(POLL_MS);
}

async function killByPgidOnly(pgids: readonly number[], graceMs: number): Promise<{ killed: number[] }> {
  const alive = pgids.filter((p) => isProcessGroupAlive(p));
  await Promise.all(alive.map((p) => killProcessGroup(p, graceMs)));
  return { killed: alive };
}
