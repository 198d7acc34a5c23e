// The decision under seeds (issue #22): a candidate whose runs used the best's seeds is judged on the paired
// differences; one that does not pair is judged unpaired; a fixed seed whose repeats agree exactly leaves the
// noise unknown (the minimum improvement decides, and the decision says so).
import { describe, expect, it } from 'vitest';
import { decide, NOISE_AWARE_TUNING, type DecisionInput } from '../../src/core/loop/decide.js';
import { pairedDifferences } from '../../src/core/stats/paired.js';
import { studentTQuantile } from '../../src/core/stats/student-t.js';
import { AcceptanceSchema } from '../../src/shared/config.js';
import { describeConfidence, NOISE_UNKNOWN_FIXED_SEED } from '../../src/shared/experiment.js';

const acceptance = AcceptanceSchema.parse({});
/** The best's runs under seeds 1..5: the seed moves the metric by about 0.01. */
const best = [1.0, 1.012, 0.991, 1.004, 0.995];
const bestSeeds = [1, 2, 3, 4, 5];
const baseline = [1.0, 1.012, 0.991];

const input = (candidate: number[], candidateSeeds: (number | null)[] | undefined, over: Partial<DecisionInput> = {}): DecisionInput => ({
  acceptance,
  direction: 'min',
  candidate,
  best,
  noiseGroups: [baseline, best],
  noiseFloor: null,
  seedVaried: true,
  ...(candidateSeeds ? { candidateSeeds, bestSeeds } : {}),
  ...over,
});

describe('paired differences', () => {
  it('pairs each candidate run with the best\'s run under its seed, and refuses a seed the best never ran', () => {
    const b = best.map((value, i) => ({ value, seed: bestSeeds[i]! }));
    expect(pairedDifferences([{ value: 0.99, seed: 2 }, { value: 0.98, seed: 1 }], b)!.map((d) => +d.toFixed(6))).toEqual([-0.022, -0.02]);
    expect(pairedDifferences([{ value: 0.99, seed: 9 }], b)).toBeNull();
    expect(pairedDifferences([{ value: 0.99, seed: null }], b)).toBeNull();
    // A seed the best ran twice (identical reruns agree) pairs with their mean.
    expect(pairedDifferences([{ value: 1, seed: 1 }], [...b, { value: 1.002, seed: 1 }])).toEqual([1 - 1.001]);
  });
});

describe('the noise-aware rule under seeds', () => {
  it('keeps a change that is better under every seed by far more than the seeds\' spread would allow by luck', () => {
    // Each run 0.02 below the best's run under the same seed: a real change that keeps the random stream.
    const c = best.slice(0, 3).map((v) => v - 0.02);
    const d = decide(input(c, [1, 2, 3]));
    expect(d.kind).toBe('keep');
    if (d.kind !== 'keep') return;
    expect(d.confidence.paired).toBe(true);
    expect(d.confidence.gain).toBeCloseTo(0.02, 9);
    expect(d.confidence.z!).toBeGreaterThanOrEqual(d.confidence.bound!);
    expect(describeConfidence(d.confidence)).toMatch(/SE above the noise under the same seeds/);
  });

  it('judges the paired mean, not the means: the same values under other seeds do not pair and are judged unpaired', () => {
    // A change that only re-rolls the randomness: better under some seeds, worse under others.
    const reroll = [0.99, 1.015, 0.993];
    const paired = decide(input(reroll, [1, 2, 3], { final: true }));
    expect(paired).toMatchObject({ kind: 'discard', confidence: { paired: true } });
    // The gain is the mean of the differences under equal seeds.
    expect(paired.kind === 'discard' && paired.confidence.gain).toBeCloseTo(-(reroll[0]! - best[0]! + reroll[1]! - best[1]! + reroll[2]! - best[2]!) / 3, 9);
    // Seeds the best never ran: the unpaired rule decides (no "paired" mark).
    const unpaired = decide(input(reroll, [7, 8, 9], { final: true }));
    expect(unpaired.kind).toBe('discard');
    expect(unpaired.kind === 'discard' && unpaired.confidence.paired).toBeUndefined();
  });

  it('uses the Student-t bound of the paired gains\' degrees of freedom (own gains − 1, plus the seed noise\'s)', () => {
    const c = best.slice(0, 2).map((v) => v - 0.01);
    const d = decide(input(c, [1, 2], { final: true }));
    expect(d.kind === 'keep' || d.kind === 'discard').toBe(true);
    if (d.kind !== 'keep' && d.kind !== 'discard') return;
    // Baseline (3 runs) and best (5 runs) give 2 + 4 degrees of freedom; the two paired gains one more.
    expect(d.confidence.noiseDof).toBe(7);
    expect(d.confidence.bound).toBeCloseTo(studentTQuantile(1 - acceptance.falseKeepRate, 7), 9);
  });

  it('asks for the best\'s next seed before a confirmation run the best has no seed for', () => {
    // A paired win between the give-up line and the bound (so neither kept nor given up), found by shifting.
    const inBetween = (shift: number) => decide(input(best.slice(0, 3).map((v, i) => v - shift + [0.004, -0.004, 0][i]!), [1, 2, 3], { final: true }));
    let shift = 0;
    for (; shift < 0.05; shift += 0.0002) {
      const d = inBetween(shift);
      if (d.kind === 'discard' && d.confidence.z! >= d.confidence.bound! - NOISE_AWARE_TUNING.pairedGiveUpT) break;
    }
    expect(shift).toBeLessThan(0.05);
    const c = best.slice(0, 3).map((v, i) => v - shift + [0.004, -0.004, 0][i]!);
    // The best ran seeds 1..3 only: it is measured (under seed 4) before the candidate's fourth run.
    expect(decide(input(c, [1, 2, 3], { best: best.slice(0, 3), bestSeeds: [1, 2, 3] })).kind).toBe('measure-best');
    // With seeds 1..5 run, the candidate's fourth run takes seed 4.
    expect(decide(input(c, [1, 2, 3])).kind).toBe('measure-candidate');
  });

  it('gives up on a confirmation only when the runs left could not bring it near the bound they would meet', () => {
    // Early in a run: the baseline is the best (3 runs, 2 degrees of freedom), so the bound of now is wide.
    const early = (gain: number) => input(baseline.slice(0, 2).map((v) => v - gain), [1, 2], { best: baseline, bestSeeds: [1, 2, 3], noiseGroups: [baseline] });
    const t = NOISE_AWARE_TUNING;
    const maxRuns = 1 + acceptance.confirmRuns;
    // A win of about 1.2 SE under the same seeds, short of the bound of now by more than the give-up margin...
    const promising = decide({ ...early(0.01), final: true });
    expect(promising.kind).toBe('discard');
    if (promising.kind !== 'discard') return;
    const { z, bound, noiseDof } = promising.confidence;
    expect(z!).toBeLessThan(bound! - t.pairedGiveUpT);
    // ...but were its gain real, the runs left would carry it past the (lower) bound they would meet: measured again.
    expect(z! * Math.sqrt(maxRuns / 2)).toBeGreaterThan(studentTQuantile(1 - acceptance.falseKeepRate, noiseDof + maxRuns - 2) - t.pairedGiveUpT);
    expect(['measure-candidate', 'measure-best']).toContain(decide(early(0.01)).kind);
    // A gain within the noise is given up at once.
    expect(decide(early(0.002))).toMatchObject({ kind: 'discard', confidence: { paired: true } });
  });
});

describe('a fixed seed whose repeats agree exactly', () => {
  const flat = [1.0, 1.0, 1.0];
  const fixed = (candidate: number[], over: Partial<DecisionInput> = {}): DecisionInput => ({ acceptance, direction: 'min', candidate, best: flat, noiseGroups: [flat], noiseFloor: 0, ...over });

  it('keeps any gain with the default minimum improvement (0), labelled "noise unknown", never "exact"', () => {
    const d = decide(fixed([0.999]));
    expect(d).toMatchObject({ kind: 'keep', noiseUnknown: true, confidence: { label: 'unknown', z: null } });
    expect(d.kind === 'keep' && describeConfidence(d.confidence)).toBe('noise unknown');
    const worse = decide(fixed([1.001]));
    expect(worse).toMatchObject({ kind: 'discard', noiseUnknown: true, why: `Not better than the best (${NOISE_UNKNOWN_FIXED_SEED}).` });
  });

  it('keeps only a gain above the minimum improvement, and says why the rest is not kept', () => {
    const floor = AcceptanceSchema.parse({ minImprovementMode: 'absolute', minImprovement: 0.005 });
    expect(decide(fixed([0.997], { acceptance: floor }))).toMatchObject({ kind: 'discard', why: `Better by 0.003000, not more than the minimum improvement 0.005000 (${NOISE_UNKNOWN_FIXED_SEED}).` });
    expect(decide(fixed([0.99], { acceptance: floor }))).toMatchObject({ kind: 'keep', confidence: { label: 'unknown' } });
  });

  it('is "exact" only when the repeats ran under different seeds', () => {
    expect(decide(fixed([0.999], { seedVaried: true }))).toMatchObject({ kind: 'keep', confidence: { label: 'exact' } });
    expect(decide(fixed([0.999], { seedVaried: true }))).not.toHaveProperty('noiseUnknown');
  });
});
