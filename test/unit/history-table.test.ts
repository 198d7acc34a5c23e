import { describe, expect, it } from 'vitest';
import { filterRows, nextSort, sortRows, statusCounts, toRows, NO_FILTER } from '../../src/renderer/history/table-model.js';
import { formatChange } from '../../src/shared/wording.js';
import { makeExperiment, simulateExperiments } from '../fixtures/make-run.js';

const usage = (input: number, output: number, costUsd: number | null) => ({ inputTokens: input, outputTokens: output, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd });

const experiments = [
  makeExperiment({ id: 0, status: 'keep', metric: 1.0, bestBefore: null }),
  makeExperiment({ id: 1, status: 'keep', metric: 0.98, bestBefore: 1.0, description: 'Halve batch size', usage: usage(1000, 10, 0.2) }),
  makeExperiment({ id: 2, status: 'discard', metric: 0.99, bestBefore: 0.98, description: 'add warmup', hypothesis: 'Warmup stabilises early steps', usage: usage(500, 5, 0.1) }),
  makeExperiment({ id: 3, status: 'crash', metric: null, bestBefore: 0.98, description: 'bigger model', error: 'CUDA out of memory', usage: usage(800, 8, null) }),
  makeExperiment({ id: 4, status: 'keep', metric: 0.95, bestBefore: 0.98, description: 'deeper model', slot: 1, baseId: 1 }),
  makeExperiment({ id: 12, status: 'discard', metric: 0.97, bestBefore: 0.95, description: 'warmup 5%', slot: 1, baseId: 4 }),
];
const rows = toRows(experiments, 'min');

describe('rows', () => {
  it('states the change against the best at decision time as the metric moved, with better/worse', () => {
    expect(rows[0]!.change).toBeNull();
    expect(formatChange(rows[1]!.change)).toBe('-0.020000 (-2.00 %) better');
    expect(formatChange(rows[2]!.change)).toBe('+0.010000 (+1.02 %) worse');
    expect(rows[3]!.change).toBeNull();
    const max = toRows([makeExperiment({ id: 1, status: 'keep', metric: 0.8, bestBefore: 0.7 })], 'max');
    expect(formatChange(max[0]!.change)).toBe('+0.100000 (+14.29 %) better');
  });

  it('sorts the change column by gain, positive when better, whatever the direction', () => {
    expect(rows[1]!.gain).toBeCloseTo(0.02);
    expect(rows[2]!.gain).toBeCloseTo(-0.01);
    const max = toRows([makeExperiment({ id: 1, status: 'keep', metric: 0.8, bestBefore: 0.7 })], 'max');
    expect(max[0]!.gain).toBeCloseTo(0.1);
  });

  it('adds up every kind of token and keeps a missing price as no cost rather than 0', () => {
    expect(rows[1]!.tokens).toBe(1010);
    expect(rows[3]!.cost).toBeNull();
    expect(rows[0]!.tokens).toBeNull();
  });
});

describe('filterRows', () => {
  it('returns the same array when nothing filters', () => {
    expect(filterRows(rows, NO_FILTER)).toBe(rows);
  });

  it('filters by status', () => {
    expect(filterRows(rows, { statuses: new Set(['keep']), text: '' }).map((r) => r.id)).toEqual([0, 1, 4]);
    expect(filterRows(rows, { statuses: new Set(['crash', 'discard']), text: '' }).map((r) => r.id)).toEqual([2, 3, 12]);
  });

  it('matches every word, case-insensitively, in the description, hypothesis and error', () => {
    expect(filterRows(rows, { statuses: new Set(), text: 'WARMUP' }).map((r) => r.id)).toEqual([2, 12]);
    expect(filterRows(rows, { statuses: new Set(), text: 'warmup early' }).map((r) => r.id)).toEqual([2]);
    expect(filterRows(rows, { statuses: new Set(), text: 'memory' }).map((r) => r.id)).toEqual([3]);
    expect(filterRows(rows, { statuses: new Set(['keep']), text: 'model' }).map((r) => r.id)).toEqual([4]);
  });

  it('finds an experiment by #number without matching other numbers', () => {
    expect(filterRows(rows, { statuses: new Set(), text: '#1' }).map((r) => r.id)).toEqual([1]);
    expect(filterRows(rows, { statuses: new Set(), text: '#12' }).map((r) => r.id)).toEqual([12]);
  });
});

describe('sortRows', () => {
  it('sorts by metric with the failures last in both directions', () => {
    expect(sortRows(rows, { key: 'metric', dir: 'asc' }).map((r) => r.id)).toEqual([4, 12, 1, 2, 0, 3]);
    expect(sortRows(rows, { key: 'metric', dir: 'desc' }).map((r) => r.id)).toEqual([0, 2, 1, 12, 4, 3]);
  });

  it('sorts by text, status, slot and parent, ties broken by id', () => {
    expect(sortRows(rows, { key: 'description', dir: 'asc' }).map((r) => r.description)).toEqual([
      'add warmup',
      'baseline',
      'bigger model',
      'deeper model',
      'Halve batch size',
      'warmup 5%',
    ]);
    expect(sortRows(rows, { key: 'status', dir: 'asc' }).map((r) => r.id)).toEqual([0, 1, 4, 2, 12, 3]);
    expect(sortRows(rows, { key: 'slot', dir: 'desc' }).map((r) => r.id)).toEqual([4, 12, 0, 1, 2, 3]);
    expect(sortRows(rows, { key: 'parent', dir: 'asc' }).map((r) => r.id)).toEqual([1, 2, 3, 4, 12, 0]);
  });

  it('does not mutate its input, and id order can be reversed', () => {
    const before = rows.map((r) => r.id);
    expect(sortRows(rows, { key: 'id', dir: 'desc' }).map((r) => r.id)).toEqual([12, 4, 3, 2, 1, 0]);
    expect(rows.map((r) => r.id)).toEqual(before);
  });

  it('flips direction on a second click and starts bigger-is-interesting columns descending', () => {
    expect(nextSort({ key: 'id', dir: 'asc' }, 'id')).toEqual({ key: 'id', dir: 'desc' });
    expect(nextSort({ key: 'id', dir: 'asc' }, 'cost')).toEqual({ key: 'cost', dir: 'desc' });
    expect(nextSort({ key: 'id', dir: 'asc' }, 'metric')).toEqual({ key: 'metric', dir: 'asc' });
  });

  it('handles 10,000 rows: every row kept, order consistent with the key', () => {
    const big = toRows(simulateExperiments({ n: 10_000, seed: 2 }), 'min');
    const sorted = sortRows(big, { key: 'metric', dir: 'asc' });
    expect(sorted).toHaveLength(10_000);
    const measured = sorted.filter((r) => r.metric !== null);
    for (let i = 1; i < measured.length; i++) expect(measured[i]!.metric!).toBeGreaterThanOrEqual(measured[i - 1]!.metric!);
    expect(sorted.slice(measured.length).every((r) => r.metric === null)).toBe(true);
    const counts = statusCounts(big);
    expect(Object.values(counts).reduce((a, b) => a + b, 0)).toBe(10_000);
    expect(filterRows(big, { statuses: new Set(['keep']), text: '' })).toHaveLength(counts.keep);
  });
});
