// Summaries of a project's runs, for `autoresearch status` and the Studio's run list.
import type { RunSummary } from '../../shared/api.js';
import type { Experiment } from '../../shared/experiment.js';
import { isLockLive, readLock } from '../loop/run-lock.js';
import { summarize } from './fold.js';
import { listRunTags, readRunRecord } from './read.js';

export interface RunStatus {
  readonly summary: RunSummary;
  /** Experiments recorded as running; only meaningful while the run is live. */
  readonly running: readonly Experiment[];
  /** Process id of the app or CLI that runs it now, or null. */
  readonly ownerPid: number | null;
  /** Journal lines that could not be read (a torn last line after a crash). */
  readonly badLines: readonly number[];
}

export async function readRunStatuses(projectDir: string): Promise<RunStatus[]> {
  const lock = await readLock(projectDir);
  const liveTag = lock && isLockLive(lock) ? lock.tag : null;
  const out: RunStatus[] = [];
  for (const tag of await listRunTags(projectDir)) {
    const rec = await readRunRecord(projectDir, tag);
    const live = tag === liveTag;
    out.push({
      summary: summarize(rec, live ? 'running' : 'stopped'),
      running: live ? [...rec.experiments.values()].filter((e) => e.status === 'running') : [],
      ownerPid: live ? lock!.pid : null,
      badLines: rec.badLines,
    });
  }
  return out;
}
