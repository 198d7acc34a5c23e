import { describe, expect, it } from 'vitest';
import { decide, judge, mean, minimumImprovement, pooledNoise, sampleStdDev } from '../../src/core/loop/decide.js';
import { studentTQuantile } from '../../src/core/stats/student-t.js';
import { confidenceLabel } from '../../src/shared/experiment.js';
import { progressOf, shouldStop, type StopInputs } from '../../src/core/loop/stop-conditions.js';
import { AcceptanceSchema, StopSchema } from '../../src/shared/config.js';

const acc = (over: object = {}) => AcceptanceSchema.parse(over);

describe('the acceptance rule', () => {
  it('treats equal as not better, in both directions', () => {
    expect(judge(1, 1, 'min', acc(), null).kind).toBe('not-better');
    expect(judge(0.99, 1, 'min', acc(), null).kind).toBe('better');
    expect(judge(0.99, 1, 'max', acc(), null).kind).toBe('not-better');
    expect(judge(1.01, 1, 'max', acc(), null).kind).toBe('better');
  });

  it('requires more than the minimum: absolute, relative to the best, or k × the noise floor', () => {
    expect(minimumImprovement(acc({ minImprovementMode: 'absolute', minImprovement: 0.01 }), 2, null)).toBe(0.01);
    expect(minimumImprovement(acc({ minImprovementMode: 'relative', minImprovement: 0.01 }), 2, null)).toBe(0.02);
    expect(minimumImprovement(acc({ minImprovementMode: 'noise', minImprovement: 2 }), 2, 0.005)).toBe(0.01);
    // No noise floor measured (one baseline run): the noise rule cannot demand anything.
    expect(minimumImprovement(acc({ minImprovementMode: 'noise', minImprovement: 2 }), 2, null)).toBe(0);
    const rule = acc({ minImprovementMode: 'absolute', minImprovement: 0.01 });
    expect(judge(0.995, 1, 'min', rule, null).kind).toBe('not-better');
    expect(judge(0.985, 1, 'min', rule, null)).toMatchObject({ kind: 'better', threshold: 0.01 });
  });

  it('asks for confirmation runs only for a narrow win, and only when configured', () => {
    const rule = acc({ minImprovementMode: 'absolute', minImprovement: 0.01, confirmRuns: 2 });
    expect(judge(0.985, 1, 'min', rule, null)).toMatchObject({ kind: 'better', needsConfirmation: true });
    expect(judge(0.97, 1, 'min', rule, null)).toMatchObject({ kind: 'better', needsConfirmation: false });
    expect(judge(0.985, 1, 'min', { ...rule, confirmRuns: 0 }, null)).toMatchObject({ needsConfirmation: false });
  });

  it('computes the mean and the sample standard deviation', () => {
    expect(mean([1, 2, 3])).toBe(2);
    expect(sampleStdDev([1])).toBe(0);
    expect(sampleStdDev([1, 1.02, 0.98])).toBeCloseTo(0.02, 12);
  });
});

describe('stop conditions', () => {
  const base = (over: Omit<Partial<StopInputs>, 'stop'> & { stop?: object } = {}): StopInputs => ({
    direction: 'min',
    candidates: 0,
    hours: 0,
    costUsd: 0,
    best: 1,
    consecutiveFailures: 0,
    ...over,
    stop: StopSchema.parse(over.stop ?? {}),
  });

  it('never stops by default (the loop does not stop on its own)', () => {
    expect(shouldStop(base({ candidates: 100_000, hours: 1000 }))).toBeNull();
  });

  it('stops on each limit with a message that says why', () => {
    expect(shouldStop(base({ stop: { maxExperiments: 5 }, candidates: 5 }))?.reason).toBe('max-experiments');
    expect(shouldStop(base({ stop: { maxExperiments: 5 }, candidates: 4 }))).toBeNull();
    expect(shouldStop(base({ stop: { maxHours: 2 }, hours: 2.01 }))?.reason).toBe('max-hours');
    const cost = shouldStop(base({ stop: { maxCostUsd: 10 }, costUsd: 10.5 }));
    expect(cost).toMatchObject({ reason: 'max-cost' });
    expect(cost?.message).toMatch(/\$10\.00 was reached \(\$10\.50 spent\)/);
    expect(shouldStop(base({ stop: { target: 0.95 }, best: 0.95 }))?.reason).toBe('target');
    expect(shouldStop(base({ stop: { target: 0.95 }, best: 0.951 }))).toBeNull();
    expect(shouldStop(base({ direction: 'max', stop: { target: 0.9 }, best: 0.91 }))?.reason).toBe('target');
    const breaker = shouldStop(base({ stop: { maxConsecutiveFailures: 3 }, consecutiveFailures: 3 }));
    expect(breaker?.reason).toBe('failures');
    expect(breaker?.message).toMatch(/fix the cause/);
  });

  it('reports how close each configured condition is', () => {
    const progress = progressOf(base({ stop: { maxExperiments: 10, maxCostUsd: 4 }, candidates: 5, costUsd: 1 }));
    expect(progress.map((p) => [p.kind, p.fraction])).toEqual([
      ['max-experiments', 0.5],
      ['max-cost', 0.25],
      ['failures', 0],
    ]);
  });
});

describe('the noise-aware rule (decide)', () => {
  const rule = acc();
  // Three commits measured several times each: pooled σ = 0.01 exactly (deviations ±0.01 around each mean).
  const groups = [
    [1.0, 1.01, 0.99],
    [0.98, 0.99, 0.97],
    [1.02, 1.03, 1.01],
  ];
  const best = [1.0, 1.01, 0.99, 1.0, 1.0];
  const input = (candidate: number[], over: Partial<Parameters<typeof decide>[0]> = {}) => ({ acceptance: rule, direction: 'min' as const, candidate, best, noiseGroups: [...groups, best], noiseFloor: null, ...over });

  it('is the default, with the false-keep rate it states', () => {
    expect(rule.rule).toBe('noise-aware');
    expect(rule.falseKeepRate).toBe(0.02);
    expect(acc({ rule: 'classic' }).rule).toBe('classic');
    expect(AcceptanceSchema.safeParse({ rule: 'lucky' }).success).toBe(false);
  });

  it('pools the noise over commits, never across them', () => {
    const noise = pooledNoise([[1, 1.02], [5, 5.02], [9]]);
    expect(noise.dof).toBe(2);
    expect(noise.sd).toBeCloseTo(Math.sqrt(0.0002), 12);
    expect(pooledNoise([[1], [2]])).toEqual({ sd: null, dof: 0 });
  });

  it('uses the Student-t bound of the false-keep rate', () => {
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228, 3);
    expect(studentTQuantile(0.98, 2)).toBeCloseTo(4.849, 2);
    expect(studentTQuantile(0.95, 1e7)).toBeCloseTo(1.645, 3);
  });

  it('discards a first run that is worse or within the noise at once', () => {
    expect(decide(input([1.02])).kind).toBe('discard');
    const d = decide(input([0.995]));
    expect(d).toMatchObject({ kind: 'discard', confidence: { label: 'within-noise', runs: 1, bestRuns: 5 } });
  });

  it('confirms a promising first run, measuring the best beside it, and keeps a win beyond the bound', () => {
    // 0.97 is 3 σ better on one run: worth confirming, never kept on that run alone.
    expect(decide(input([0.97])).kind).toBe('measure-candidate');
    expect(decide(input([0.97], { best: [1.0, 1.01, 0.99] })).kind).toBe('measure-best');
    const keep = decide(input([0.97, 0.965, 0.975]));
    expect(keep.kind).toBe('keep');
    if (keep.kind === 'keep') {
      expect(keep.confidence.gain).toBeCloseTo(0.03, 9);
      expect(keep.confidence.z!).toBeGreaterThan(keep.confidence.bound!);
      expect(keep.confidence.label).toBe('clear');
      expect(keep.confidence.rule).toBe('noise-aware');
    }
  });

  it('gives up on a confirmed win that fell back into the noise, and never asks for more when final', () => {
    expect(decide(input([0.975, 1.0, 1.005]))).toMatchObject({ kind: 'discard' });
    expect(decide(input([0.97], { final: true })).kind).toBe('discard');
    expect(decide(input([0.97, 0.99], { final: true, best: [1.0] })).kind).toBe('discard');
  });

  it('learns the noise by measuring the best again when nothing was repeated, and takes a noiseless metric at its word', () => {
    expect(decide(input([0.9], { best: [1.0], noiseGroups: [] })).kind).toBe('measure-best');
    // Repeats under different seeds that agree exactly: the metric has no noise (seedVaried), any gain is real.
    const exact = decide(input([0.999], { best: [1, 1, 1], noiseGroups: [[1, 1, 1]], seedVaried: true }));
    expect(exact).toMatchObject({ kind: 'keep', confidence: { label: 'exact' } });
    // A worse candidate under zero noise is exactly worse, not "noise unknown" (the demo's discards).
    expect(decide(input([1.001], { best: [1, 1, 1], noiseGroups: [[1, 1, 1]], seedVaried: true }))).toMatchObject({ kind: 'discard', confidence: { label: 'exact' } });
    const classic = acc({ rule: 'classic', confirmRuns: 0, minImprovementMode: 'absolute', minImprovement: 0.02 });
    expect(decide(input([1.01], { acceptance: classic, best: [1, 1], noiseGroups: [[1, 1]], seedVaried: true }))).toMatchObject({ kind: 'discard', confidence: { label: 'exact' } });
    expect(decide(input([0.97], { acceptance: classic, best: [1, 1], noiseGroups: [[1, 1]], seedVaried: true }))).toMatchObject({ kind: 'keep', confidence: { label: 'exact' } });
    // The same repeats under a fixed seed say nothing about the noise: "noise unknown", never "exact" (test/unit/decide-seeds.test.ts).
    expect(decide(input([0.97], { acceptance: classic, best: [1, 1], noiseGroups: [[1, 1]] }))).toMatchObject({ kind: 'keep', confidence: { label: 'unknown' } });
    // The reason reads like every other figure (6 decimals), not 0.010000000000000009.
    expect(decide(input([0.99], { acceptance: classic, best: [1, 1], noiseGroups: [[1, 1]] }))).toMatchObject({ kind: 'discard', why: 'Better by 0.010000, not more than the minimum improvement 0.020000.' });
  });

  it('classic: keeps any strict win once, confirms a narrow one, and still reports its confidence', () => {
    const classic = acc({ rule: 'classic', confirmRuns: 0 });
    const d = decide(input([0.995], { acceptance: classic }));
    expect(d).toMatchObject({ kind: 'keep', confidence: { rule: 'classic', label: 'within-noise' } });
    const narrow = acc({ rule: 'classic', minImprovementMode: 'absolute', minImprovement: 0.01, confirmRuns: 2 });
    expect(decide(input([0.985], { acceptance: narrow })).kind).toBe('measure-candidate');
    expect(decide(input([0.985, 1.005], { acceptance: narrow })).kind).toBe('measure-candidate');
    expect(decide(input([0.985, 1.005, 1.005], { acceptance: narrow })).kind).toBe('discard');
  });

  it('labels confidence by standard errors above the noise', () => {
    expect(confidenceLabel(3.2)).toBe('clear');
    expect(confidenceLabel(2.1)).toBe('above-noise');
    expect(confidenceLabel(0.4)).toBe('within-noise');
    expect(confidenceLabel(null)).toBe('unknown');
  });
});
