// The acceptance rule: is a measured candidate good enough to become the new best, or does it need another
// measurement first? Pure functions of the measurements, so the loop (train.ts, decision-step.ts), the bench
// (bench/acceptance.ts) and the tests all run the very same decisions.
//
// Two rules, chosen by name (acceptance.rule):
// - classic: autoresearch's — keep if better than the best by more than the minimum improvement (absolute,
//   relative, or k × noise floor), optionally re-running a narrow win (confirmRuns).
// - noise-aware (the default): the noise of one measurement is pooled from every commit measured more than
//   once (the baseline repeats, re-measurements of the best, confirmation runs of candidates). A candidate
//   is kept only when its mean beats the best's mean by more than the one-sided Student-t bound for the
//   stated false-keep rate; a promising first run is confirmed by further runs, a hopeless one is
//   discarded at once, and the best is re-measured alongside (so a lucky best regresses to its true value
//   instead of setting an unbeatable bar, and both sides of the comparison see the same drift).
//   When the project's seed is varied (config.seed), the noise is the spread across seeds, and a candidate's
//   confirmation runs use the best's seeds in the same order: the comparison is then paired (stats/paired.ts).
//   When the seed is fixed and identical reruns agree exactly, the noise is unknown, not zero: only the
//   minimum improvement guards against a lucky seed, and the decision says so.
import type { AcceptanceConfig, ProjectConfig } from '../../shared/config.js';
import type { RunRecord } from '../journal/fold.js';
import { confidenceLabel, improvement, NOISE_UNKNOWN_FIXED_SEED, type KeepConfidence } from '../../shared/experiment.js';
import { seedVaries } from '../project/seed-launch.js';
import { pairedDifferences, sumOfSquares, type SeededValue } from '../stats/paired.js';
import { formatMetric } from '../../shared/wording.js';
import { mean, pooledNoise } from '../stats/summary.js';
import { studentTQuantile } from '../stats/student-t.js';

export { mean, sampleStdDev, pooledNoise } from '../stats/summary.js';

/** The smallest improvement that counts under the classic rule, in metric units. */
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

/** The classic rule on one value. */
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

export interface DecisionInput {
  readonly acceptance: AcceptanceConfig;
  readonly direction: 'min' | 'max';
  /** This candidate's measurements so far (at least one). */
  readonly candidate: readonly number[];
  /** Every measurement of the current best commit (its runs and re-measurements). */
  readonly best: readonly number[];
  /** Repeated measurements of other commits, one group per commit, the best's included (noiseGroupsOf). */
  readonly noiseGroups: readonly (readonly number[])[];
  /** The classic rule's noise floor (spread of the baseline runs); null when the baseline ran once. */
  readonly noiseFloor: number | null;
  /** No further measurement is possible (a re-judgement against a best that moved meanwhile). */
  readonly final?: boolean;
  /** The seed each candidate / best run ran under, in the order of `candidate` / `best` (absent: no seeds). */
  readonly candidateSeeds?: readonly (number | null)[];
  readonly bestSeeds?: readonly (number | null)[];
  /**
   * The harness varies the seed between repeats (config.seed). Without it, repeats that agree exactly say
   * nothing about the noise a change meets (a change re-rolls the randomness), so the noise is unknown.
   */
  readonly seedVaried?: boolean;
}

export type Decision =
  | { readonly kind: 'measure-candidate'; readonly why: string }
  | { readonly kind: 'measure-best'; readonly why: string }
  | { readonly kind: 'keep'; readonly confidence: KeepConfidence; readonly noiseUnknown?: boolean }
  | { readonly kind: 'discard'; readonly confidence: KeepConfidence; readonly why: string; readonly noiseUnknown?: boolean };

/**
 * How the noise-aware rule spends runs, tuned with bench/acceptance (see docs/benchmarks.md). A first run
 * below screenT standard errors is not worth confirming; a confirmed one more than giveUpT below the bound
 * is not worth another run.
 */
export const NOISE_AWARE_TUNING = {
  screenT: 0.9,
  giveUpT: 1.0,
  /** While a candidate is confirmed, the best is re-measured to keep one run ahead of it (at most bestRunsCap). */
  bestLead: 1,
  bestRunsCap: 6,
  /** A new best is re-measured until it has this many runs: the runs that chose it are lucky on average. */
  bestMinRuns: 5,
  /** Degrees of freedom needed before any keep: with fewer the t bound is too wide to mean anything. */
  minDof: 2,
  /**
   * When the seed is varied and confirmations are paired (tuned with bench/acceptance's seeded scenario and
   * bench/search): a first run is confirmed from 1 SE, a confirmed one given up when even its remaining runs
   * would leave it 1 SE below the bound they would meet (decidePaired), and a new best measured again until it
   * has 3 runs (its seeds are what the next candidates pair with; 5 cost 1.66× the classic rule's runs for no
   * fewer false keeps). The screen was 0.6 SE with a give-up against the bound of the moment: 1 SE with the
   * give-up looking ahead kept more real wins for fewer runs (bench/search 0.78× → 0.90× and 0.87× → 0.99×).
   */
  pairedScreenT: 1.0,
  pairedGiveUpT: 1.0,
  pairedBestMinRuns: 3,
};

/** The confidence of a comparison of `candidate` against `best` under a known noise. */
export function confidenceOf(
  rule: 'noise-aware' | 'classic',
  direction: 'min' | 'max',
  candidate: readonly number[],
  best: readonly number[],
  noise: { readonly sd: number | null; readonly dof: number },
  bound: number | null,
  /** Repeats under varied seeds (or no seed to vary): a zero spread then means no noise, not a fixed seed. */
  zeroMeansExact = true,
): KeepConfidence {
  const gain = improvement(mean(candidate), mean(best), direction);
  const standardError = noise.sd === null ? null : noise.sd * Math.sqrt(1 / candidate.length + 1 / best.length);
  const z = standardError === null || standardError === 0 ? null : gain / standardError;
  return {
    rule,
    gain,
    noiseSd: noise.sd,
    noiseDof: noise.dof,
    standardError,
    z,
    bound,
    runs: candidate.length,
    bestRuns: best.length,
    // A noise measured as exactly zero is known, not unknown: a worse candidate of a deterministic trainer is
    // exactly worse (its z is undefined only because the standard error is 0).
    label: noise.sd === 0 && !zeroMeansExact ? 'unknown' : confidenceLabel(z, noise.sd === 0),
  };
}

export function decide(input: DecisionInput): Decision {
  return input.acceptance.rule === 'classic' ? decideClassic(input) : decideNoiseAware(input);
}

function decideClassic(input: DecisionInput): Decision {
  const { acceptance, direction, candidate, best } = input;
  const value = mean(candidate);
  const bestValue = mean(best);
  const confirmed = candidate.length > 1;
  const verdict = judge(value, bestValue, direction, confirmed ? { ...acceptance, confirmRuns: 0 } : acceptance, input.noiseFloor);
  // The classic rule keeps on its own terms; its confidence is still worked out, so a keep within the noise shows.
  const confidence = confidenceOf('classic', direction, candidate, best, pooledNoise([...input.noiseGroups, candidate]), null, input.seedVaried === true);
  // Once confirming, every confirmation run is made and the mean judged (autoresearch-studio's classic behaviour).
  if (!input.final && candidate.length < 1 + acceptance.confirmRuns && (confirmed || (verdict.kind === 'better' && verdict.needsConfirmation))) {
    return { kind: 'measure-candidate', why: 'A narrow win: measured again before it is kept.' };
  }
  if (verdict.kind === 'better') return { kind: 'keep', confidence };
  return { kind: 'discard', confidence, why: verdict.gain > 0 ? `Better by ${formatMetric(verdict.gain)}, not more than the minimum improvement ${formatMetric(verdict.threshold)}.` : 'Not better than the best.' };
}

function decideNoiseAware(input: DecisionInput): Decision {
  const { acceptance, direction, candidate, best, final } = input;
  const t = NOISE_AWARE_TUNING;
  const noise = pooledNoise([...input.noiseGroups, candidate]);
  const maxRuns = 1 + acceptance.confirmRuns;
  if (noise.sd === 0 && noise.dof >= t.minDof) {
    if (!input.seedVaried) return decideNoiseUnknown(input);
    // Every repeat of every commit measured exactly the same under different seeds: the metric is deterministic and any gain is real.
    const c = confidenceOf('noise-aware', direction, candidate, best, noise, 0);
    return c.gain > 0 ? { kind: 'keep', confidence: c } : { kind: 'discard', confidence: c, why: 'Not better than the best (the metric has no noise).' };
  }
  const pairable = input.candidateSeeds !== undefined && input.seedVaried === true;
  if (!final && best.length < (pairable ? t.pairedBestMinRuns : t.bestMinRuns)) {
    // The runs that made it the best were chosen for being good: fresh ones pull a lucky best back to its true value.
    return { kind: 'measure-best', why: 'The best is measured again: the runs that chose it flatter it.' };
  }
  if (noise.sd === null || noise.dof < t.minDof) {
    const c = confidenceOf('noise-aware', direction, candidate, best, noise, null);
    // No noise known yet: re-measuring the best is how it is learnt (and costs one run once per run).
    if (!final && best.length < t.bestRunsCap) return { kind: 'measure-best', why: 'The noise is not known yet: the best is measured again.' };
    return { kind: 'discard', confidence: c, why: 'The noise could not be estimated, so no win can be told from luck.' };
  }
  // A confirmed candidate whose runs used the best's seeds is judged on the paired differences.
  const paired = candidate.length > 1 ? decidePaired(input) : null;
  if (paired) return paired;
  const bound = studentTQuantile(1 - acceptance.falseKeepRate, noise.dof);
  const c = confidenceOf('noise-aware', direction, candidate, best, noise, bound);
  const z = c.z!;
  if (z >= bound && (candidate.length > 1 || maxRuns === 1)) return { kind: 'keep', confidence: c };
  if (final || candidate.length >= maxRuns) {
    return { kind: 'discard', confidence: c, why: z >= bound ? 'Measured once only.' : `${z.toFixed(1)} standard errors better, below the ${bound.toFixed(1)} needed for a ${(acceptance.falseKeepRate * 100).toFixed(1)} % false-keep rate.` };
  }
  const floor = candidate.length === 1 ? (pairable ? t.pairedScreenT : t.screenT) : bound - t.giveUpT;
  if (z < floor) {
    return { kind: 'discard', confidence: c, why: c.gain > 0 ? `${z.toFixed(1)} standard errors better: within the noise, not worth confirming.` : 'Not better than the best.' };
  }
  if (best.length < Math.min(candidate.length + t.bestLead, t.bestRunsCap)) {
    return { kind: 'measure-best', why: 'A promising win: the best is measured again beside it.' };
  }
  return { kind: 'measure-candidate', why: 'A promising win: measured again to confirm it.' };
}

/**
 * Repeats agree exactly but the seed was never varied: the noise a change meets is unknown. Only a gain above
 * the minimum improvement is kept (0: any gain, as before), and the confidence says "noise unknown".
 */
function decideNoiseUnknown(input: DecisionInput): Decision {
  const { acceptance, direction, candidate, best } = input;
  const c = confidenceOf('noise-aware', direction, candidate, best, { sd: null, dof: 0 }, null);
  const threshold = minimumImprovement(acceptance, mean(best), input.noiseFloor);
  if (c.gain > threshold && c.gain > 0) return { kind: 'keep', confidence: c, noiseUnknown: true };
  const why = c.gain > 0 ? `Better by ${formatMetric(c.gain)}, not more than the minimum improvement ${formatMetric(threshold)}` : 'Not better than the best';
  return { kind: 'discard', confidence: c, why: `${why} (${NOISE_UNKNOWN_FIXED_SEED}).`, noiseUnknown: true };
}

function seeded(values: readonly number[], seeds: readonly (number | null)[] | undefined): SeededValue[] | null {
  if (!seeds || seeds.length !== values.length) return null;
  return values.map((value, i) => ({ value, seed: seeds[i]! }));
}

/**
 * The paired rule: the gains under equal seeds, their mean against a one-sided Student-t bound. The spread of
 * one paired gain is pooled from the candidate's own gains and twice the seed noise of the commits measured
 * more than once (a gain is the difference of two runs): the pooled part keeps a confirmation of three runs
 * from resting on two degrees of freedom, and it can only overstate the spread of a change that re-rolls the
 * seed's noise partially. Null when the runs do not pair (a seed the best never ran): then unpaired.
 */
function decidePaired(input: DecisionInput): Decision | null {
  const { acceptance, direction, candidate, best, final } = input;
  const t = NOISE_AWARE_TUNING;
  const c = seeded(candidate, input.candidateSeeds);
  const b = seeded(best, input.bestSeeds);
  const diffs = c && b ? pairedDifferences(c, b) : null;
  if (!diffs) return null;
  const gains = diffs.map((d) => (direction === 'min' ? -d : d));
  const prior = pooledNoise(input.noiseGroups);
  const dof = gains.length - 1 + prior.dof;
  if (prior.sd === null || dof < t.minDof) return null;
  const sd = Math.sqrt((sumOfSquares(gains) + 2 * prior.sd ** 2 * prior.dof) / dof);
  if (sd === 0) return null;
  const m = gains.length;
  const gain = mean(gains);
  const standardError = sd / Math.sqrt(m);
  const z = gain / standardError;
  const bound = studentTQuantile(1 - acceptance.falseKeepRate, dof);
  const confidence: KeepConfidence = { rule: 'noise-aware', gain, noiseSd: prior.sd, noiseDof: dof, standardError, z, bound, runs: m, bestRuns: best.length, label: confidenceLabel(z), paired: true };
  if (z >= bound) return { kind: 'keep', confidence };
  const maxRuns = 1 + acceptance.confirmRuns;
  const below = `${z.toFixed(1)} standard errors better under the same seeds, below the ${bound.toFixed(1)} needed for a ${(acceptance.falseKeepRate * 100).toFixed(1)} % false-keep rate.`;
  if (final || m >= maxRuns) return { kind: 'discard', confidence, why: below };
  // Futility: given up when, were the gain so far the true one, every confirmation run left would still leave it
  // more than pairedGiveUpT short of the bound it would then meet (more runs, more degrees of freedom, a lower
  // bound). Early in a run, with few degrees of freedom, the bound of now is far above that one, and comparing
  // with it gave up on real wins after one confirmation (bench/search: 22 of 29 truly better candidates a run lost).
  const boundAtEnd = studentTQuantile(1 - acceptance.falseKeepRate, dof + maxRuns - m);
  if (z * Math.sqrt(maxRuns / m) < boundAtEnd - t.pairedGiveUpT) return { kind: 'discard', confidence, why: gain > 0 ? below : 'Not better than the best under the same seeds.' };
  // The next confirmation run takes the best's next seed: the best is measured first when it has none to give.
  if (best.length < Math.min(m + t.bestLead, t.bestRunsCap) || best.length <= m) return { kind: 'measure-best', why: 'A promising win: the best is measured again beside it.' };
  return { kind: 'measure-candidate', why: 'A promising win: measured again under the best\'s next seed to confirm it.' };
}

/** Groups of repeated measurements (runs with a number) of each experiment measured more than once. */
export function noiseGroupsOf(experiments: Iterable<{ readonly runs: readonly { readonly metric: number | null }[]; readonly status: string }>): number[][] {
  const groups: number[][] = [];
  for (const e of experiments) {
    if (e.status !== 'keep' && e.status !== 'discard') continue;
    const values = e.runs.map((r) => r.metric).filter((v): v is number => v !== null && Number.isFinite(v));
    if (values.length > 1) groups.push(values);
  }
  return groups;
}

/**
 * What the acceptance rule sees: this candidate's values (and the seeds they ran under), the best's runs,
 * every repeated measurement, and whether the seed is varied.
 */
export function decisionInput(ctx: { readonly config: ProjectConfig; readonly record: RunRecord }, candidate: readonly number[], candidateSeeds?: readonly (number | null)[]): DecisionInput {
  const { record, config } = ctx;
  const best = record.experiments.get(record.bestId!)!;
  const measured = best.runs.filter((r) => r.metric !== null && Number.isFinite(r.metric));
  return {
    acceptance: config.acceptance,
    direction: config.metric.direction,
    candidate,
    best: measured.map((r) => r.metric!),
    noiseGroups: noiseGroupsOf(record.experiments.values()),
    noiseFloor: record.noiseFloor,
    seedVaried: seedVaries(config.seed),
    ...(candidateSeeds ? { candidateSeeds, bestSeeds: measured.map((r) => r.seed ?? null) } : {}),
  };
}
