// A run's view from its fold snapshot and a journal tail, without reading every experiment: what a reopen after a
// kill -9 needs (`status`, the Studio's run list). The tail touches few experiments (the live run keeps the
// snapshot within a megabyte or two of the journal's end, live-snapshot.ts), so only those are read from the
// snapshot, found by id in its sorted blocks; the tail is folded over the snapshot's head and them, and the
// snapshot's aggregates are corrected by what changed. Anything this cannot do exactly (an unsorted snapshot,
// a page the tail reorders) is answered by the full fold instead.
import type { Experiment } from '../../shared/experiment.js';
import type { JournalEvent } from '../../shared/journal.js';
import { foldEvent, type ExperimentAggregates, type RunRecord } from './fold.js';
import type { ScanResult } from './scan.js';
import type { Snapshot } from './snapshot.js';

/** The experiment ids an event reads or writes in the fold. */
function idOf(e: JournalEvent): number | null {
  switch (e.type) {
    case 'experiment-start':
    case 'experiment-end':
      return e.experiment.id;
    case 'experiment-proposed':
    case 'process-start':
    case 'process-end':
    case 'best-remeasured':
    case 'best': // the fold reads the best's record for how many runs its value is a mean of
    case 'approval-wait':
    case 'approval-answer':
      return e.id;
    case 'baseline-run':
      return 0;
    default:
      return null;
  }
}

/**
 * The experiments with these ids that the snapshot holds (it must be sorted), and its highest id. Only the
 * blocks holding them are read, and only their lines are checked (Snapshot.pick).
 */
async function lookup(snap: Snapshot, ids: readonly number[]): Promise<{ found: Map<number, Experiment>; lastId: number }> {
  const found: Experiment[] = [];
  if (snap.blocks === 0) return { found: new Map(), lastId: -1 };
  const wanted = new Set(ids);
  const want = (id: number) => wanted.has(id);
  const lastBlock = snap.blocks - 1;
  const last = await snap.pick(lastBlock, want);
  found.push(...last.found);
  const picked = new Set([lastBlock]);
  const firstIds = new Map<number, number>([[lastBlock, last.firstId]]);
  const firstOf = async (b: number) => {
    let id = firstIds.get(b);
    if (id === undefined) firstIds.set(b, (id = (await snap.firstOf(b)).id));
    return id;
  };
  for (const id of ids) {
    // Most tails touch only the last block (already read) and experiments after it.
    if (id >= last.firstId) continue;
    // The last block whose first id is at most `id`.
    let lo = 0;
    let hi = lastBlock - 1;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if ((await firstOf(mid)) <= id) lo = mid;
      else hi = mid - 1;
    }
    if (picked.has(lo)) continue;
    picked.add(lo);
    found.push(...(await snap.pick(lo, want)).found);
  }
  return { found: new Map(found.sort((a, b) => a.id - b.id).map((e) => [e.id, e])), lastId: last.lastId };
}

export interface TailView {
  /** The record without its experiments (as a view without rows has it). */
  readonly record: RunRecord;
  readonly aggregates: ExperimentAggregates;
  readonly badLines: number[];
  readonly experimentsTotal: number;
  /** Experiments [from, from + limit) in id order, or null when the full fold must answer. */
  page(from: number, limit: number): Promise<Experiment[] | null>;
}

/** The view of a sorted snapshot plus its tail; null when the snapshot is not in id order. */
export async function foldTailOverSnapshot(snap: Snapshot, tail: ScanResult): Promise<TailView | null> {
  if (!snap.sorted) return null;
  const events = tail.events;
  const ids = [...new Set(events.map(idOf).filter((id): id is number => id !== null))].sort((a, b) => a - b);
  const { found, lastId } = await lookup(snap, ids);
  const record = { ...snap.head, experiments: new Map(found) };
  for (const e of events) foldEvent(record, e);

  // The aggregates, corrected by the experiments the tail changed or added.
  const counts = { ...snap.aggregates.counts };
  let kept = snap.aggregates.keptImprovements;
  const add = (e: Experiment | undefined, sign: 1 | -1) => {
    if (!e) return;
    counts.total += sign;
    counts[e.status] += sign;
    if (e.status === 'keep' && e.kind !== 'baseline') kept += sign;
  };
  const changed = new Map<number, Experiment>();
  const added: Experiment[] = [];
  for (const [id, after] of record.experiments) {
    const before = found.get(id);
    if (before === after) continue;
    add(before, -1);
    add(after, 1);
    if (before) changed.set(id, after);
    else added.push(after);
  }
  added.sort((a, b) => a.id - b.id);
  const baseline = record.experiments.has(0) ? (record.experiments.get(0)!.metric ?? null) : snap.aggregates.baseline;
  // Pages are the snapshot's with the changed rows replaced and the new ones after them, when the new ones
  // all come after the snapshot's last id (a slot taking an older queued proposal would reorder them).
  const appendOnly = added.every((e) => e.id > lastId);
  return {
    record: { ...record, experiments: new Map() },
    aggregates: { counts, keptImprovements: kept, baseline },
    badLines: [...snap.badLines, ...tail.badLines],
    experimentsTotal: snap.count + added.length,
    async page(from, limit) {
      if (!appendOnly) return null;
      const end = Math.min(snap.count + added.length, from + limit);
      const out: Experiment[] = [];
      if (from < snap.count) for (const e of await snap.page(from, Math.min(end, snap.count) - from)) out.push(changed.get(e.id) ?? e);
      for (let i = Math.max(from, snap.count); i < end; i += 1) out.push(added[i - snap.count]!);
      return out;
    },
  };
}
