import { describe, expect, it } from 'vitest';
import type { RunDetail, RunSummary } from '../../src/shared/api.js';
import { applyRunEvent, upsertExperiment } from '../../src/renderer/history/run-merge.js';
import { makeExperiment } from '../fixtures/make-run.js';

const summary = (fields: Partial<RunSummary> = {}): RunSummary => ({
  tag: 'nov24',
  branch: 'autoresearch/nov24',
  startedAt: '2026-03-08T21:00:00.000Z',
  lastEventAt: '2026-03-08T22:00:00.000Z',
  state: 'running',
  stopReason: null,
  stopMessage: null,
  proposer: 'mutation',
  metricName: 'val_bpb',
  direction: 'min',
  baseline: 1,
  best: 1,
  bestRuns: 1,
  bestId: 0,
  bestCommit: null,
  noiseFloor: null,
  counts: { total: 2, keep: 1, discard: 1, crash: 0, timeout: 0, rejected: 0, interrupted: 0, 'stopped-early': 0, running: 0 },
  keptImprovements: 0,
  costUsd: 0,
  inputTokens: 0,
  outputTokens: 0,
  trainingMs: 0,
  elapsedMs: 0,
  ...fields,
});

const detail = (): RunDetail => ({
  ...summary(),
  config: {} as RunDetail['config'],
  startCommit: 'a'.repeat(40),
  experiments: [makeExperiment({ id: 0, status: 'keep', metric: 1 }), makeExperiment({ id: 2, status: 'discard', metric: 1.2 })],
  steering: [],
  notices: [],
});

describe('upsertExperiment', () => {
  it('appends a newer experiment, replaces one with the same id, inserts one in id order', () => {
    const list = detail().experiments;
    expect(upsertExperiment(list, makeExperiment({ id: 3 })).map((e) => e.id)).toEqual([0, 2, 3]);
    const replaced = upsertExperiment(list, makeExperiment({ id: 2, status: 'keep', metric: 0.9 }));
    expect(replaced.map((e) => [e.id, e.status])).toEqual([
      [0, 'keep'],
      [2, 'keep'],
    ]);
    expect(upsertExperiment(list, makeExperiment({ id: 1 })).map((e) => e.id)).toEqual([0, 1, 2]);
    expect(list.map((e) => e.id)).toEqual([0, 2]);
  });
});

describe('applyRunEvent', () => {
  it('adds an experiment pushed for this run and ignores other runs', () => {
    const d = detail();
    const next = applyRunEvent(d, { seq: 5, type: 'experiment', project: '/p', tag: 'nov24', experiment: makeExperiment({ id: 3, status: 'running', metric: null }) });
    expect(next.experiments.map((e) => e.id)).toEqual([0, 2, 3]);
    expect(applyRunEvent(d, { seq: 6, type: 'experiment', project: '/p', tag: 'other', experiment: makeExperiment({ id: 9 }) })).toBe(d);
  });

  it('refreshes the summary figures from a runs push but keeps the experiments and config', () => {
    const d = detail();
    const next = applyRunEvent(d, { seq: 7, type: 'runs', project: '/p', runs: [summary({ best: 0.9, bestId: 2, state: 'stopped', stopMessage: 'done' })] });
    expect(next.best).toBe(0.9);
    expect(next.state).toBe('stopped');
    expect(next.experiments).toBe(d.experiments);
    expect(next.config).toBe(d.config);
    expect(applyRunEvent(d, { seq: 8, type: 'runs', project: '/p', runs: [summary({ tag: 'other' })] })).toBe(d);
    expect(applyRunEvent(d, { seq: 9, type: 'gpus', gpus: [] })).toBe(d);
  });
});
