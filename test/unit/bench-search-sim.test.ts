// bench/search's simulated parts must behave as the real ones: the curves it feeds the real early-stop rule end at
// the run's metric (its carry() is checked against the real carry in test/integration/bench-search-carry.test.ts).
import { describe, expect, it } from 'vitest';
import { CURVE_STEPS, runCurve, stopStep } from '../../bench/scenarios/search-sim.js';

describe('bench/search simulation', () => {
  it('ends every curve at the run metric and stops a clearly worse candidate, not an equal one', () => {
    const best = [1, 2, 3].map((k) => runCurve(0.9, 0, 0.004, 100 + k));
    for (const c of best) expect(c[c.length - 1]).toEqual([CURVE_STEPS, 0.9]);
    const worse = runCurve(0.95, 0, 0.004, 7);
    const at = stopStep(worse, best, best);
    expect(at).not.toBeNull();
    expect(at!).toBeLessThan(CURVE_STEPS);
    expect(stopStep(runCurve(0.9, 0, 0.004, 8), best, best)).toBeNull();
  });
});
