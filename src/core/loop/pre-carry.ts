// Pre-carry (docs/decisions.md, "Pipelined proposals"): a proposal made ahead on the best must be carried onto the
// candidate training now if that candidate is kept (a three-way merge, experiment-start.ts). The carry's git work
// (merge-tree, commit-tree) was the largest part of the harness's time between two trainer runs of one slot
// (bench/utilization, "take"). So while the candidate trains, the carry is computed ahead (LoopGit.carryAhead);
// when the candidate is kept, the slot's carry finds it made. When it is not kept, the carry is simply never asked
// for: its objects are unreferenced and git's gc prunes them in time.
//
// Only while one candidate trains (one slot, or the others idle): with several, each kept one would need its own
// carries, and that git work would compete with the slots' on the CPUs it is meant to save.
import type { MadeProposal } from './outcomes.js';
import { experimentCommitMessage } from '../git/commit-message.js';
import type { LoopGit, RunJournalView } from './context.js';
import { carriesOntoBest } from './search-base.js';
import type { LoopEvent } from './types.js';

/** The commit message of proposal `id`'s change carried onto experiment `ontoId`. */
export function carriedMessage(tag: string, id: number, description: string, ontoId: number | null): string {
  return experimentCommitMessage(tag, id, `${description} (carried onto #${ontoId})`);
}

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
  return input.subscribe((e) => {
    if (e.kind !== 'journal') return;
    // A proposal ready, or a candidate's commit known: the pairs that may need a carry next.
    if (e.event.type === 'proposal-made' || e.event.type === 'experiment-proposed') look();
  });
}

/** Made on the best of now, so carried only if the candidate training is kept. */
function needsCarryOnto(p: MadeProposal, bestCommit: string): boolean {
  return p.commit !== null && p.parentCommit === bestCommit;
}
