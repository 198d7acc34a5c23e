// Pipelined proposals in the journal: a proposal made is queued until a slot takes it (experiment-start) or
// it is dropped; its spend counts from the moment it is made, once, whatever becomes of it; a malformed one
// is skipped like any bad line.
import { describe, expect, it } from 'vitest';
import { foldEvents, lastIdOf } from '../../src/core/journal/fold.js';
import { parseJournalEvent, type JournalEvent, type ProposalMadeEvent } from '../../src/shared/journal.js';
import type { Experiment } from '../../src/shared/experiment.js';

const sha = (c: string) => c.repeat(40);
const usage = (costUsd: number) => ({ inputTokens: 100, outputTokens: 10, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd });
const made = (id: number, cost: number, at = '2026-01-01T00:00:01.000Z'): ProposalMadeEvent => ({
  type: 'proposal-made',
  at,
  id,
  baseId: 0,
  parentCommit: sha('a'),
  commit: sha('b'),
  description: `idea ${id}`,
  hypothesis: '',
  usage: usage(cost),
  proposedAt: '2026-01-01T00:00:00.000Z',
  proposalMs: 1000,
  changedFiles: ['train.py'],
  changedLines: 2,
  transcriptPath: null,
  rejectedReason: null,
});
const running = (id: number): Experiment => ({
  id,
  kind: 'candidate',
  slot: 0,
  baseId: 0,
  parentCommit: sha('a'),
  commit: null,
  description: '',
  hypothesis: '',
  status: 'running',
  metric: null,
  metrics: {},
  runs: [],
  guard: null,
  bestBefore: null,
  startedAt: '2026-01-01T00:00:02.000Z',
  finishedAt: null,
  timings: { proposalMs: null, trainingMs: null, totalMs: null, queueWaitMs: 1000 },
  usage: null,
  logPath: null,
  transcriptPath: null,
  error: null,
  changedFiles: [],
  proposedAt: '2026-01-01T00:00:00.000Z',
});

describe('proposals in the journal', () => {
  it('queues a proposal until a slot takes it, and counts its spend exactly once', () => {
    const events: JournalEvent[] = [made(1, 0.5), made(2, 0.25)];
    let rec = foldEvents(events);
    expect([...rec.queuedProposals.keys()]).toEqual([1, 2]);
    expect(rec.costUsd).toBeCloseTo(0.75);
    expect(lastIdOf(rec)).toBe(2);

    events.push({ type: 'experiment-start', at: '2026-01-01T00:00:02.000Z', experiment: running(1) });
    rec = foldEvents(events);
    expect([...rec.queuedProposals.keys()]).toEqual([2]);
    // Between the start and the proposed event the spend moves from the queue to the experiment.
    events.push({ type: 'experiment-proposed', at: '2026-01-01T00:00:02.000Z', id: 1, commit: sha('b'), description: 'idea 1', hypothesis: '', usage: usage(0.5), proposalMs: 1000, changedFiles: ['train.py'], transcriptPath: null });
    rec = foldEvents(events);
    expect(rec.costUsd).toBeCloseTo(0.75);
    expect(rec.experiments.get(1)!.timings.queueWaitMs).toBe(1000);
    expect(rec.experiments.get(1)!.proposedAt).toBe('2026-01-01T00:00:00.000Z');
  });

  it('a proposal made again replaces the first; a dropped one keeps its spend and its id is never reused', () => {
    // Made again after a conflict: its usage includes the first attempt's.
    const events: JournalEvent[] = [made(1, 0.5), made(1, 0.8), { type: 'proposal-dropped', at: '2026-01-01T00:00:03.000Z', id: 1, reason: 'conflicts with #2' }];
    const rec = foldEvents(events);
    expect(rec.queuedProposals.size).toBe(0);
    expect(rec.droppedProposals.get(1)).toBe('conflicts with #2');
    expect(rec.costUsd).toBeCloseTo(0.8);
    expect(rec.experiments.has(1)).toBe(false);
    expect(lastIdOf(rec)).toBe(1);
  });

  it('skips a proposal-made whose commit is not a commit', () => {
    expect(parseJournalEvent({ ...made(1, 0), commit: '--upload-pack=evil' })).toBeNull();
    expect(parseJournalEvent({ ...made(1, 0), transcriptPath: '../../etc/passwd' })).toBeNull();
    expect(parseJournalEvent(made(1, 0))).not.toBeNull();
    expect(parseJournalEvent({ type: 'proposal-dropped', at: 'x', id: -1, reason: 'r' })).toBeNull();
  });
});
