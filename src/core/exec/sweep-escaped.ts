// When a command ends, its process group is gone, but a process that left the group (setsid, a daemon,
// a GPU server started "in the background") is not: it would hold the GPU after the experiment, and after
// the run. Every command the loop starts carries a marker of its own in its environment, inherited by
// everything it starts however it detaches; this finds and kills what still carries it.
import { killOrphans } from './kill-orphans.js';
import { hasProcFs } from './proc-table.js';

/** The environment key of the per-process marker (its value is unique to one command execution). */
export const PROCESS_MARKER_KEY = 'AUTORESEARCH_PROCESS';

let counter = 0;

/** A value no other command execution, in this process or another, will carry. */
export function newProcessMarker(): string {
  counter += 1;
  return `${process.pid}-${Date.now().toString(36)}-${counter}`;
}

/** Kills every process that still carries `marker`; returns their pids. Linux (/proc) only; elsewhere a no-op. */
export async function sweepEscaped(marker: string, graceMs: number): Promise<number[]> {
  if (!hasProcFs()) return [];
  const { killed } = await killOrphans({ pgids: [], marker: { key: PROCESS_MARKER_KEY, value: marker }, graceMs });
  return killed;
}
