// Where bench/search's loops spend their trainer time, and what it buys: trainer-hours by kind of run, experiments
// tried, runs that ended before the GPU budget (the proposer ran out of ideas), truly better candidates that were
// discarded (by the first run's screen or after confirmation), and the true gain reached by each GPU-hour mark.

/** What a trainer run was for: the baseline's repeats, a candidate's first run (or the part early stopping let it
 * train), a candidate's confirmation runs, a re-measurement of the best. */
export type RunKind = 'baseline' | 'first' | 'confirm' | 'best';
export const RUN_KINDS: readonly RunKind[] = ['baseline', 'first', 'confirm', 'best'];

export interface Spent {
  readonly sec: Record<RunKind, number>;
  experiments: number;
  /** Truly better candidates discarded: after one run (screened out or stopped early), after confirmation. */
  missedScreen: number;
  missedConfirmed: number;
  /** Of those, the ones truly better by at least one σ (a smaller win is beyond a few runs at a 2 % false-keep rate). */
  missedScreenBig: number;
  missedConfirmedBig: number;
  /** Candidates confirmed (measured more than once) and the share of those that were kept. */
  confirmed: number;
  confirmedKept: number;
  /** The GPU budget was not spent: every node the search would choose was exhausted. */
  ranOut: boolean;
  /** [GPU seconds held, true value of the new best] at each keep. */
  readonly trace: [number, number][];
}

export function newSpent(): Spent {
  return { sec: { baseline: 0, first: 0, confirm: 0, best: 0 }, experiments: 0, missedScreen: 0, missedConfirmed: 0, missedScreenBig: 0, missedConfirmedBig: 0, confirmed: 0, confirmedKept: 0, ranOut: false, trace: [] };
}

/** Counts one finished candidate, judged against `best` (the best before it), at `gpuSec` held; σ: the noise of a run. */
export function tally(s: Spent, candidate: { readonly status: string; readonly truth: number; readonly runs: readonly unknown[] }, best: { readonly truth: number }, gpuSec: number, sigma: number): void {
  s.experiments++;
  if (candidate.runs.length > 1) {
    s.confirmed++;
    if (candidate.status === 'keep') s.confirmedKept++;
  }
  if (candidate.status === 'keep') s.trace.push([gpuSec, candidate.truth]);
  else if (candidate.truth < best.truth) {
    const big = best.truth - candidate.truth >= sigma ? 1 : 0;
    if (candidate.runs.length > 1) {
      s.missedConfirmed++;
      s.missedConfirmedBig += big;
    } else {
      s.missedScreen++;
      s.missedScreenBig += big;
    }
  }
}

/** The true value of the best at `sec` GPU seconds held (the start's before the first keep). */
function valueAt(trace: readonly [number, number][], start: number, sec: number): number {
  let v = start;
  for (const [t, x] of trace) if (t <= sec) v = x;
  return v;
}

export interface BreakdownRow {
  readonly name: string;
  readonly outcomes: readonly { readonly startTruth: number; readonly finalTruth: number; readonly spent: Spent }[];
}

/** The breakdown table: one row per loop, means per run. `marks`: GPU-hour marks for the gain reached by then. */
export function printBreakdown(rows: readonly BreakdownRow[], marks: readonly number[]): void {
  console.log(
    `| loop | trainer h: baseline / first runs / confirmations / best re-measured | experiments | confirmed (kept) | truly better discarded: after 1 run / after confirming (by ≥ 1σ) | ended before the budget | mean true gain by GPU-hour ${marks.join(' / ')} |`,
  );
  console.log('| --- | --- | ---: | ---: | ---: | ---: | --- |');
  for (const { name, outcomes } of rows) {
    const n = outcomes.length;
    const m = (f: (s: Spent) => number) => outcomes.reduce((a, o) => a + f(o.spent), 0) / n;
    const hours = (k: RunKind) => (m((s) => s.sec[k]) / 3600).toFixed(2);
    const gains = marks.map((h) => (outcomes.reduce((a, o) => a + o.startTruth - valueAt(o.spent.trace, o.startTruth, h * 3600), 0) / n).toFixed(4));
    console.log(
      `| ${name} | ${(['baseline', 'first', 'confirm', 'best'] as const).map(hours).join(' / ')} | ${m((s) => s.experiments).toFixed(1)} | ${m((s) => s.confirmed).toFixed(1)} (${m((s) => s.confirmedKept).toFixed(1)}) | ${m((s) => s.missedScreen).toFixed(1)} (${m((s) => s.missedScreenBig).toFixed(1)}) / ${m((s) => s.missedConfirmed).toFixed(1)} (${m((s) => s.missedConfirmedBig).toFixed(1)}) | ${outcomes.filter((o) => o.spent.ranOut).length} of ${n} | ${gains.join(' / ')} |`,
    );
  }
}
