// What one loop event becomes for the page (core/studio/event-relay.ts): its pushes, its desktop notifications,
// and whether the run list is due. A pure function: fed a record folded from real journal events, never a stub.
import { describe, expect, it } from 'vitest';
import { foldEvents, type RunRecord } from '../../src/core/journal/fold.js';
import { relayEvent, RUNS_PUSH_INTERVAL_MS, type RelayInput } from '../../src/core/studio/event-relay.js';
import type { LoopEvent } from '../../src/core/loop/types.js';
import type { LiveRun } from '../../src/shared/api.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import { experimentChange, formatChange, formatMetric } from '../../src/shared/wording.js';
import { fixtureConfig, makeExperiment } from '../fixtures/make-run.js';

const at = '2026-03-08T21:00:00.000Z';
const config = fixtureConfig();
const baseline = makeExperiment({ id: 0, status: 'keep', metric: 1.2 });
const better = makeExperiment({ id: 2, status: 'keep', metric: 1.1, bestBefore: 1.2, description: 'warmup shorter' });
const waiting = makeExperiment({ id: 3, status: 'running', metric: null, description: 'wider MLP', finishedAt: null });
const history: JournalEvent[] = [
  { type: 'run-start', at, version: 1, tag: 'nov24', branch: 'autoresearch/nov24', startCommit: 'a'.repeat(40), config, proposer: 'mutation', appVersion: 'test' },
  { type: 'experiment-end', at, experiment: baseline },
  { type: 'experiment-end', at, experiment: better },
  { type: 'experiment-start', at, experiment: waiting },
  { type: 'approval-wait', at, id: 3, commit: 'c'.repeat(40), parentCommit: 'a'.repeat(40), baseId: 2, changedLines: 80, reason: 'changes 80 lines, over 50 (approval: large)' },
];
const record: RunRecord = foldEvents(history);
const NOW = 1_000_000;
const input = (extra: Partial<RelayInput> = {}): RelayInput => ({ projectDir: '/p/one', tag: 'nov24', record, now: NOW, lastRunsPush: NOW, ...extra });
const journal = (event: JournalEvent): LoopEvent => ({ kind: 'journal', event });

describe('the studio event relay', () => {
  it('a log chunk and a live state become one push each, naming the project and run, and never refresh the run list', () => {
    const log = relayEvent({ kind: 'log', id: 3, text: 'step 10\n' }, input({ lastRunsPush: 0 }));
    expect(log).toEqual({ pushes: [{ type: 'log', project: '/p/one', tag: 'nov24', id: 3, text: 'step 10\n' }], notifications: [], refreshRuns: false });
    const liveRun: LiveRun = { tag: 'nov24', state: 'running', budgetSeconds: 300, timeoutSeconds: 600, slots: [], stopConditions: [] };
    const live = relayEvent({ kind: 'live', live: liveRun }, input({ lastRunsPush: 0 }));
    expect(live).toEqual({ pushes: [{ type: 'live', project: '/p/one', live: liveRun }], notifications: [], refreshRuns: false });
  });

  it('an experiment that starts or ends is pushed as the event carries it', () => {
    for (const type of ['experiment-start', 'experiment-end'] as const) {
      const out = relayEvent(journal({ type, at, experiment: better }), input());
      expect(out.pushes).toEqual([{ type: 'experiment', project: '/p/one', tag: 'nov24', experiment: better }]);
      expect(out.notifications).toEqual([]);
    }
  });

  it('a proposal waiting for approval pushes its row from the record and raises one notification naming it', () => {
    const out = relayEvent(journal(history[4]!), input());
    expect(out.pushes).toEqual([{ type: 'experiment', project: '/p/one', tag: 'nov24', experiment: record.experiments.get(3) }]);
    expect(out.notifications).toEqual([{ title: 'Proposal #3 waits for your approval', body: 'nov24: wider MLP' }]);
    // An answer (or a proposal) for an id the record does not hold pushes nothing rather than a half row.
    const unknown = relayEvent(journal({ type: 'approval-answer', at, id: 9, answer: 'approve', note: null, files: [], by: 'app' }), input());
    expect(unknown.pushes).toEqual([]);
  });

  it('a new best notifies with the metric, its change and the experiment; the baseline, the first best, does not', () => {
    const out = relayEvent(journal({ type: 'best', at, id: 2, commit: better.commit!, metric: 1.1 }), input());
    const change = formatChange(experimentChange(record.experiments.get(2)!, 'min'));
    expect(out.notifications).toEqual([{ title: `New best val_bpb: ${formatMetric(1.1)}, ${change}`, body: 'nov24 #2: warmup shorter' }]);
    expect(out.notifications[0]!.title).toContain('better');
    expect(out.pushes).toEqual([]);
    expect(relayEvent(journal({ type: 'best', at, id: 0, commit: baseline.commit!, metric: 1.2 }), input()).notifications).toEqual([]);
  });

  it("the run's warnings and errors become notices; its info notices stay in the journal", () => {
    const warn = relayEvent(journal({ type: 'notice', at, level: 'warning', message: 'No sandbox here.' }), input());
    expect(warn.pushes).toEqual([{ type: 'notice', level: 'warning', message: 'No sandbox here.' }]);
    expect(relayEvent(journal({ type: 'notice', at, level: 'info', message: 'Resumed.' }), input()).pushes).toEqual([]);
  });

  it('the run list is pushed at once after the events that change it, else at most once a second', () => {
    const always: JournalEvent[] = [
      { type: 'experiment-end', at, experiment: better },
      { type: 'best', at, id: 0, commit: baseline.commit!, metric: 1.2 },
      { type: 'run-stop', at, reason: 'user', message: 'Stopped.' },
      { type: 'steer', at, note: 'try a smaller lr' },
      { type: 'process-start', at, id: 3, pid: 10, pgid: 10, what: 'run' },
      { type: 'process-end', at, id: 3, pgid: 10 },
    ];
    for (const event of always) expect(relayEvent(journal(event), input()).refreshRuns, event.type).toBe(true);
    // An agent starting is not a trainer: it waits for the clock like any other event.
    const agent = journal({ type: 'process-start', at, id: 3, pid: 11, pgid: 11, what: 'agent' });
    expect(relayEvent(agent, input({ lastRunsPush: NOW - RUNS_PUSH_INTERVAL_MS })).refreshRuns).toBe(false);
    expect(relayEvent(agent, input({ lastRunsPush: NOW - RUNS_PUSH_INTERVAL_MS - 1 })).refreshRuns).toBe(true);
  });

  it('is pure: the same input gives the same answer and the record is left as it was', () => {
    const before = JSON.stringify([...record.experiments.values()]);
    const event = journal(history[4]!);
    expect(relayEvent(event, input())).toEqual(relayEvent(event, input()));
    expect(JSON.stringify([...record.experiments.values()])).toBe(before);
  });
});
