// Summaries of a project's runs, for `autoresearch status` and the Studio's run list.
import type { RunSummary } from '../../shared/api.js';
import { noiseUnknownFixedSeed, type Experiment } from '../../shared/experiment.js';
import { heldoutSummary, type HeldoutSummary } from '../../shared/heldout-text.js';
import { isLockLive, readLock } from '../project/run-lock.js';
import { isNeverStarted, pendingApprovals, summarize } from './fold.js';
import { approvalsNeedRows, listRunTags, readRunRecord, readRunView } from './read.js';

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
  /** Its start-up was cut short before anything was recorded: the next `run --tag` starts it afresh. */
  readonly neverStarted: boolean;
  /** Ids of proposals waiting for approval (`autoresearch approve`); a stopped run's wait again when it resumes. */
  readonly awaitingApproval: readonly number[];
  /** The held-out check's baseline and best (config.heldout), with its warning; null when the run has none. */
  readonly heldout: HeldoutSummary | null;
  /** Its baseline repeated exactly under a fixed seed: its decisions do not know the noise (issue #22). */
  readonly noiseUnknown: boolean;
}

export async function readRunStatuses(projectDir: string): Promise<RunStatus[]> {
  const lock = await readLock(projectDir);
  const liveTag = lock && isLockLive(lock) ? lock.tag : null;
  const out: RunStatus[] = [];
  for (const tag of await listRunTags(projectDir)) {
    // The summary needs no experiment rows (a snapshot's aggregates stand in for them); a live run lists its running ones.
    const view = await readRunView(projectDir, tag);
    const live = tag === liveTag;
    // Rows are needed for a live run's running experiments, and for approvals still waiting (by their experiment's status).
    const needsRows = !view.complete && (live || approvalsNeedRows(view));
    // Shown, not built on: the snapshot's covered bytes are checked by their probe, as the view's were.
    // The held-out comparison needs the baseline's and the best's rows too.
    const rec = needsRows || (view.record.config?.heldout && !view.complete) ? await readRunRecord(projectDir, tag, { check: 'probe' }) : view.record;
    const folded = summarize(rec, live ? 'running' : 'stopped', needsRows ? undefined : view.aggregates);
    // A journal with no run-start does not name its run: its folder does.
    const summary = folded.tag ? folded : { ...folded, tag };
    const neverStarted = !live && isNeverStarted(rec);
    const interrupted = !live && !neverStarted && (summary.counts.running > 0 || rec.stopReason === null);
    out.push({
      // A dead process runs nothing: what it left "running" is interrupted, as the next start will record.
      summary: interrupted
        ? { ...summary, counts: { ...summary.counts, interrupted: summary.counts.interrupted + summary.counts.running, running: 0 } }
        : summary,
      running: live ? [...rec.experiments.values()].filter((e) => e.status === 'running') : [],
      ownerPid: live ? lock!.pid : null,
      badLines: view.badLines,
      interrupted,
      neverStarted,
      awaitingApproval: pendingApprovals(rec).map((a) => a.request.id),
      heldout: rec.config ? heldoutSummary(rec.config, rec.experiments.values(), rec.bestId) : null,
      noiseUnknown: noiseUnknownFixedSeed(rec.config?.seed, rec.noiseFloor),
    });
  }
  return out;
}
