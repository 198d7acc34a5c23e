// The early-stop rule (core/loop/early-stop-rule.ts) and its config section: which curves it stops, which it
// lets finish (within the noise, before the minimum fraction, closing the gap), and the config's messages.
import { describe, expect, it } from 'vitest';
import { curveAt, curveReader, downsample, judgeCurve, noiseAt, type RuleSettings } from '../../src/core/loop/early-stop-rule.js';
import { describeEarlyStop, parseConfig, type CurvePoint } from '../../src/shared/config.js';

const settings: RuleSettings = { margin: 3, minFraction: 0.3, direction: 'min' };
/** A loss curve over steps 10..100: floor + 2/(1 + s/10), shifted by `offset`, plus `extra(s)`. */
const curve = (offset: number, extra: (s: number) => number = () => 0): CurvePoint[] =>
  Array.from({ length: 10 }, (_, i) => {
    const s = (i + 1) * 10;
    return [s, 1 + 2 / (1 + s / 10) + offset + extra(s)] as const;
  });
// Three repeats of the best: spread about 0.01 at every step.
const best = [curve(-0.01), curve(0), curve(0.01)];
const judge = (candidate: CurvePoint[], fraction = 0.8, s = settings) => judgeCurve(s, { candidate, best, repeats: best, fraction });

describe('early-stop rule', () => {
  it('stops a candidate clearly worse than the best at the same step, saying where and by how much', () => {
    const v = judge(curve(0.2).slice(0, 6));
    expect(v).not.toBeNull();
    expect(v!.at).toBe(60);
    expect(v!.value - v!.bestValue).toBeCloseTo(0.2, 6);
    expect(v!.noise).toBeCloseTo(0.01, 6);
  });

  it('lets a candidate within the margin of noise run on', () => {
    expect(judge(curve(0.025))).toBeNull();
    expect(judge(curve(0.035))).not.toBeNull();
  });

  it('never stops before the minimum fraction of the budget, in time and in steps of the best\'s curve', () => {
    expect(judge(curve(0.5), 0.29)).toBeNull();
    expect(judge(curve(0.5), 0.3)).not.toBeNull();
    // Past 30 % of the time, but at step 50 of the best's 200 (its start-up was slow): not yet; at step 60, yes.
    const longer = best.map((c) => [...c, ...c.map(([s, y]) => [s + 100, y - 0.5] as const)]);
    const at = (n: number) => judgeCurve(settings, { candidate: curve(0.5).slice(0, n), best: longer, repeats: longer, fraction: 0.9 });
    expect(at(5)).toBeNull();
    expect(at(6)).not.toBeNull();
  });

  it('needs several clearly worse points in a row: one noisy point never stops a run', () => {
    const spike = curve(0).map(([s, y]) => [s, s === 100 ? y + 1 : y] as const);
    expect(judge(spike)).toBeNull();
    expect(judge(curve(0.2).slice(0, 2))).toBeNull();
  });

  it('lets a curve that crosses run on: worse now, but closing the gap fast enough to be better by the end', () => {
    // Worse by 0.5 at step 10, fading to 0 by step 100 (a high learning rate).
    const crossing = curve(-0.02, (s) => 0.5 * (1 - s / 100) ** 2).slice(0, 5);
    expect(judge(crossing)).toBeNull();
    // The same gap at step 50 that does not close is stopped.
    const flatGap = curve(-0.02, () => 0.5 * (1 - 50 / 100) ** 2).slice(0, 5);
    expect(judge(flatGap)).not.toBeNull();
  });

  it('turns round for a metric where higher is better', () => {
    const acc = (offset: number) => curve(offset).map(([s, y]) => [s, 5 - y] as const);
    const max: RuleSettings = { ...settings, direction: 'max' };
    const bestAcc = [acc(-0.01), acc(0), acc(0.01)];
    expect(judgeCurve(max, { candidate: acc(0.2), best: bestAcc, repeats: bestAcc, fraction: 0.8 })).not.toBeNull();
    expect(judgeCurve(max, { candidate: acc(-0.2), best: bestAcc, repeats: bestAcc, fraction: 0.8 })).toBeNull();
  });

  it('without two repeats there is no noise to judge by, and nothing is stopped', () => {
    expect(noiseAt([curve(0)], 50)).toBeNull();
    expect(judgeCurve(settings, { candidate: curve(1), best: [curve(0)], repeats: [curve(0)], fraction: 1 })).toBeNull();
  });

  it('compares only where the best has a curve: beyond its last step nothing is known', () => {
    const longer: CurvePoint[] = curve(0.5).map(([s, y]) => [s + 100, y]);
    expect(judge(longer)).toBeNull();
  });
});

describe('curves', () => {
  it('interpolates between points and is null outside them', () => {
    const c: CurvePoint[] = [[0, 1], [10, 2]];
    expect(curveAt(c, 5)).toBe(1.5);
    expect(curveAt(c, 11)).toBeNull();
  });

  it('downsamples to at most 64 points, keeping the first and the last', () => {
    const long: CurvePoint[] = Array.from({ length: 1000 }, (_, i) => [i, i * 2]);
    const d = downsample(long);
    expect(d).toHaveLength(64);
    expect(d[0]).toEqual([0, 0]);
    expect(d[63]).toEqual([999, 1998]);
  });

  it('reads step and value from two groups, or the value at the seconds since the start from one', () => {
    const two = curveReader('step (\\d+) .* val_loss ([0-9.]+)', () => 7)!;
    expect(two.axis).toBe('step');
    expect(two.line('step 120 | lr 0.1 | val_loss 2.5')).toEqual([120, 2.5]);
    expect(two.line('train_loss 3')).toBeNull();
    const one = curveReader('val_loss ([0-9.]+)', () => 7.5)!;
    expect(one.axis).toBe('seconds');
    expect(one.line('val_loss 2.25')).toEqual([7.5, 2.25]);
  });

  it('says where a run was stopped', () => {
    expect(describeEarlyStop({ at: 120, axis: 'step' })).toBe('stopped early at step 120');
    expect(describeEarlyStop({ at: 33.6, axis: 'seconds' })).toBe('stopped early at 34 s');
  });
});

describe('earlyStop config', () => {
  const valid = { run: { command: 'python3 train.py' }, files: { editable: ['train.py'] }, metric: { name: 'val_bpb', direction: 'min' }, budget: { seconds: 10 } };
  const errors = (earlyStop: unknown) => {
    const r = parseConfig({ ...valid, earlyStop });
    return r.ok ? [] : r.errors.map((e) => `${e.path}: ${e.message}`);
  };

  it('is off by default, with the tuned margin and minimum fraction', () => {
    const r = parseConfig(valid);
    expect(r.ok && r.config.earlyStop).toEqual({ enabled: false, pattern: null, minFraction: 0.3, margin: 3 });
  });

  it('refuses to be on without a pattern, a pattern with three groups, or a broken one, saying what to write', () => {
    expect(errors({ enabled: true })).toEqual([expect.stringMatching(/^earlyStop\.pattern: Early stopping needs the pattern .*e\.g\. step/)]);
    expect(errors({ enabled: true, pattern: '(a)(b)(c)' })).toEqual([expect.stringMatching(/^earlyStop\.pattern: The pattern has 3 capture groups; it needs two \(step, then value\) or one/)]);
    expect(errors({ pattern: 'loss (' })).toEqual([expect.stringMatching(/^earlyStop\.pattern: The pattern is not a valid regular expression/)]);
    expect(errors({ enabled: true, pattern: 'step (\\d+) loss ([0-9.]+)', minFraction: 1.5 })).toEqual([expect.stringMatching(/^earlyStop\.minFraction: /)]);
    expect(errors({ enabled: true, pattern: 'step (\\d+) loss ([0-9.]+)' })).toEqual([]);
  });
});
