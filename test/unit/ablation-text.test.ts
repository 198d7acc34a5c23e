// How the ablation is said, the same in the CLI, the app and both reports: the verdict from the interval, and
// contributions signed (positive = the keep helped) with a real minus sign.
import { describe, expect, it } from 'vitest';
import { ablationVerdict, AblationSchema, describeAblationSetting, describeVerdict, formatContribution, formatInterval } from '../../src/shared/ablation.js';

describe('ablation wording', () => {
  it('calls an interval above 0 carrying, one across 0 indistinguishable, one below 0 harmful', () => {
    expect(ablationVerdict(0.01, 0.05)).toBe('carries');
    expect(ablationVerdict(-0.01, 0.05)).toBe('null');
    expect(ablationVerdict(0, 0.05)).toBe('null');
    expect(ablationVerdict(-0.05, -0.01)).toBe('hurts');
    expect(describeVerdict({ verdict: 'null' })).toBe('not distinguishable from 0');
    expect(describeVerdict({ verdict: 'did-not-apply' })).toBe('did not apply');
  });

  it('formats contributions and intervals with their signs', () => {
    expect(formatContribution(0.0123456)).toBe('+0.012346');
    expect(formatContribution(-0.5)).toBe('−0.500000');
    expect(formatContribution(2.5)).toBe('+2.500');
    expect(formatContribution(null)).toBe('—');
    expect(formatInterval({ ciLow: -0.02, ciHigh: 0.03 })).toBe('[−0.020000, +0.030000]');
    expect(formatInterval({ ciLow: null, ciHigh: null })).toBe('—');
    expect(describeAblationSetting({ repeats: 3, seeds: [1, 2, 3] })).toBe('3 paired runs each under seeds 1, 2, 3');
    expect(describeAblationSetting({ repeats: 2, seeds: null })).toMatch(/^2 runs each \(plain repeats/);
  });

  it('refuses a file that is not an ablation', () => {
    expect(AblationSchema.safeParse({ version: 1, tag: 't' }).success).toBe(false);
    expect(AblationSchema.safeParse({ version: 2, tag: 't', at: '', bestId: 1, bestCommit: 'a', metric: 'm', direction: 'min', repeats: 2, seeds: null, best: [], rows: [] }).success).toBe(false);
  });
});
