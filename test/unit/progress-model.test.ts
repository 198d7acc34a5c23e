import { describe, expect, it } from 'vitest';
import { buildProgress, pickLabelledKept, progressTitle, rankKeptForLabels, summarizeRun } from '../../src/shared/progress.js';
import { makeExperiment, simulateExperiments } from '../fixtures/make-run.js';

const usage = (costUsd: number | null) => ({ inputTokens: 1000, outputTokens: 100, cacheCreationInputTokens: 10, cacheReadInputTokens: 5, costUsd });

// A small min-direction run with every kind of outcome.
const run = [
  makeExperiment({ id: 0, status: 'keep', metric: 1.0 }),
  makeExperiment({ id: 1, status: 'keep', metric: 0.98, description: 'halve batch', usage: usage(0.1) }),
  makeExperiment({ id: 2, status: 'discard', metric: 0.99, usage: usage(0.2) }),
  makeExperiment({ id: 3, status: 'crash', metric: null, usage: usage(null) }),
  makeExperiment({ id: 4, status: 'keep', metric: 0.95, description: 'deeper' }),
  makeExperiment({ id: 5, status: 'timeout', metric: null, timings: { proposalMs: 1, trainingMs: 600_000, totalMs: 600_001 } }),
  makeExperiment({ id: 6, status: 'rejected', metric: null, timings: { proposalMs: 1, trainingMs: null, totalMs: 1 } }),
  makeExperiment({ id: 7, status: 'discard', metric: 3.2, description: 'diverged' }),
  makeExperiment({ id: 8, status: 'running', metric: null }),
];

describe('buildProgress', () => {
  it('has one point per experiment, in id order, whatever the input order', () => {
    const model = buildProgress([...run].reverse(), 'min');
    expect(model.points.map((p) => p.x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8]);
    expect(model.points[3]).toMatchObject({ x: 3, y: null, status: 'crash' });
    expect(model.points[0]!.isBaseline).toBe(true);
  });

  it('steps the running best down at each keep and carries it to the last experiment', () => {
    const model = buildProgress(run, 'min');
    expect(model.bestSteps).toEqual([
      { x: 0, y: 1.0 },
      { x: 1, y: 0.98 },
      { x: 4, y: 0.95 },
      { x: 8, y: 0.95 },
    ]);
    expect(model.runningBest).toEqual([1.0, 0.98, 0.98, 0.98, 0.95, 0.95, 0.95, 0.95, 0.95]);
  });

  it('labels kept points with their description and their gain over the previous best', () => {
    const model = buildProgress(run, 'min');
    expect(model.kept.map((k) => [k.x, k.description, k.isBaseline])).toEqual([
      [0, 'baseline', true],
      [1, 'halve batch', false],
      [4, 'deeper', false],
    ]);
    expect(model.kept[0]!.gain).toBeNull();
    expect(model.kept[1]!.gain).toBeCloseTo(0.02, 12);
    expect(model.kept[2]!.previousBest).toBe(0.98);
  });

  it('keeps failures as x positions instead of dropping them', () => {
    const model = buildProgress(run, 'min');
    expect(model.failures).toEqual([
      { x: 3, status: 'crash' },
      { x: 5, status: 'timeout' },
      { x: 6, status: 'rejected' },
    ]);
  });

  it('fits the kept points in the y range and marks a diverged run as off the chart', () => {
    const model = buildProgress(run, 'min');
    const [lo, hi] = model.yDomain!;
    expect(lo).toBeLessThan(0.95);
    expect(hi).toBeGreaterThan(1.0);
    expect(hi).toBeLessThan(1.2);
    expect(model.offChart).toEqual([{ x: 7, y: 3.2, side: 'above' }]);
  });

  it('shows the discards of a run whose only keep is the baseline', () => {
    const exps = [
      makeExperiment({ id: 0, metric: 1.27 }),
      makeExperiment({ id: 1, status: 'discard', metric: 1.46 }),
      makeExperiment({ id: 2, status: 'discard', metric: 1.58 }),
      makeExperiment({ id: 3, status: 'discard', metric: 1.7 }),
      makeExperiment({ id: 4, status: 'discard', metric: 1.33 }),
    ];
    const model = buildProgress(exps, 'min');
    expect(model.offChart).toEqual([]);
    expect(model.yDomain![0]).toBeLessThan(1.27);
    expect(model.yDomain![1]).toBeGreaterThan(1.7);
  });

  it('draws the noise band around the baseline only when a spread is known', () => {
    expect(buildProgress(run, 'min').noiseBand).toBeNull();
    expect(buildProgress(run, 'min', { noiseFloor: 0 }).noiseBand).toBeNull();
    const band = buildProgress(run, 'min', { noiseFloor: 0.002 }).noiseBand!;
    expect(band.center).toBe(1.0);
    expect(band.low).toBeCloseTo(0.998, 12);
    expect(band.high).toBeCloseTo(1.002, 12);
  });

  it('follows the direction: for max, higher values are the best', () => {
    const exps = [
      makeExperiment({ id: 0, metric: 0.5 }),
      makeExperiment({ id: 1, status: 'keep', metric: 0.6 }),
      makeExperiment({ id: 2, status: 'discard', metric: 0.55 }),
      makeExperiment({ id: 3, status: 'keep', metric: 0.7 }),
    ];
    const model = buildProgress(exps, 'max');
    expect(model.bestSteps.map((s) => s.y)).toEqual([0.5, 0.6, 0.7]);
    expect(model.kept[2]!.gain).toBeCloseTo(0.1, 12);
  });

  it('measures a keep against the best it was compared with when the record has it (parallel slots)', () => {
    // Slot 1 kept #2 first; #1 (slot 0) was decided later against #2's value and beat it.
    const exps = [
      makeExperiment({ id: 0, metric: 1 }),
      makeExperiment({ id: 1, status: 'keep', metric: 0.9, bestBefore: 0.95 }),
      makeExperiment({ id: 2, status: 'keep', metric: 0.95, bestBefore: 1 }),
    ];
    const model = buildProgress(exps, 'min');
    expect(model.kept.map((k) => [k.x, k.previousBest, Number(k.gain?.toFixed(6))])).toEqual([
      [0, null, NaN],
      [1, 0.95, 0.05],
      [2, 1, 0.05],
    ]);
    // The step line stays monotone in id order.
    expect(model.bestSteps.map((s) => s.y)).toEqual([1, 0.9, 0.9]);
  });

  it('ranks kept points for labels: baseline, final best, then the largest gains', () => {
    const exps = [
      makeExperiment({ id: 0, metric: 1 }),
      makeExperiment({ id: 1, status: 'keep', metric: 0.99 }),
      makeExperiment({ id: 2, status: 'keep', metric: 0.9 }),
      makeExperiment({ id: 3, status: 'keep', metric: 0.88 }),
      makeExperiment({ id: 4, status: 'keep', metric: 0.87 }),
    ];
    expect(rankKeptForLabels(buildProgress(exps, 'min').kept).map((k) => k.x)).toEqual([0, 4, 2, 3, 1]);
    expect(rankKeptForLabels([])).toEqual([]);
  });

  it('never steps backwards when a keep is not better than the best', () => {
    const exps = [makeExperiment({ id: 0, metric: 1 }), makeExperiment({ id: 1, status: 'keep', metric: 1 }), makeExperiment({ id: 2, status: 'keep', metric: 0.9 })];
    const model = buildProgress(exps, 'min');
    expect(model.bestSteps).toEqual([
      { x: 0, y: 1 },
      { x: 2, y: 0.9 },
    ]);
  });

  it('handles an empty run and a run with only failures', () => {
    const empty = buildProgress([], 'min');
    expect(empty.points).toEqual([]);
    expect(empty.yDomain).toBeNull();
    expect(empty.bestSteps).toEqual([]);
    const failed = buildProgress([makeExperiment({ id: 0, status: 'crash', metric: null })], 'min');
    expect(failed.yDomain).toBeNull();
    expect(failed.failures).toEqual([{ x: 0, status: 'crash' }]);
  });
});

describe('summarizeRun', () => {
  it('computes the figures of the run from the records', () => {
    const s = summarizeRun(run, 'min');
    expect(s.baseline).toBe(1.0);
    expect(s.best).toBe(0.95);
    expect(s.bestId).toBe(4);
    expect(s.improvement).toBeCloseTo(0.05, 12);
    expect(s.improvementPct).toBeCloseTo(5, 9);
    expect(s.experiments).toBe(9);
    expect(s.keepRows).toBe(3);
    expect(s.keptImprovements).toBe(2);
    // Candidates that reached a decision: 1..7 (8 is still running).
    expect(s.finishedCandidates).toBe(7);
    expect(s.keepRate).toBeCloseTo(2 / 7, 12);
    expect(s.failures).toBe(3);
    expect(s.counts).toMatchObject({ keep: 3, discard: 2, crash: 1, timeout: 1, rejected: 1, running: 1 });
  });

  it('sums training time into GPU hours and the agent spend', () => {
    const s = summarizeRun(run, 'min');
    // Default training time is 300 s; the timeout ran 600 s; the rejected one did not run.
    const ms = 300_000 * 7 + 600_000;
    expect(s.gpuHours).toBeCloseTo(ms / 3_600_000, 12);
    expect(s.spendUsd).toBeCloseTo(0.3, 12);
    expect(s.inputTokens).toBe(3 * 1015);
    expect(s.outputTokens).toBe(300);
  });

  it('says "unknown" (null) for spend and GPU time that were never recorded', () => {
    const s = summarizeRun([makeExperiment({ id: 0, metric: 1, timings: { proposalMs: null, trainingMs: null, totalMs: null } })], 'min');
    expect(s.gpuHours).toBeNull();
    expect(s.spendUsd).toBeNull();
    expect(s.keepRate).toBeNull();
    expect(s.improvementPct).toBeCloseTo(0, 12);
  });

  it('signs the improvement so that positive is better in both directions', () => {
    const worse = [makeExperiment({ id: 0, metric: 0.8 }), makeExperiment({ id: 1, status: 'keep', metric: 0.9 })];
    expect(summarizeRun(worse, 'max').improvementPct).toBeCloseTo(12.5, 9);
    expect(summarizeRun(worse, 'min').improvementPct).toBeCloseTo(0, 9);
    const down = [makeExperiment({ id: 0, metric: 2 }), makeExperiment({ id: 1, status: 'keep', metric: 1.5 })];
    expect(summarizeRun(down, 'min').improvementPct).toBeCloseTo(25, 9);
  });

  it('agrees with the chart on a long simulated run', () => {
    const exps = simulateExperiments({ n: 2000, seed: 7 });
    const s = summarizeRun(exps, 'min');
    const model = buildProgress(exps, 'min');
    expect(model.bestSteps[model.bestSteps.length - 1]!.y).toBe(s.best);
    expect(model.kept.length).toBe(s.keepRows);
    expect(Math.min(...exps.filter((e) => e.status === 'keep').map((e) => e.metric!))).toBe(s.best);
  });
});

describe('titles and labels', () => {
  it('titles the chart without counting the baseline as an improvement', () => {
    expect(progressTitle(summarizeRun(run, 'min'))).toBe('Autoresearch Progress: 9 Experiments, 2 Kept Improvements');
    expect(progressTitle({ experiments: 1, keptImprovements: 1 })).toBe('Autoresearch Progress: 1 Experiment, 1 Kept Improvement');
  });

  it('picks the baseline, the final best and the largest gains when labels must be limited', () => {
    const model = buildProgress(simulateExperiments({ n: 3000, seed: 3 }), 'min');
    expect(model.kept.length).toBeGreaterThan(40);
    const picked = pickLabelledKept(model.kept, 10);
    expect(picked).toHaveLength(10);
    expect(picked[0]!.isBaseline).toBe(true);
    expect(picked[picked.length - 1]).toBe(model.kept[model.kept.length - 1]);
    const threshold = Math.min(...picked.filter((k) => k !== picked[0] && k !== picked[picked.length - 1]).map((k) => k.gain!));
    const unpicked = model.kept.filter((k) => !picked.includes(k) && k.gain !== null);
    expect(Math.max(...unpicked.map((k) => k.gain!))).toBeLessThanOrEqual(threshold);
    expect(pickLabelledKept(model.kept.slice(0, 5), 10)).toHaveLength(5);
  });
});
