// bench/acceptance: how often each acceptance rule keeps nothing, keeps real gains and over-claims, driven
// through the loop's own decision code (src/core/loop/decide.ts) with a simulated measurement.
// 200 seeded runs of 100 candidates each; true effects: 70 % none, 20 % harmful (1–5 σ worse), 10 % helpful
// (1, 2 or 3 σ better); every measurement = true value + N(0, σ). Numbers, not a pass/fail test.
// A second, seeded scenario (issue #22) is in scenarios/acceptance-seeded.ts and printed after this one.
// Run: node bench/run.mjs acceptance [runs=200] [candidates=100] [first seed=1000]
import { decide, noiseGroupsOf } from '../src/core/loop/decide.js';
import { mean } from '../src/core/stats/summary.js';
import { AcceptanceSchema, type AcceptanceConfig } from '../src/shared/config.js';
import { seededScenario } from './scenarios/acceptance-seeded.js';
import { gaussian, rng } from './scenarios/random.js';

const RUNS = Number(process.argv[2] ?? 200);
const FIRST_SEED = Number(process.argv[4] ?? 1000);
const CANDIDATES = Number(process.argv[3] ?? 100);
const SIGMA = 1;

interface SimExperiment {
  runs: { metric: number }[];
  status: 'keep' | 'discard';
  truth: number;
  effect: number;
}

interface RunResult {
  readonly nullKeeps: number;
  readonly strongCandidates: number;
  readonly strongKept: number;
  readonly overClaim: number;
  readonly trainerRuns: number;
  readonly keeps: number;
}

/** One simulated run: the same candidates and noise draws for every rule (same seed). */
function simulate(acceptance: AcceptanceConfig, seed: number): RunResult {
  const effects = rng(seed);
  const noise = rng(seed ^ 0x9e3779b9);
  const measure = (truth: number) => truth + SIGMA * gaussian(noise);
  let trainerRuns = 0;
  const experiments: SimExperiment[] = [];
  const baseline: SimExperiment = { runs: [], status: 'keep', truth: 0, effect: 0 };
  for (let i = 0; i < acceptance.baselineRuns; i++, trainerRuns++) baseline.runs.push({ metric: measure(0) });
  experiments.push(baseline);
  let best = baseline;
  let nullKeeps = 0;
  let strongCandidates = 0;
  let strongKept = 0;
  let keeps = 0;
  for (let c = 0; c < CANDIDATES; c++) {
    const u = effects();
    // Lower is better: a helpful change lowers the true value.
    const effect = u < 0.7 ? 0 : u < 0.9 ? -(1 + 4 * effects()) * SIGMA : (1 + Math.floor(effects() * 3)) * SIGMA;
    if (effect === 3 * SIGMA) strongCandidates++;
    const candidate: SimExperiment = { runs: [], status: 'discard', truth: best.truth - effect, effect };
    candidate.runs.push({ metric: measure(candidate.truth) });
    trainerRuns++;
    for (;;) {
      const d = decide({
        acceptance,
        direction: 'min',
        candidate: candidate.runs.map((r) => r.metric),
        best: best.runs.map((r) => r.metric),
        noiseGroups: noiseGroupsOf(experiments),
        noiseFloor: null,
      });
      if (d.kind === 'measure-candidate') {
        candidate.runs.push({ metric: measure(candidate.truth) });
        trainerRuns++;
      } else if (d.kind === 'measure-best') {
        best.runs.push({ metric: measure(best.truth) });
        trainerRuns++;
      } else {
        candidate.status = d.kind === 'keep' ? 'keep' : 'discard';
        break;
      }
    }
    experiments.push(candidate);
    if (candidate.status === 'keep') {
      keeps++;
      if (effect === 0) nullKeeps++;
      if (effect === 3 * SIGMA) strongKept++;
      best = candidate;
    }
  }
  // What the run would report (baseline mean − best mean) against what is true, in σ.
  const reported = mean(baseline.runs.map((r) => r.metric)) - mean(best.runs.map((r) => r.metric));
  const truth = baseline.truth - best.truth;
  return { nullKeeps, strongCandidates, strongKept, overClaim: (reported - truth) / SIGMA, trainerRuns, keeps };
}

function quantile(sorted: readonly number[], q: number): number {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo]! + (sorted[Math.ceil(i)]! - sorted[lo]!) * (i - lo);
}

interface Summary {
  readonly nullKeepsPer100: number;
  readonly strongKeptShare: number;
  readonly overClaimMedian: number;
  readonly overClaimP90: number;
  readonly trainerRuns: number;
  readonly keepsPerRun: number;
}

function summarise(acceptance: AcceptanceConfig): Summary {
  const results = Array.from({ length: RUNS }, (_, i) => simulate(acceptance, FIRST_SEED + i));
  const sum = (f: (r: RunResult) => number) => results.reduce((s, r) => s + f(r), 0);
  const over = results.map((r) => r.overClaim).sort((a, b) => a - b);
  return {
    nullKeepsPer100: (sum((r) => r.nullKeeps) / (RUNS * CANDIDATES)) * 100,
    strongKeptShare: sum((r) => r.strongKept) / Math.max(1, sum((r) => r.strongCandidates)),
    overClaimMedian: quantile(over, 0.5),
    overClaimP90: quantile(over, 0.9),
    trainerRuns: sum((r) => r.trainerRuns) / RUNS,
    keepsPerRun: sum((r) => r.keeps) / RUNS,
  };
}

const noiseAware = AcceptanceSchema.parse({});
// The classic rule as autoresearch runs it: one baseline run, keep if strictly better once.
const classic = AcceptanceSchema.parse({ rule: 'classic', baselineRuns: 1, confirmRuns: 0, minImprovementMode: 'absolute', minImprovement: 0 });

const t0 = Date.now();
const a = summarise(noiseAware);
const b = summarise(classic);
const rows: [string, (s: Summary) => string, string][] = [
  ['kept with no true effect, per 100 candidates', (s) => s.nullKeepsPer100.toFixed(2), '≤ 2'],
  ['3σ improvements kept', (s) => `${(s.strongKeptShare * 100).toFixed(1)} %`, '≥ 90 %'],
  ['over-claim of the final best, median', (s) => `${s.overClaimMedian.toFixed(2)} σ`, '≤ 0.5 σ'],
  ['over-claim of the final best, p90', (s) => `${s.overClaimP90.toFixed(2)} σ`, ''],
  ['trainer runs per run', (s) => s.trainerRuns.toFixed(1), ''],
  ['trainer runs relative to classic', (s) => `${(s.trainerRuns / b.trainerRuns).toFixed(2)}×`, '≤ 1.5×'],
  ['keeps per run', (s) => s.keepsPerRun.toFixed(1), ''],
];
console.log(`${RUNS} seeded runs × ${CANDIDATES} candidates; effects 70 % none, 20 % harmful (1–5σ), 10 % helpful (1/2/3σ)`);
console.log(`noise-aware: false-keep rate ${noiseAware.falseKeepRate}, ${noiseAware.baselineRuns} baseline runs, up to ${noiseAware.confirmRuns} confirmation runs`);
console.log('classic: 1 baseline run, keep if strictly better once\n');
console.log(`| | noise-aware (default) | classic | target (default) |`);
console.log(`| --- | ---: | ---: | ---: |`);
for (const [label, f, target] of rows) console.log(`| ${label} | ${f(a)} | ${f(b)} | ${target} |`);
console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
seededScenario(RUNS, CANDIDATES, FIRST_SEED);
