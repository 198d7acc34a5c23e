// Per-slot trainer time, GPU-hours and idle time, folded from a journal written with the real writer and read
// back through the schema: two slots with one GPU each, the app killed mid-run and resumed eight hours later,
// a re-measurement of the best in the other slot, and a journal of an older version (no slot on its
// process-start events). The expected numbers are worked out by hand from the event times.
import { describe, expect, it } from 'vitest';
import { openJournalWriter } from '../../src/core/journal/append.js';
import { summarize } from '../../src/core/journal/fold.js';
import { emptyUsage, foldUsage, usageOf } from '../../src/core/journal/slot-usage.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { REPAIR_STOP_MESSAGE, type JournalEvent } from '../../src/shared/journal.js';
import { usageAt } from '../../src/shared/slot-usage.js';
import { fixtureConfig, makeExperiment } from '../fixtures/make-run.js';
import { cleanupTempDirs, tempDir } from '../helpers/project.js';
import { afterEach } from 'vitest';

afterEach(cleanupTempDirs);

const T0 = Date.parse('2026-03-08T21:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const MIN = 60_000;
const config = fixtureConfig({ slots: [{ env: { CUDA_VISIBLE_DEVICES: '0' } }, { env: { CUDA_VISIBLE_DEVICES: '1' } }] });
const xp = (id: number, slot: number, s: number) => makeExperiment({ id, slot, status: 'running', startedAt: at(s), finishedAt: null });
const ended = (id: number, slot: number, s: number) => makeExperiment({ id, slot, status: 'discard', metric: 1, startedAt: at(0), finishedAt: at(s) });
const run = (id: number, pgid: number, s: number, slot?: number): JournalEvent => ({ type: 'process-start', at: at(s), id, pid: pgid, pgid, what: 'run', ...(slot !== undefined ? { slot } : {}) });
const end = (id: number, pgid: number, s: number): JournalEvent => ({ type: 'process-end', at: at(s), id, pgid });

async function journal(events: readonly JournalEvent[]): Promise<string> {
  const dir = tempDir();
  const writer = await openJournalWriter(runPaths(dir, 't').journal);
  for (const e of events) await writer.append(e);
  await writer.close();
  return dir;
}

const START: JournalEvent = { type: 'run-start', at: at(0), version: 1, tag: 't', branch: 'autoresearch/t', startCommit: 'a'.repeat(40), config, proposer: 'mutation', appVersion: 'test' };

describe('slot usage from the journal', () => {
  it('counts trainer time per slot, and idle as session time minus it, across a crash and a resume', async () => {
    const dir = await journal([
      START,
      // Session 1 (0 s → the app dies after 900 s). Slot 0: the baseline 0..300, then #1 300..600 (an agent
      // process before it is not a trainer). Slot 1: #2 from 310, still running when the app dies.
      { type: 'experiment-start', at: at(0), experiment: xp(0, 0, 0) },
      run(0, 100, 0, 0),
      end(0, 100, 300),
      { type: 'experiment-start', at: at(300), experiment: xp(1, 0, 300) },
      { type: 'process-start', at: at(300), id: 1, pid: 99, pgid: 99, what: 'agent', slot: 0 },
      { type: 'process-end', at: at(340), id: 1, pgid: 99 },
      run(1, 101, 340, 0),
      end(1, 101, 600),
      { type: 'experiment-end', at: at(600), experiment: ended(1, 0, 600) },
      { type: 'experiment-start', at: at(310), experiment: xp(2, 1, 310) },
      run(2, 102, 310, 1),
      { type: 'notice', at: at(900), level: 'info', message: 'last sign of life' },
      // Eight hours later the next start repairs the run: all its events carry its own time.
      end(2, 102, 900 + 8 * 3600),
      { type: 'experiment-end', at: at(900 + 8 * 3600), experiment: makeExperiment({ id: 2, slot: 1, status: 'interrupted', metric: null }) },
      { type: 'run-stop', at: at(900 + 8 * 3600), reason: 'error', message: REPAIR_STOP_MESSAGE },
      // Session 2 (resume at R, stop at R + 600): slot 1 re-measures the best (#0, recorded in slot 0) R+100..R+200.
      { type: 'run-resume', at: at(30_000), config, proposer: 'mutation' },
      run(0, 103, 30_100, 1),
      end(0, 103, 30_200),
      { type: 'run-stop', at: at(30_600), reason: 'user', message: 'Stopped.' },
    ]);
    const rec = await readRunRecord(dir, 't');
    expect(rec.badLines).toEqual([]);
    const usage = summarize(rec).usage!;
    expect(usage.sessionSince).toBeNull();
    // Slot 0: busy 300 + 260 s; wall 900 + 600 s. Slot 1: busy (900 − 310, cut where the app died) + 100 s.
    expect(usage.slots.map((s) => [s.slot, s.gpus, s.busyMs / 1000, s.wallMs / 1000, s.busySince, s.live])).toEqual([
      [0, 1, 560, 1500, null, false],
      [1, 1, 690, 1500, null, false],
    ]);
    const figures = usageAt(usage, T0 + 10 ** 9);
    expect(figures.map((f) => [f.idleMs / 1000, f.gpuHours])).toEqual([
      [940, 560 / 3600],
      [810, 690 / 3600],
    ]);
    expect(figures[0]!.idleFraction).toBeCloseTo(940 / 1500, 9);
  });

  it('leaves a live session and a running trainer open, so the figures grow with the clock', async () => {
    const dir = await journal([START, { type: 'experiment-start', at: at(0), experiment: xp(0, 0, 0) }, run(0, 100, 0, 0), end(0, 100, 120), { type: 'experiment-start', at: at(130), experiment: xp(1, 1, 130) }, run(1, 101, 150, 1)]);
    const rec = await readRunRecord(dir, 't');
    const usage = summarize(rec, 'running').usage!;
    expect(usage.sessionSince).toBe(at(0));
    expect(usage.slots.map((s) => [s.busyMs, s.busySince, s.live])).toEqual([
      [120_000, null, true],
      [0, at(150), true],
    ]);
    const now = T0 + 10 * MIN;
    expect(usageAt(usage, now).map((f) => [f.busyMs / 1000, f.idleMs / 1000, f.wallMs / 1000])).toEqual([
      [120, 480, 600],
      [450, 150, 600],
    ]);
    // The same journal, no longer live (its process died, nobody resumed it): closed at its last event.
    const stopped = usageAt(summarize(rec, 'stopped').usage!, now);
    expect(stopped.map((f) => [f.busyMs / 1000, f.wallMs / 1000])).toEqual([
      [120, 150],
      [0, 150],
    ]);
  });

  it('reads process-starts without a slot (older journals) as their experiment\'s slot, and counts GPU-hours by GPUs per slot', async () => {
    const wide = fixtureConfig({ slots: [{ env: { CUDA_VISIBLE_DEVICES: '0,1' } }, { env: {} }] });
    const dir = await journal([
      { ...START, config: wide } as JournalEvent,
      { type: 'experiment-start', at: at(0), experiment: xp(0, 0, 0) },
      { type: 'experiment-start', at: at(0), experiment: xp(1, 1, 0) },
      run(0, 100, 0),
      run(1, 101, 0),
      end(0, 100, 1800),
      end(1, 101, 900),
      { type: 'run-stop', at: at(3600), reason: 'max-experiments', message: 'done' },
    ]);
    const figures = usageAt(summarize(await readRunRecord(dir, 't')).usage!, T0);
    expect(figures.map((f) => [f.slot, f.gpus, f.busyMs / 1000, f.gpuHours, f.idleMs / 1000])).toEqual([
      [0, 2, 1800, 1, 1800],
      [1, 0, 900, 0, 2700],
    ]);
  });

  it('splits the idle time into waiting for the agent, waiting on a conflict and the harness, and counts confirmation runs apart', async () => {
    const one = fixtureConfig({ slots: [{ env: { CUDA_VISIBLE_DEVICES: '0' } }] });
    const queued = (id: number, s: number) => makeExperiment({ id, slot: 0, status: 'running', startedAt: at(s), finishedAt: null, timings: { proposalMs: 1000, trainingMs: null, totalMs: null, queueWaitMs: 2000 } });
    const own = (id: number, s: number) => makeExperiment({ id, slot: 0, status: 'running', startedAt: at(s), finishedAt: null, timings: { proposalMs: null, trainingMs: null, totalMs: null, queueWaitMs: null } });
    const events: JournalEvent[] = [
      { ...START, config: one } as JournalEvent,
      // The baseline 0..100 (its experiment-start and setup are the harness), ended at 105.
      { type: 'experiment-start', at: at(0), experiment: xp(0, 0, 0) },
      run(0, 100, 0, 0),
      end(0, 100, 100),
      { type: 'experiment-end', at: at(105), experiment: makeExperiment({ id: 0, slot: 0, status: 'keep', metric: 1, finishedAt: at(105) }) },
      // A queued proposal taken 5 s later, ready (queueWaitMs) 2 s before it started: 3 s waiting for the agent,
      // 2 s the harness's (a carry, say); trained 115..415, confirmed 415..515.
      { type: 'experiment-start', at: at(110), experiment: queued(1, 110) },
      run(1, 101, 115, 0),
      end(1, 101, 415),
      run(1, 102, 415, 0),
      end(1, 102, 515),
      { type: 'experiment-end', at: at(520), experiment: makeExperiment({ id: 1, slot: 0, status: 'keep', metric: 0.9, finishedAt: at(520) }) },
      // The next one conflicts 1 s later; the slot waits on it until the next proposal is ready, 7 s (then 2 s harness).
      { type: 'notice', at: at(521), level: 'info', id: 2, conflictSlot: 0, message: '#2 conflicts' },
      { type: 'experiment-start', at: at(530), experiment: queued(3, 530) },
      run(3, 103, 531, 0),
      end(3, 103, 831),
      { type: 'experiment-end', at: at(835), experiment: ended(3, 0, 835) },
      // Proposing for itself: experiment-start to experiment-proposed is the agent's (10 s).
      { type: 'experiment-start', at: at(835), experiment: own(4, 835) },
      { type: 'experiment-proposed', at: at(845), id: 4, commit: 'b'.repeat(40), description: 'x', hypothesis: '', usage: null, proposalMs: 10_000, changedFiles: [], transcriptPath: null },
      run(4, 104, 846, 0),
      end(4, 104, 1146),
      { type: 'experiment-end', at: at(1150), experiment: ended(4, 0, 1150) },
      { type: 'run-stop', at: at(1160), reason: 'max-experiments', message: 'done' },
    ];
    const dir = await journal(events);
    const [f] = usageAt(summarize(await readRunRecord(dir, 't')).usage!, T0 + 10 ** 9);
    // Busy 100 + 300 + 100 + 300 + 300 s of 1160; idle 60 s: agent 3 + 1 + 10, conflict 7, the harness the rest.
    expect([f!.busyMs, f!.confirmMs, f!.idleMs, f!.agentMs, f!.conflictMs, f!.harnessMs].map((ms) => ms / 1000)).toEqual([1100, 100, 60, 14, 7, 39]);

    // Live, cut right after the conflict: the wait on it grows with the clock.
    const acc = emptyUsage();
    const cut = events.findIndex((e) => e.type === 'notice');
    const slotOf = () => 0;
    for (const e of events.slice(0, cut + 1)) foldUsage(acc, e, slotOf);
    const [live] = usageAt(usageOf(acc, true), T0 + 524_000);
    expect([live!.agentMs, live!.conflictMs, live!.confirmMs].map((ms) => ms / 1000)).toEqual([4, 3, 100]);
  });
});
