// Experiment ids: handed out once each, continuing after the highest recorded experiment, queued or dropped
// proposal (journal/fold.ts, lastIdOf). An id handed out whose experiment-start is not journaled yet (being
// proposed, or queued: made and waiting for a slot) is reserved: it counts toward max experiments, so two
// slots checking at once cannot both start the last one.
import { lastIdOf, pendingApprovals, type RunRecord } from '../journal/fold.js';

export interface ExperimentIds {
  /** The next id, reserved. */
  reserve(): number;
  /** A proposal an earlier session left waiting for approval, reserved under its own id; null when none is left. */
  takeWaiting(): number | null;
  /** An id that will not start (or has ended its turn in a slot): it no longer counts as reserved. */
  release(id: number): void;
  /** Its experiment-start was journaled: it counts as started now. */
  started(id: number): void;
  reservedCount(): number;
}

export function createExperimentIds(record: RunRecord): ExperimentIds {
  let nextId = lastIdOf(record) + 1;
  // A resumed run's queue (from the journal) is reserved from the start.
  const reserved = new Set<number>(record.queuedProposals.keys());
  // Proposals an earlier session left waiting for approval are taken up first, under their own ids.
  const waiting = pendingApprovals(record).map((a) => a.request.id);
  return {
    reserve() {
      const id = nextId++;
      reserved.add(id);
      return id;
    },
    takeWaiting() {
      const id = waiting.shift();
      if (id === undefined) return null;
      reserved.add(id);
      return id;
    },
    release: (id) => void reserved.delete(id),
    started: (id) => void reserved.delete(id),
    reservedCount: () => reserved.size,
  };
}
