// Pre-carry (core/loop/pre-carry.ts): which carries are computed ahead while a candidate trains, on hand-made
// run records and a LoopGit that records what it was asked. That the loop then takes the carry made ahead, and
// the carried commit is right, is covered by the real runs of loop-carry and loop-pipeline.
import { describe, expect, it } from 'vitest';
import { emptyRunRecord, type RunRecord } from '../../src/core/journal/fold.js';
import type { CarryOutcome, LoopGit } from '../../src/core/loop/context.js';
import { carriedMessage } from '../../src/core/git/commit-message.js';
import { startPreCarry } from '../../src/core/loop/pre-carry.js';
import type { LoopEvent } from '../../src/core/loop/types.js';
import type { SearchConfig } from '../../src/shared/config.js';
import type { Experiment } from '../../src/shared/experiment.js';
import type { ProposalMadeEvent } from '../../src/shared/journal-events.js';
import { fixtureConfig, makeExperiment } from '../fixtures/make-run.js';

const BEST = 'b'.repeat(40);
const sha = (n: number) => n.toString(16).padStart(40, 'c');

function setup(search: Partial<SearchConfig> = {}, afterMs = 0) {
  const record: RunRecord = emptyRunRecord();
  record.config = fixtureConfig({ search });
  record.experiments.set(0, makeExperiment({ id: 0, status: 'keep', metric: 1, commit: BEST }));
  record.bestId = 0;
  record.bestCommit = BEST;
  record.best = 1;
  const asked: [string, string, string][] = [];
  /** Carries that conflict (by the proposal's commit), and what they conflict in. */
  const conflicting = new Map<string, string[]>();
  const conflicts: [number, string, { files: readonly string[]; withId: number | null }, string][] = [];
  const git: LoopGit = {
    resetTo: async () => undefined,
    updateRef: async () => undefined,
    carryOnto: async (): Promise<CarryOutcome> => ({ kind: 'carried', commit: sha(999) }),
    carryAhead: async (commit, onto, message) => {
      asked.push([commit, onto, message]);
      const files = conflicting.get(commit);
      return files ? { kind: 'conflict', files } : { kind: 'carried', commit: sha(999) };
    },
    commitExists: async () => true,
  };
  const listeners = new Set<(e: LoopEvent) => void>();
  const stop = startPreCarry({ tag: 'mar5', record, git, subscribe: (l) => (listeners.add(l), () => listeners.delete(l)), afterMs, onConflict: (id, commit, conflict, onto) => void conflicts.push([id, commit, conflict, onto]) });
  const tell = (event: Extract<LoopEvent, { kind: 'journal' }>['event']) => {
    for (const l of listeners) l({ kind: 'journal', event });
  };
  const running = (id: number, commit: string | null) => {
    const e: Experiment = makeExperiment({ id, status: 'running', metric: null, commit, parentCommit: BEST, baseId: 0 });
    record.experiments.set(id, e);
    tell({ type: 'experiment-proposed', at: '', id, commit, description: e.description, hypothesis: '', usage: null, proposalMs: 1, changedFiles: [], transcriptPath: null });
  };
  const made = (id: number, parentCommit: string, commit: string | null = sha(id), baseId = 0) => {
    const p: ProposalMadeEvent = { type: 'proposal-made', at: '', id, baseId, parentCommit, commit, description: `idea ${id}`, hypothesis: '', usage: null, proposedAt: '', proposalMs: 1, changedFiles: ['train.py'], changedLines: 1, transcriptPath: null, rejectedReason: null };
    record.queuedProposals.set(id, p);
    tell(p);
  };
  return { record, asked, stop, running, made, tell, conflicting, conflicts };
}

describe('pre-carry', () => {
  it('carries a proposal made on the best onto the one candidate training, with the message the slot will ask for', () => {
    const { asked, running, made } = setup();
    running(1, sha(1));
    made(2, BEST);
    expect(asked).toEqual([[sha(2), sha(1), carriedMessage('mar5', 2, 'idea 2', 1)]]);
    // The candidate's start (experiment-proposed) is the other moment: a proposal already waiting is carried then.
    const late = setup();
    late.made(2, BEST);
    expect(late.asked).toEqual([]);
    late.running(1, sha(1));
    expect(late.asked).toEqual([[sha(2), sha(1), carriedMessage('mar5', 2, 'idea 2', 1)]]);
  });

  it('carries nothing that would not be asked for', () => {
    // Made on the candidate itself (a speculative proposal): if it is kept, nothing needs carrying.
    const spec = setup();
    spec.running(1, sha(1));
    spec.made(2, sha(1));
    expect(spec.asked).toEqual([]);
    // A proposal with nothing usable (no commit), and a candidate with no commit yet.
    const none = setup();
    none.running(1, null);
    none.made(2, BEST);
    none.made(3, BEST, null);
    expect(none.asked).toEqual([]);
    // tree runs a proposal on the base it was made on: never carried.
    const tree = setup({ strategy: 'tree' });
    tree.running(1, sha(1));
    tree.made(2, BEST);
    expect(tree.asked).toEqual([]);
  });

  it('with several candidates training, carries the i-th oldest proposal onto the i-th candidate to have started', () => {
    const { record, asked: all, running, made } = setup();
    // The real carryAhead makes each carry once however often it is asked (loop-git.ts): what was asked, once each.
    const unique = () => [...new Map(all.map((a) => [a.join(' '), a])).values()];
    // #4 started before #1 (ids say nothing of the order slots started in), so #4's slot ends first.
    running(1, sha(1));
    running(4, sha(4));
    record.experiments.set(1, { ...record.experiments.get(1)!, startedAt: '2026-01-01T00:00:02.000Z' });
    record.experiments.set(4, { ...record.experiments.get(4)!, startedAt: '2026-01-01T00:00:01.000Z' });
    made(5, BEST);
    expect(unique()).toEqual([[sha(5), sha(4), carriedMessage('mar5', 5, 'idea 5', 4)]]);
    // One carry each, not every proposal onto every candidate: #6 goes with #1, and a third proposal with nobody.
    made(6, BEST);
    made(7, BEST);
    expect(unique().slice(1)).toEqual([[sha(6), sha(1), carriedMessage('mar5', 6, 'idea 6', 1)]]);
    // #4's slot takes #5 and starts it: the pairs move up by one and the new candidate gets the next proposal.
    record.queuedProposals.delete(5);
    record.experiments.set(4, { ...record.experiments.get(4)!, status: 'discard' });
    running(5, sha(55));
    record.experiments.set(5, { ...record.experiments.get(5)!, startedAt: '2026-01-01T00:00:03.000Z' });
    made(8, BEST);
    expect(unique().slice(2)).toEqual([[sha(7), sha(55), carriedMessage('mar5', 7, 'idea 7', 5)]]);
  });

  it('once the best has moved, carries the queued proposals made on an earlier best onto the best of now', () => {
    const { record, asked, made, tell } = setup();
    const NEW = sha(7);
    made(2, BEST);
    made(3, BEST, null);
    expect(asked).toEqual([]);
    // Two slots train, and #7 is kept: the carries the other slots will ask for when they take #2 (and #4, queued
    // after the keep but begun on the old best) are made now; the slot that asks for #2's finds it made.
    record.experiments.set(7, makeExperiment({ id: 7, status: 'keep', metric: 0.9, commit: NEW, parentCommit: BEST, baseId: 0 }));
    record.bestId = 7;
    record.bestCommit = NEW;
    record.best = 0.9;
    tell({ type: 'best', at: '', id: 7, commit: NEW, metric: 0.9 });
    expect(asked).toEqual([[sha(2), NEW, carriedMessage('mar5', 2, 'idea 2', 7)]]);
    made(4, BEST);
    expect(asked.slice(1)).toEqual([
      [sha(2), NEW, carriedMessage('mar5', 2, 'idea 2', 7)],
      [sha(4), NEW, carriedMessage('mar5', 4, 'idea 4', 7)],
    ]);
    // Made on the best of now: nothing to carry. Made on a candidate measured then and not kept (a speculative
    // proposal, which the slot drops), or still measured: not carried either.
    asked.length = 0;
    record.queuedProposals.clear();
    made(5, NEW);
    record.experiments.set(8, makeExperiment({ id: 8, status: 'discard', metric: 1.2, commit: sha(8), parentCommit: NEW, baseId: 7 }));
    made(9, sha(8), sha(9), 8);
    record.experiments.set(10, makeExperiment({ id: 10, status: 'running', metric: null, commit: sha(10), parentCommit: NEW, baseId: 7 }));
    made(11, sha(10), sha(11), 10);
    // (#5 is carried onto #10, the one candidate training, as above: none of them onto the best.)
    expect(asked.filter(([, onto]) => onto === NEW)).toEqual([]);
  });

  it('hands a carry onto the best that conflicts to the queue at once, and none onto a running candidate', async () => {
    const { record, made, tell, running, conflicting, conflicts } = setup();
    const NEW = sha(7);
    conflicting.set(sha(2), ['train.py']);
    conflicting.set(sha(3), ['train.py']);
    made(2, BEST);
    made(3, BEST);
    // Onto a candidate training now: a conflict there says nothing yet (it may be discarded), so nothing is handed on.
    running(5, sha(5));
    await new Promise((r) => setTimeout(r, 10));
    expect(conflicts).toEqual([]);
    // #7 is kept: #2 and #3, made on the old best, conflict with it; the queue hears of both, with the best they met.
    record.experiments.set(7, makeExperiment({ id: 7, status: 'keep', metric: 0.9, commit: NEW, parentCommit: BEST, baseId: 0 }));
    Object.assign(record, { bestId: 7, bestCommit: NEW, best: 0.9 });
    tell({ type: 'best', at: '', id: 7, commit: NEW, metric: 0.9 });
    await new Promise((r) => setTimeout(r, 10));
    expect(conflicts).toEqual([
      [2, sha(2), { files: ['train.py'], withId: 7 }, NEW],
      [3, sha(3), { files: ['train.py'], withId: 7 }, NEW],
    ]);
  });

  it('begins a carry onto a candidate once it has trained a while, and none for one that ended sooner', async () => {
    // With the default wait (PRE_CARRY_AFTER_MS): a trainer that ends within it (bench/loop-overhead's echo) gets no
    // carry whose git work would compete with the harness's between two runs; one still training then gets it.
    const { record, asked, made, tell } = setup({}, 80);
    const startNow = (id: number) => {
      record.experiments.set(id, makeExperiment({ id, status: 'running', metric: null, commit: sha(id), parentCommit: BEST, baseId: 0, startedAt: new Date().toISOString() }));
      tell({ type: 'experiment-proposed', at: '', id, commit: sha(id), description: '', hypothesis: '', usage: null, proposalMs: 1, changedFiles: [], transcriptPath: null });
    };
    startNow(1);
    made(2, BEST);
    expect(asked).toEqual([]);
    await new Promise((r) => setTimeout(r, 200));
    // (Asked once per event that looked; the real carryAhead makes it once.)
    expect([...new Set(asked.map((a) => JSON.stringify(a)))]).toEqual([JSON.stringify([sha(2), sha(1), carriedMessage('mar5', 2, 'idea 2', 1)])]);
    // #1 ends (discarded) 20 ms after #3 starts, before #3's wait is over: #4, queued for it, is never carried.
    asked.length = 0;
    record.queuedProposals.delete(2);
    record.experiments.set(1, { ...record.experiments.get(1)!, status: 'discard' });
    startNow(3);
    made(4, BEST);
    await new Promise((r) => setTimeout(r, 20));
    record.experiments.set(3, { ...record.experiments.get(3)!, status: 'discard' });
    await new Promise((r) => setTimeout(r, 200));
    expect(asked).toEqual([]);
  });

  it('stops listening when told', () => {
    const { asked, running, made, stop } = setup();
    stop();
    running(1, sha(1));
    made(2, BEST);
    expect(asked).toEqual([]);
  });
});
