// Paired comparisons under equal seeds (issue #22): when a candidate's runs used the same seeds as the best's,
// each candidate run is compared with the best's run under its seed. A real change then shows in every pair,
// while the part of the seed's noise the change did not re-roll cancels out of the differences.
import { mean } from './summary.js';

/** One measured run and the seed it ran under (null: the harness did not set one). */
export interface SeededValue {
  readonly value: number;
  readonly seed: number | null;
}

/**
 * The differences candidate − best, one per candidate run, each against the best's runs under the same seed
 * (their mean, when the best ran that seed more than once); null unless every candidate run has a seed the
 * best also ran: then the comparison cannot be paired and stays unpaired.
 */
export function pairedDifferences(candidate: readonly SeededValue[], best: readonly SeededValue[]): number[] | null {
  if (candidate.length === 0) return null;
  const bySeed = new Map<number, number[]>();
  for (const b of best) {
    if (b.seed === null) continue;
    const list = bySeed.get(b.seed) ?? [];
    list.push(b.value);
    bySeed.set(b.seed, list);
  }
  const diffs: number[] = [];
  for (const c of candidate) {
    const same = c.seed === null ? undefined : bySeed.get(c.seed);
    if (!same) return null;
    diffs.push(c.value - mean(same));
  }
  return diffs;
}

/** Σ (d − mean d)², the paired differences' own sum of squares (their spread around the mean difference). */
export function sumOfSquares(values: readonly number[]): number {
  const m = mean(values);
  return values.reduce((s, v) => s + (v - m) ** 2, 0);
}
