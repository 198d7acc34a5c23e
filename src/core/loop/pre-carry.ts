// Pre-carry (docs/decisions.md, "Pipelined proposals"): a proposal made ahead on the best must be carried onto the
// candidate training now if that candidate is kept (a three-way merge, experiment-start.ts). The carry's git work
// (merge-tree, commit-tree) was the largest part of the harness's time between two trainer runs of one slot
// (bench/utilization, "take"). So while the candidate trains, the carry is computed ahead (LoopGit.carryAhead);
// when the candidate is kept, the slot's carry finds it made. When it is not kept, the carry is simply never asked
// for: its objects are unreferenced and git's gc prunes them in time.
//
// With one candidate training, every queued proposal is carried onto it. With several, only the carry each slot
// would ask for if its candidate is kept: the slots end in the order their trainers started (the same budget), and
// each takes the oldest proposal waiting then, so the i-th candidate to have started is paired with the i-th
// oldest queued proposal. The pairs stay the same as slots take proposals and start candidates (both lists move
// up by one), so this is about one carry per experiment, not one per candidate and proposal, whose git work would
// compete with the slots' on the CPUs it is meant to save. A pairing that turns out wrong costs the slot the carry
// computed then, as before. Without it, the slot whose candidate was just kept found its carry begun only at the
// keep (the 'best' event, below), 1 to 4 ms before it asked.
//
// And once the best has moved, every queued proposal made on an earlier best is carried onto the best of now (at
// the keep, or when the proposal is queued), so the slots that take them later, when their own trainers end, find
// the carries made. A carry asked for after the best moved again is simply computed then, as before. A carry onto
// the best that conflicts is handed to the queue at once (`onConflict`: proposal-queue.ts, conflictedAhead), so
// the proposal is made again while the slots still train, not when a slot takes it and finds the conflict then
// (bench/utilization's conflicting-edits row: after a discard the slot found only a stale proposal ready).
import type { MadeProposal } from './outcomes.js';
import type { FoundConflict } from './proposal-queue.js';
import { carriedMessage } from '../git/commit-message.js';
import type { LoopGit, RunJournalView } from './context.js';
import { carriesOntoBest } from './search-base.js';
import type { LoopEvent } from './types.js';
import type { Experiment } from '../../shared/experiment.js';

/**
 * A carry onto a candidate is begun once it has trained this long. Needed only when that candidate is kept, so
 * only after its trainer ends: a real trainer runs for minutes and finds it made all the same, while one that ends
 * sooner (a smoke test, bench/loop-overhead's `echo`) would have its carry's git processes compete for the CPUs
 * with the harness's own work between two trainer runs, for a carry almost never asked for (most candidates are
 * discarded). The carries onto the best of now (`behind`) are asked for soon and are begun at once.
 */
export const PRE_CARRY_AFTER_MS = 250;

export interface PreCarryInput {
  readonly tag: string;
  readonly record: RunJournalView['record'];
  readonly git: LoopGit;
  readonly subscribe: (listener: (event: LoopEvent) => void) => () => void;
  /** PRE_CARRY_AFTER_MS unless given (0: at once, for unit tests of the pairing). */
  readonly afterMs?: number;
  /**
   * Queued proposal `id`'s carry (its commit `commit`) onto the best (`onto`, experiment `withId`) conflicts: the
   * files that do. Called when the carry ends, and again whenever the same carry is asked for (a cached outcome),
   * whatever happened since: the queue checks that this very commit still waits and the best is still `onto`
   * (a proposal made again keeps its id, with a new commit).
   */
  readonly onConflict?: (id: number, commit: string, conflict: FoundConflict, onto: string) => Promise<void> | void;
}

/** Starts computing carries ahead as proposals are made and candidates start; returns the unsubscribe. */
export function startPreCarry(input: PreCarryInput): () => void {
  const { tag, record, git } = input;
  const carryAhead = git.carryAhead?.bind(git);
  if (!carryAhead) return () => undefined;
  const afterMs = input.afterMs ?? PRE_CARRY_AFTER_MS;
  const timers = new Set<NodeJS.Timeout>();
  const look = () => {
    if (!carriesOntoBest(record) || record.bestCommit === null) return;
    const now = Date.now();
    const running: Experiment[] = [];
    for (const e of record.experiments.values()) {
      if (e.status !== 'running' || e.kind !== 'candidate') continue;
      if (e.commit === null) return; // one not committed yet: its proposal is about to leave the queue
      if (e.commit !== record.bestCommit) running.push(e);
    }
    if (running.length === 0) return;
    // Oldest first (the journal's order), as the queue hands them out.
    const queued = [...record.queuedProposals.values()].filter((p) => carriedIfKept(record, p));
    const byStart = running.sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.id - b.id);
    const pairs: [MadeProposal, Experiment][] =
      byStart.length === 1 ? queued.map((p) => [p, byStart[0]!]) : byStart.slice(0, queued.length).map((c, i) => [queued[i]!, c]);
    for (const [p, c] of pairs) {
      if (p.parentCommit === c.commit) continue; // made on the candidate itself: kept, it needs no carry
      if (now - Date.parse(c.startedAt) < afterMs) continue; // its own look comes (lookSoon)
      carryAhead(p.commit!, c.commit!, carriedMessage(tag, p.id, p.description, c.id));
    }
  };
  /** The carries the slots will ask for as things stand: queued proposals made on an earlier best, onto the best. */
  const behind = () => {
    if (!carriesOntoBest(record) || record.bestCommit === null) return;
    const { bestCommit: onto, bestId: withId } = record;
    for (const p of record.queuedProposals.values()) {
      if (!madeOnEarlierBest(record, p)) continue;
      carryAhead(p.commit!, onto, carriedMessage(tag, p.id, p.description, withId)).then(
        (out) => {
          // A journal that fails under the remake is the run's to hear (journal.failure), not this listener's.
          if (out.kind === 'conflict') Promise.resolve(input.onConflict?.(p.id, p.commit!, { files: out.files, withId }, onto)).catch(() => undefined);
        },
        // A carry that failed is the slot's to hear when it takes the proposal (the same error then).
        () => undefined,
      );
    }
  };
  /** look() now, and again once a candidate that starts now has trained afterMs. */
  const lookSoon = () => {
    look();
    if (afterMs <= 0) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      look();
    }, afterMs + 5);
    timer.unref?.();
    timers.add(timer);
  };
  const unsubscribe = input.subscribe((e) => {
    if (e.kind !== 'journal') return;
    // A proposal ready, or a candidate's commit known: the pairs that may need a carry next.
    if (e.event.type === 'proposal-made' || e.event.type === 'experiment-proposed') lookSoon();
    // The best moved, or a proposal was queued on a best that has moved since it was begun.
    if (e.event.type === 'best' || e.event.type === 'proposal-made') behind();
  });
  return () => {
    unsubscribe();
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  };
}

/** Carried onto a candidate training now if that candidate is kept: made on the best of now, or on an earlier best. */
function carriedIfKept(record: RunJournalView['record'], p: MadeProposal): boolean {
  return p.commit !== null && (p.parentCommit === record.bestCommit || madeOnEarlierBest(record, p));
}

/**
 * Made on a kept experiment that is no longer the best: the slot that takes it carries it onto the best. One made on
 * a candidate measured then (a speculative proposal) is dropped if that candidate was not kept, not carried.
 */
function madeOnEarlierBest(record: RunJournalView['record'], p: MadeProposal): boolean {
  if (p.commit === null || p.baseId === null || p.parentCommit === record.bestCommit) return false;
  const base = record.experiments.get(p.baseId);
  return base !== undefined && base.status === 'keep' && base.commit === p.parentCommit;
}
