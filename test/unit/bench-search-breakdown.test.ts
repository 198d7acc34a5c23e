// bench/search's breakdown must count what it says: truly better candidates discarded by the first run's screen
// or after confirming, confirmations kept, and the gain reached by each GPU-hour mark from the keeps' trace.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { newSpent, printBreakdown, tally } from '../../bench/scenarios/search-breakdown.js';

afterEach(() => vi.restoreAllMocks());

describe('bench/search breakdown', () => {
  it('tells missed wins after one run from those after confirming, and traces the keeps', () => {
    const s = newSpent();
    const best = { truth: 0.9 };
    const sigma = 0.015;
    tally(s, { status: 'discard', truth: 0.89, runs: [1] }, best, 100, sigma);
    tally(s, { status: 'discard', truth: 0.88, runs: [1, 2, 3] }, best, 200, sigma);
    tally(s, { status: 'discard', truth: 0.95, runs: [1, 2] }, best, 300, sigma);
    tally(s, { status: 'keep', truth: 0.87, runs: [1, 2] }, best, 400, sigma);
    // 0.01 better is under one σ, 0.02 over it.
    expect(s).toMatchObject({ experiments: 4, missedScreen: 1, missedScreenBig: 0, missedConfirmed: 1, missedConfirmedBig: 1, confirmed: 3, confirmedKept: 1 });
    expect(s.trace).toEqual([[400, 0.87]]);
  });

  it('prints the gain each run had reached by each GPU-hour mark, averaged over the runs', () => {
    const a = newSpent();
    a.trace.push([1800, 0.95], [7200, 0.9]);
    a.sec.first = 3600 * 2;
    const b = newSpent();
    b.ranOut = true;
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    printBreakdown([{ name: 'one loop', outcomes: [{ startTruth: 1, finalTruth: 0.9, spent: a }, { startTruth: 1, finalTruth: 1, spent: b }] }], [1, 2]);
    const row = lines.find((l) => l.startsWith('| one loop |'))!;
    // By 1 h: run a gained 0.05, run b nothing (mean 0.025); by 2 h: 0.1 and nothing (0.05). First runs: 2 h ÷ 2 runs.
    expect(row).toMatch(/\| 0\.0250 \/ 0\.0500 \|$/);
    expect(row).toContain('0.00 / 1.00 / 0.00 / 0.00');
    expect(row).toContain('| 1 of 2 |');
  });
});
