// Summaries of repeated measurements: the mean, the spread, and the noise pooled over every commit that
// was measured more than once.

export function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

/** Sample standard deviation (n − 1); 0 for fewer than two values. */
export function sampleStdDev(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const m = mean(values);
  return Math.sqrt(values.reduce((s, v) => s + (v - m) ** 2, 0) / (values.length - 1));
}

export interface NoiseEstimate {
  /** The standard deviation of one measurement; null when no commit was measured twice. */
  readonly sd: number | null;
  /** Degrees of freedom behind `sd`: Σ (runs of a commit − 1). */
  readonly dof: number;
}

/**
 * The noise of one measurement, pooled over groups of repeated measurements of the same commit (the
 * baseline repeats, re-measurements of a best, confirmation runs of candidates): each group's spread
 * around its own mean, so real differences between commits never inflate it.
 */
export function pooledNoise(groups: readonly (readonly number[])[]): NoiseEstimate {
  let squares = 0;
  let dof = 0;
  for (const g of groups) {
    if (g.length < 2) continue;
    const m = mean(g);
    for (const v of g) squares += (v - m) ** 2;
    dof += g.length - 1;
  }
  return dof === 0 ? { sd: null, dof: 0 } : { sd: Math.sqrt(squares / dof), dof };
}
