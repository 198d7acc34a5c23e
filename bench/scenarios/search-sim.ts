// Parts of the loop bench/search simulates. carry: a greedy proposal made ahead carried onto a best that moved,
// as the loop's carry merges it. Learning curves for its "with early stopping" rows: each simulated run prints a curve that ends at
// the run's metric (truth + σ·ε), shaped like bench/early-stop.ts's (a power-law decay, a seed's early offset
// that fades, each evaluation's noise), with the early-stop bench's noise scaled from its seed spread (0.006) to
// bench/search's σ. A higher learning rate than the start's starts worse and catches up (a bump that fades), so
// curves of different candidates cross, as in the early-stop bench. The real rule (judgeCurve) is asked after
// every point of a candidate's first run, as train.ts does.
import { judgeCurve } from '../../src/core/loop/early-stop-rule.js';
import { EarlyStopSchema, type CurvePoint } from '../../src/shared/config-early-stop.js';
import { gaussian, rng } from './random.js';

export const CURVE_STEPS = 1000;
const EVERY = 20;
const AMPLITUDE = 2.0;

const decay = (s: number) => AMPLITUDE * (1 + s / 60) ** -0.8;

/**
 * The curve of one run whose final metric is `metric`; `lrUp` is log2(learning rate / the start's), `noiseKey`
 * a number fixed per (code, seed) so the same run prints the same curve.
 */
export function runCurve(metric: number, lrUp: number, sigma: number, noiseKey: number): CurvePoint[] {
  const r = rng(noiseKey);
  const scale = sigma / 0.006;
  const early = gaussian(r) * 0.05 * scale;
  const bump = 0.03 * Math.max(0, lrUp);
  const pts: CurvePoint[] = [];
  for (let s = EVERY; s < CURVE_STEPS; s += EVERY) {
    const shape = decay(s) - decay(CURVE_STEPS) + bump * Math.exp(-s / 120) + early * Math.exp(-s / 150);
    pts.push([s, metric + shape + gaussian(r) * 0.004 * scale]);
  }
  pts.push([CURVE_STEPS, metric]);
  return pts;
}

/** The default early-stop settings (config-early-stop.ts); only `enabled` is off by default. */
const DEFAULTS = EarlyStopSchema.parse({});

/** The step where the rule stops this candidate's curve, or null when it runs to the end. */
export function stopStep(candidate: readonly CurvePoint[], best: readonly (readonly CurvePoint[])[], repeats: readonly (readonly CurvePoint[])[]): number | null {
  const settings = { margin: DEFAULTS.margin, minFraction: DEFAULTS.minFraction, direction: 'min' as const };
  for (let j = 1; j <= candidate.length; j++) {
    const so = candidate.slice(0, j);
    const v = judgeCurve(settings, { candidate: so, best, repeats, fraction: so[so.length - 1]![0] / CURVE_STEPS });
    if (v) return v.at;
  }
  return null;
}

/**
 * A proposal made on `base` carried onto `onto` (greedy, when its base is not the best as it is taken), or null on
 * a conflict. As the loop's carry does (carry-change.ts with line-merge.ts): changes on neighbouring lines merge,
 * a line changed on both sides is a conflict unless both made it the same (test/integration/bench-search-carry.test.ts
 * checks this against the real carryOnto). The simulated file's edits change lines in place, never the line count.
 */
export function carry(base: string, proposal: string, onto: string): string | null {
  const [b, p, t] = [base, proposal, onto].map((x) => x.split('\n')) as [string[], string[], string[]];
  if (p.length !== b.length || t.length !== b.length) return null;
  const out = [...t];
  for (let k = 0; k < b.length; k++) {
    if (p[k] === b[k]) continue;
    if (t[k] !== b[k] && t[k] !== p[k]) return null;
    out[k] = p[k]!;
  }
  return out.join('\n');
}
