// Pre-carry (docs/decisions.md, "Pipelined proposals"): a proposal made ahead on the best must be carried onto the
// candidate training now if that candidate is kept (a three-way merge, experiment-start.ts). The carry's git work
// (merge-tree, commit-tree) was the largest part of the harness's time between two trainer runs of one slot
// (bench/utilization, "take"). So while the candidate trains, the carry is computed ahead (LoopGit.carryAhead);
// when the candidate is kept, the slot's carry finds it made. When it is not kept, the carry is simply never asked
// for: its objects are unreferenced and git's gc prunes them in time.
//
// Only while one candidate trains (one slot, or the others idle): with several, each kept one would need its own
// carries, and that git work would compete with the slots' on the CPUs it is meant to save.
//
// With several slots the carry that is sure to be asked for is made instead: once the best has moved, every queued
// proposal made on an earlier best is carried onto the best of now (at the keep, or when the proposal is queued),
// so the slots that take them later, when their own trainers end, find the carries made. A carry asked for after
// the best moved again is simply computed then, as before.
import type { MadeProposal } from './outcomes.js';
import { carriedMessage } from '../git/commit-message.js';
import type { LoopGit, RunJournalView } from './context.js';
import { carriesOntoBest } from './search-base.js';
import type { LoopEvent } from './types.js';

export interface PreCarryInput {
  readonly tag: string;
  readonly record: RunJournalView['record'];
  readonly git: LoopGit;
  readonly subscribe: (listener: (event: LoopEvent) => void) => () => void;
}

/** Starts computing carries ahead as proposals are made and candidates start; returns the unsubscribe. */
export function startPreCarry(input: PreCarryInput): () => void {
  const { tag, record, git } = input;
  const carryAhead = git.carryAhead?.bind(git);
  if (!carryAhead) return () => undefined;
  const look = () => {
    if (!carriesOntoBest(record) || record.bestCommit === null) return;
    let running: { readonly id: number; readonly commit: string } | null = null;
    for (const e of record.experiments.values()) {
      if (e.status !== 'running' || e.kind !== 'candidate') continue;
      if (running !== null || e.commit === null) return; // several training, or one not committed yet
      running = { id: e.id, commit: e.commit };
    }
    if (running === null || running.commit === record.bestCommit) return;
    for (const p of record.queuedProposals.values()) {
      if (!needsCarryOnto(p, record.bestCommit)) continue;
      carryAhead(p.commit!, running.commit, carriedMessage(tag, p.id, p.description, running.id));
    }
  };
  /** The carries the slots will ask for as things stand: queued proposals made on an earlier best, onto the best. */
  const behind = () => {
    if (!carriesOntoBest(record) || record.bestCommit === null) return;
    for (const p of record.queuedProposals.values()) {
      if (!madeOnEarlierBest(record, p)) continue;
      carryAhead(p.commit!, record.bestCommit, carriedMessage(tag, p.id, p.description, record.bestId));
    }
  };
  return input.subscribe((e) => {
    if (e.kind !== 'journal') return;
    // A proposal ready, or a candidate's commit known: the pairs that may need a carry next.
    if (e.event.type === 'proposal-made' || e.event.type === 'experiment-proposed') look();
    // The best moved, or a proposal was queued on a best that has moved since it was begun.
    if (e.event.type === 'best' || e.event.type === 'proposal-made') behind();
  });
}

/** Made on the best of now, so carried only if the candidate training is kept. */
function needsCarryOnto(p: MadeProposal, bestCommit: string): boolean {
  return p.commit !== null && p.parentCommit === bestCommit;
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
