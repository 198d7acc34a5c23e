import { describe, expect, it } from 'vitest';
import { judge, mean, minimumImprovement, sampleStdDev } from '../../src/core/loop/decide.js';
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
