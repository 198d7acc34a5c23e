// The acceptance rule: is a measured candidate good enough to become the new best?
// Pure functions, so the rule is tested in isolation and the same everywhere.
import type { AcceptanceConfig } from '../../shared/config.js';
import { improvement } from '../../shared/experiment.js';

/** The smallest improvement that counts, in metric units. */
export function minimumImprovement(acceptance: AcceptanceConfig, best: number, noiseFloor: number | null): number {
  switch (acceptance.minImprovementMode) {
    case 'absolute':
      return acceptance.minImprovement;
    case 'relative':
      return acceptance.minImprovement * Math.abs(best);
    case 'noise':
      return acceptance.minImprovement * (noiseFloor ?? 0);
  }
}

export type Verdict =
  /** Better by more than the minimum: keep (after the guard, if any). */
  | { readonly kind: 'better'; readonly gain: number; readonly threshold: number; readonly needsConfirmation: boolean }
  | { readonly kind: 'not-better'; readonly gain: number; readonly threshold: number };

export function judge(
  value: number,
  best: number,
  direction: 'min' | 'max',
  acceptance: AcceptanceConfig,
  noiseFloor: number | null,
): Verdict {
  const gain = improvement(value, best, direction);
  const threshold = minimumImprovement(acceptance, best, noiseFloor);
  // Equal is not better (autoresearch: "equal or worse → reset"); with a threshold, it must be exceeded.
  if (gain > threshold && gain > 0) {
    // A narrow win is the classic false positive of a single noisy run: confirm it when asked to.
    const needsConfirmation = acceptance.confirmRuns > 0 && gain < 2 * Math.max(threshold, Number.EPSILON);
    return { kind: 'better', gain, threshold, needsConfirmation };
  }
  return { kind: 'not-better', gain, threshold };
}

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function sampleStdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}
