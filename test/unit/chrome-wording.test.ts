// One way to say each figure: the audit's change like every other change, GPU hours alike in the report and
// History, max experiments counted as decided candidates after the baseline, baseline repeats named so.
import { describe, expect, it } from 'vitest';
import { progressOf, shouldStop, type StopInputs } from '../../src/core/loop/stop-conditions.js';
import { formatHours } from '../../src/core/report/format.js';
import { phaseLabel } from '../../src/renderer/run/live-model.js';
import { describeAudit, describeRecorded } from '../../src/shared/audit-text.js';
import { StopSchema } from '../../src/shared/config.js';
import type { AuditEvent } from '../../src/shared/journal.js';
import { formatChange, formatGpuHours, formatStopProgress, metricChange } from '../../src/shared/wording.js';

const audit = (over: Partial<AuditEvent>): AuditEvent => ({
  type: 'audit',
  at: '2026-11-30T09:00:00.000Z',
  bestId: 4,
  baselineCommit: 'a'.repeat(40),
  bestCommit: 'c'.repeat(40),
  repeats: 2,
  baseline: [1.04, 1.04],
  best: [0.97, 0.97],
  failedPairs: 0,
  improvement: 0.07,
  ciLow: 0.05,
  ciHigh: 0.09,
  recordedImprovement: 0.0696,
  confirmed: true,
  ...over,
});

describe('the audit says its numbers as every change is said', () => {
  it('a loss that went down: the signed change, its interval in the same units, the run\'s own claim', () => {
    const a = audit({});
    const change = formatChange(metricChange(0.97, 1.04, 'min'));
    expect(change).toBe('-0.070000 (-6.73 %) better');
    expect(describeAudit(a, 'min')).toBe(`${change}, 95 % interval -0.090000 to -0.050000: confirmed: the whole interval is better`);
    expect(describeRecorded(a, 'min')).toBe('the run recorded -0.069600 better');
  });

  it('an accuracy that went up, and an unconfirmed gain whose interval crosses zero', () => {
    const a = audit({ baseline: [0.8, 0.82], best: [0.83, 0.81], improvement: 0.01, ciLow: -0.02, ciHigh: 0.04, confirmed: false, recordedImprovement: -0.001 });
    expect(describeAudit(a, 'max')).toBe('+0.010000 (+1.23 %) better, 95 % interval -0.020000 to +0.040000: not confirmed: the interval reaches no change or worse, so the gain may be noise');
    expect(describeRecorded(a, 'max')).toBe('the run recorded -0.001000 worse');
  });
});

describe('GPU hours', () => {
  it('read the same in the report and the app, small values included', () => {
    for (const [h, text] of [[0.0139, '0.01'], [0.004, '0.00'], [3.456, '3.46'], [12.34, '12.3'], [140.4, '140']] as const) {
      expect(formatGpuHours(h)).toBe(text);
      expect(formatHours(h)).toBe(text);
    }
    expect(formatGpuHours(null)).toBe('—');
  });
});

describe('max experiments', () => {
  const inputs = (over: Partial<StopInputs>): StopInputs => ({
    stop: StopSchema.parse({ maxExperiments: 4 }),
    direction: 'min',
    candidates: 0,
    hours: 0,
    costUsd: 0,
    best: null,
    consecutiveFailures: 0,
    ...over,
  });

  it('shows decided candidates, not proposals still waiting for approval or running', () => {
    // 1 decided, 1 running, 2 waiting for approval: all 4 reserved toward the limit, a quarter done.
    const bar = progressOf(inputs({ candidates: 4, decided: 1 })).find((c) => c.kind === 'max-experiments')!;
    expect(bar).toMatchObject({ label: 'Experiments after the baseline', current: 1, limit: 4, fraction: 0.25 });
  });

  it('each bar says how far it has come in its own units, not a bare percentage', () => {
    const bars = progressOf(
      inputs({
        stop: StopSchema.parse({ maxExperiments: 40, maxHours: 8, maxCostUsd: 5, target: 0.9, maxConsecutiveFailures: 8 }),
        candidates: 13,
        decided: 12,
        hours: 1.25,
        costUsd: 1.2,
        best: 0.95,
        consecutiveFailures: 3,
      }),
    );
    const text = Object.fromEntries(bars.map((c) => [c.kind, formatStopProgress(c)]));
    expect(text).toEqual({ 'max-experiments': '12 of 40', 'max-hours': '1.3 of 8 h', 'max-cost': '$1.20 of $5.00', failures: '3 of 8', target: 'best 0.950000' });
    const reached = progressOf(inputs({ stop: StopSchema.parse({ target: 0.9 }), best: 0.89 })).find((c) => c.kind === 'target')!;
    expect(formatStopProgress(reached)).toBe('reached (best 0.890000)');
  });

  it('says the limit counts experiments after the baseline, with the plural right', () => {
    expect(shouldStop(inputs({ candidates: 4 }))?.message).toBe('4 experiments after the baseline (the limit is 4).');
    expect(shouldStop(inputs({ stop: StopSchema.parse({ maxExperiments: 1 }), candidates: 1 }))?.message).toBe('1 experiment after the baseline (the limit is 1).');
    expect(shouldStop(inputs({ stop: StopSchema.parse({ maxConsecutiveFailures: 1 }), consecutiveFailures: 1 }))?.message).toMatch(/^1 experiment in a row crashed/);
  });
});

describe('slot phases', () => {
  it('a baseline measured again is a baseline repeat; a candidate measured again is a confirmation run', () => {
    expect(phaseLabel({ phase: 'confirming', experimentId: 0 })).toBe('baseline repeat');
    expect(phaseLabel({ phase: 'confirming', experimentId: 3 })).toBe('confirmation run');
    expect(phaseLabel({ phase: 'running', experimentId: 0 })).toBe('running');
  });
});
