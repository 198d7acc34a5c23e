// Pre-carry (core/loop/pre-carry.ts): which carries are computed ahead while a candidate trains, on hand-made
// run records and a LoopGit that records what it was asked. That the loop then takes the carry made ahead, and
// the carried commit is right, is covered by the real runs of loop-carry and loop-pipeline.
import { describe, expect, it } from 'vitest';
import { emptyRunRecord, type RunRecord } from '../../src/core/journal/fold.js';
import type { CarryOutcome, LoopGit } from '../../src/core/loop/context.js';
import { carriedMessage, startPreCarry } from '../../src/core/loop/pre-carry.js';
import type { LoopEvent } from '../../src/core/loop/types.js';
import type { SearchConfig } from '../../src/shared/config.js';
import type { Experiment } from '../../src/shared/experiment.js';
import type { ProposalMadeEvent } from '../../src/shared/journal-events.js';
import { fixtureConfig, makeExperiment } from '../fixtures/make-run.js';

const BEST = 'b'.repeat(40);
const sha = (n: number) => n.toString(16).padStart(40, 'c');

function setup(search: Partial<SearchConfig> = {}) {
  const record: RunRecord = emptyRunRecord();
  record.config = fixtureConfig({ search });
  record.experiments.set(0, makeExperiment({ id: 0, status: 'keep', metric: 1, commit: BEST }));
  record.bestId = 0;
  record.bestCommit = BEST;
  record.best = 1;
  const asked: [string, string, string][] = [];
  const git: LoopGit = {
    resetTo: async () => undefined,
    updateRef: async () => undefined,
    carryOnto: async (): Promise<CarryOutcome> => ({ kind: 'carried', commit: sha(999) }),
    carryAhead: (commit, onto, message) => void asked.push([commit, onto, message]),
    commitExists: async () => true,
  };
  const listeners = new Set<(e: LoopEvent) => void>();
  const stop = startPreCarry({ tag: 'mar5', record, git, subscribe: (l) => (listeners.add(l), () => listeners.delete(l)) });
  const tell = (event: Extract<LoopEvent, { kind: 'journal' }>['event']) => {
    for (const l of listeners) l({ kind: 'journal', event });
  };
  const running = (id: number, commit: string | null) => {
    const e: Experiment = makeExperiment({ id, status: 'running', metric: null, commit, parentCommit: BEST, baseId: 0 });
    record.experiments.set(id, e);
    tell({ type: 'experiment-proposed', at: '', id, commit, description: e.description, hypothesis: '', usage: null, proposalMs: 1, changedFiles: [], transcriptPath: null });
  };
  const made = (id: number, parentCommit: string, commit: string | null = sha(id)) => {
    const p: ProposalMadeEvent = { type: 'proposal-made', at: '', id, baseId: 0, parentCommit, commit, description: `idea ${id}`, hypothesis: '', usage: null, proposedAt: '', proposalMs: 1, changedFiles: ['train.py'], changedLines: 1, transcriptPath: null, rejectedReason: null };
    record.queuedProposals.set(id, p);
    tell(p);
  };
  return { record, asked, stop, running, made };
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
    // Two candidates training (several slots): left to the slots, whose git it would compete with.
    const two = setup();
    two.running(1, sha(1));
    two.running(2, sha(2));
    two.made(3, BEST);
    expect(two.asked).toEqual([]);
    // tree runs a proposal on the base it was made on: never carried.
    const tree = setup({ strategy: 'tree' });
    tree.running(1, sha(1));
    tree.made(2, BEST);
    expect(tree.asked).toEqual([]);
  });

  it('stops listening when told', () => {
    const { asked, running, made, stop } = setup();
    stop();
    running(1, sha(1));
    made(2, BEST);
    expect(asked).toEqual([]);
  });
});
