// The scheduler with a stand-in for running an experiment: which experiment each slot takes, in what order,
// when it stops, and what goes back to the proposal queue. No git, no disk, no processes.
import { describe, expect, it } from 'vitest';
import type { SlotState } from '../../src/core/loop/context.js';
import type { ExperimentSource } from '../../src/core/loop/experiment-start.js';
import type { ExperimentOutcome, MadeProposal } from '../../src/core/loop/outcomes.js';
import type { QueuedProposal } from '../../src/core/loop/proposal-queue.js';
import { runSlots, type SchedulerInput } from '../../src/core/loop/scheduler.js';
import { memorySlot } from '../helpers/loop-memory.js';

const made = (id: number): MadeProposal => ({ id, baseId: 0, parentCommit: 'c0', commit: `c${id}`, description: `#${id}`, hypothesis: '', usage: null, proposedAt: '', proposalMs: 0, changedFiles: [], changedLines: 1, transcriptPath: null, rejectedReason: null });

/** A queue holding `ids` (depth > 0: pipelined), recording what came back to it. */
function fakeQueue(ids: number[], depth = 1) {
  const ready: QueuedProposal[] = ids.map((id) => ({ made: made(id), madeAt: '', remakes: 0 }));
  const back: string[] = [];
  return {
    back,
    depth,
    hasReady: () => ready.length > 0,
    take: async () => ready.shift() ?? null,
    conflicted: async (p: QueuedProposal, c: { readonly files: readonly string[]; readonly withId: number | null }, slot?: number) => void back.push(`conflict ${p.made.id} with #${c.withId} (${c.files.join(', ')}) in slot ${slot}`),
    drop: async (id: number, reason: string) => void back.push(`drop ${id}: ${reason}`),
  };
}

/** A scheduler whose experiments are `run`; stops when `limit` experiments have been taken. */
function scheduler(over: Partial<SchedulerInput> & { limit?: number; waiting?: number[] } = {}) {
  const ran: string[] = [];
  const stops: string[] = [];
  const released: number[] = [];
  const recovered: string[] = [];
  const started = new Set<number>();
  const waiting = [...(over.waiting ?? [])];
  let next = 1;
  let taken = 0;
  const input: SchedulerInput = {
    slots: [memorySlot(0)],
    queue: fakeQueue([], 0),
    run: async (slot: SlotState, source: ExperimentSource): Promise<ExperimentOutcome> => {
      taken += 1;
      ran.push(`${slot.index}:${source.kind}:${source.kind === 'queued' ? source.queued.made.id : source.id}`);
      return { kind: 'closed' };
    },
    started: (id) => started.has(id),
    setPhase: (slot, phase) => void (slot.phase = phase),
    requestStop: (reason, message, graceful) => void stops.push(`${reason} ${graceful ? 'graceful' : 'now'}: ${message}`),
    waitWhilePaused: async () => undefined,
    stopping: () => stops.length > 0,
    stopNow: () => (taken >= (over.limit ?? 3) ? { reason: 'max-experiments', message: 'Reached the limit.' } : null),
    reserve: () => next++,
    takeWaiting: () => waiting.shift() ?? null,
    release: (id) => void released.push(id),
    recover: async (slot, id, err) => void recovered.push(`${slot.index}:${id}: ${(err as Error).message}`),
    ...over,
  };
  return { input, ran, stops, released, recovered, started };
}

describe('the scheduler', () => {
  it('a lone slot proposes for itself, one new id each, until a limit stops the run gracefully', async () => {
    const s = scheduler({ limit: 3 });
    await runSlots(s.input);
    expect(s.ran).toEqual(['0:own:1', '0:own:2', '0:own:3']);
    expect(s.released).toEqual([1, 2, 3]);
    expect(s.stops).toEqual(['max-experiments graceful: Reached the limit.']);
  });

  it('takes up proposals left waiting for approval first, under their own ids', async () => {
    const s = scheduler({ limit: 3, waiting: [7, 9] });
    await runSlots(s.input);
    expect(s.ran).toEqual(['0:waiting:7', '0:waiting:9', '0:own:1']);
  });

  it('pipelined, slots take queued proposals oldest first and go home idle when none will come', async () => {
    const queue = fakeQueue([4, 5, 6]);
    const s = scheduler({ limit: 99, queue, slots: [memorySlot(0), memorySlot(1)] });
    await runSlots(s.input);
    expect(s.ran.map((r) => r.split(':').slice(1).join(':')).sort()).toEqual(['queued:4', 'queued:5', 'queued:6']);
    expect(s.ran.filter((r) => r.startsWith('0:')).length).toBeGreaterThan(0);
    expect(s.stops).toEqual([]);
    expect(s.input.slots.map((x) => x.phase)).toEqual(['idle', 'idle']);
  });

  it('hands a conflict back to the queue and drops a proposal that cannot start, with why', async () => {
    const queue = fakeQueue([4, 5, 6]);
    const outcomes: Record<number, ExperimentOutcome> = { 4: { kind: 'conflict', files: ['train.py'], withId: 3 }, 5: { kind: 'dropped', reason: 'Its commit is gone.' } };
    const ran: number[] = [];
    const s = scheduler({ limit: 99, queue, run: async (_slot, source) => (source.kind === 'queued' ? (ran.push(source.queued.made.id), outcomes[source.queued.made.id] ?? { kind: 'closed' }) : { kind: 'closed' }) });
    await runSlots(s.input);
    // The slot that found the conflict is named (its wait counts as the conflict's), and it goes on to the next.
    expect(queue.back).toEqual(['conflict 4 with #3 (train.py) in slot 0', 'drop 5: Its commit is gone.']);
    expect(ran).toEqual([4, 5, 6]);
  });

  it('a queued proposal that fails before it starts is dropped; one that fails after is recovered as the experiment', async () => {
    const queue = fakeQueue([4, 5]);
    const s = scheduler({
      limit: 99,
      queue,
      run: async (_slot, source) => {
        const id = source.kind === 'queued' ? source.queued.made.id : -1;
        if (id === 5) s.started.add(5);
        throw new Error(`git broke on ${id}`);
      },
    });
    await runSlots(s.input);
    expect(queue.back).toEqual(['drop 4: It could not be started: git broke on 4']);
    expect(s.recovered).toEqual(['0:5: git broke on 5']);
  });

  it('an own experiment that fails inside the app is recovered, its id released, and the slot goes on', async () => {
    let calls = 0;
    const s = scheduler({
      limit: 2,
      run: async () => {
        calls += 1;
        if (calls === 1) throw new Error('disk full');
        return { kind: 'closed' };
      },
      stopNow: () => (calls >= 2 ? { reason: 'max-experiments', message: 'Reached the limit.' } : null),
    });
    await runSlots(s.input);
    expect(s.recovered).toEqual(['0:1: disk full']);
    expect(s.released).toEqual([1, 2]);
    expect(calls).toBe(2);
  });
});
