import { describe, expect, it } from 'vitest';
import { compareSeries, valueAt } from '../../src/renderer/chart/compare-model.js';
import { makeExperiment } from '../fixtures/make-run.js';

const T0 = Date.parse('2026-03-08T21:00:00.000Z');
const at = (h: number) => new Date(T0 + h * 3_600_000).toISOString();
const run = {
  tag: 'a',
  direction: 'min' as const,
  noiseFloor: null,
  startedAt: at(0),
  experiments: [
    makeExperiment({ id: 0, status: 'keep', metric: 1.0, finishedAt: at(0.1) }),
    makeExperiment({ id: 1, status: 'discard', metric: 1.1, finishedAt: at(0.2) }),
    makeExperiment({ id: 2, status: 'keep', metric: 0.9, finishedAt: at(0.5) }),
    makeExperiment({ id: 3, status: 'crash', metric: null, finishedAt: at(0.6) }),
    makeExperiment({ id: 4, status: 'keep', metric: 0.8, finishedAt: at(1.5) }),
    makeExperiment({ id: 5, status: 'discard', metric: 0.85, finishedAt: at(2) }),
  ],
};

describe('compareSeries', () => {
  it('steps where the best changed, by experiment number, ending at the last experiment', () => {
    const s = compareSeries(run, 'experiments');
    expect(s.steps).toEqual([
      { x: 0, y: 1.0 },
      { x: 2, y: 0.9 },
      { x: 4, y: 0.8 },
    ]);
    expect(s.lastX).toBe(5);
    expect(s.label).toBe('a');
  });

  it('places the same steps at the hours the keeps finished', () => {
    const s = compareSeries(run, 'hours');
    expect(s.steps.map((p) => Number(p.x.toFixed(3)))).toEqual([0.1, 0.5, 1.5]);
    expect(s.steps.map((p) => p.y)).toEqual([1.0, 0.9, 0.8]);
    expect(s.lastX).toBeCloseTo(2);
  });
});

describe('valueAt', () => {
  const s = compareSeries(run, 'experiments');
  it('reads the best in force at any x, and nothing outside the run', () => {
    expect(valueAt(s, 0)).toBe(1.0);
    expect(valueAt(s, 1)).toBe(1.0);
    expect(valueAt(s, 2)).toBe(0.9);
    expect(valueAt(s, 3.5)).toBe(0.9);
    expect(valueAt(s, 5)).toBe(0.8);
    expect(valueAt(s, 6)).toBeNull();
    expect(valueAt(s, -1)).toBeNull();
    expect(valueAt({ label: 'x', steps: [], lastX: 0 }, 0)).toBeNull();
  });
});
