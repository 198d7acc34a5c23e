// Summaries of a project's runs, for `autoresearch status` and the Studio's run list.
import type { RunSummary } from '../../shared/api.js';
import type { Experiment } from '../../shared/experiment.js';
import { isLockLive, readLock } from '../loop/run-lock.js';
import { pendingApprovals, summarize } from './fold.js';
import { listRunTags, readRunRecord } from './read.js';

export interface RunStatus {
  readonly summary: RunSummary;
  /** Experiments recorded as running; only meaningful while the run is live. */
  readonly running: readonly Experiment[];
  /** Process id of the app or CLI that runs it now, or null. */
  readonly ownerPid: number | null;
  /** Journal lines that could not be read (a torn last line after a crash). */
  readonly badLines: readonly number[];
  /**
   * Not live, yet not stopped either (no run-stop, or experiments still marked running): the process that
   * ran it was killed. The next `run --tag` resumes it and records those experiments as interrupted.
   */
  readonly interrupted: boolean;
  /** Ids of proposals waiting for approval (`autoresearch approve`); a stopped run's wait again when it resumes. */
  readonly awaitingApproval: readonly number[];
}

export async function readRunStatuses(projectDir: string): Promise<RunStatus[]> {
  const lock = await readLock(projectDir);
  const liveTag = lock && isLockLive(lock) ? lock.tag : null;
  const out: RunStatus[] = [];
  for (const tag of await listRunTags(projectDir)) {
    const rec = await readRunRecord(projectDir, tag);
    const live = tag === liveTag;
    const summary = summarize(rec, live ? 'running' : 'stopped');
    const interrupted = !live && (summary.counts.running > 0 || rec.stopReason === null);
    out.push({
      // A dead process runs nothing: what it left "running" is interrupted, as the next start will record.
      summary: interrupted
        ? { ...summary, counts: { ...summary.counts, interrupted: summary.counts.interrupted + summary.counts.running, running: 0 } }
        : summary,
      running: live ? [...rec.experiments.values()].filter((e) => e.status === 'running') : [],
      ownerPid: live ? lock!.pid : null,
      badLines: rec.badLines,
      interrupted,
      awaitingApproval: pendingApprovals(rec).map((a) => a.request.id),
    });
  }
  return out;
}
