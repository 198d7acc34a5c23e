// bench/early-stop: is the early-stop rule (src/core/loop/early-stop-rule.ts) safe, and what does it save? On
// generated learning curves (seeded): a baseline measured three times (its curves are the best's and the noise),
// then candidates of four kinds — near-neutral tweaks, clear regressions, and two kinds of curves that cross the
// best's (a higher learning rate: worse start, better end; slower convergence to a lower floor). Each candidate is
// trained point by point as the loop would, the rule asked after each point. Printed: of the candidates that
// would have been kept (a full run better than the best's mean), the fraction the rule stopped (target ≤ 1 %),
// and the trainer time saved over all candidates (goal ≥ 25 %), for the default settings and a grid around them.
// Run: node bench/run.mjs early-stop [candidates=1000] [seed=7]
import { EarlyStopSchema, type CurvePoint } from '../src/shared/config-early-stop.js';
import { judgeCurve, type RuleSettings } from '../src/core/loop/early-stop-rule.js';
import { rng } from './scenarios/random.js';

const n = Number(process.argv[2] ?? 1000);
const seed0 = Number(process.argv[3] ?? 7);

const gauss = (r: () => number) => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());

const STEPS = 1000;
const EVERY = 20;

/** A training setup: floor f, amplitude a; loss(s) = f + a·(1 + s/60)^-0.8 + bump·e^(-s/tau) (a start that fades). */
interface Shape {
  readonly f: number;
  readonly a: number;
  readonly bump: number;
  readonly tau: number;
}
const BASE: Shape = { f: 1.0, a: 2.0, bump: 0, tau: 1 };

/** One run's curve: the shape plus this run's seed (an offset, and a larger one early that fades) and each evaluation's noise. */
function run(shape: Shape, r: () => number): CurvePoint[] {
  const seedOffset = gauss(r) * 0.006;
  const seedEarly = gauss(r) * 0.05;
  const pts: CurvePoint[] = [];
  for (let s = EVERY; s <= STEPS; s += EVERY) {
    const clean = shape.f + shape.a * (1 + s / 60) ** -0.8 + shape.bump * Math.exp(-s / shape.tau);
    pts.push([s, clean + seedOffset + seedEarly * Math.exp(-s / 150) + gauss(r) * 0.004]);
  }
  return pts;
}

type Kind = 'tweak' | 'regression' | 'high-lr' | 'slow-low';
function candidate(r: () => number): { kind: Kind; shape: Shape } {
  const u = r();
  if (u < 0.45) return { kind: 'tweak', shape: { ...BASE, f: BASE.f + 0.004 + gauss(r) * 0.01 } };
  if (u < 0.8) return { kind: 'regression', shape: { ...BASE, f: BASE.f + 0.03 + r() * 0.4, a: BASE.a * (1 + r() * 0.3) } };
  // A higher learning rate: a large bump early that fades fast, to a floor a little lower (or higher).
  if (u < 0.92) return { kind: 'high-lr', shape: { ...BASE, f: BASE.f - 0.012 + gauss(r) * 0.01, bump: 0.1 + r() * 0.5, tau: 60 + r() * 140 } };
  // Slower convergence to a lower floor: a smaller bump that fades slowly, worse for most of the run.
  return { kind: 'slow-low', shape: { ...BASE, f: BASE.f - 0.01 - r() * 0.02, bump: 0.05 + r() * 0.1, tau: 200 + r() * 150 } };
}

function evaluate(settings: RuleSettings, seed: number) {
  const r = rng(seed);
  const baseline = [run(BASE, r), run(BASE, r), run(BASE, r)];
  const bestFinal = baseline.reduce((s, c) => s + c[c.length - 1]![1], 0) / baseline.length;
  let kept = 0;
  let keptStopped = 0;
  let spent = 0;
  let full = 0;
  const stoppedBy: Record<Kind, number> = { tweak: 0, regression: 0, 'high-lr': 0, 'slow-low': 0 };
  const count: Record<Kind, number> = { tweak: 0, regression: 0, 'high-lr': 0, 'slow-low': 0 };
  for (let i = 0; i < n; i++) {
    const c = candidate(r);
    const curve = run(c.shape, r);
    count[c.kind] += 1;
    const wouldKeep = curve[curve.length - 1]![1] < bestFinal;
    let stopAt: number | null = null;
    for (let j = 1; j <= curve.length && stopAt === null; j++) {
      const so = curve.slice(0, j);
      const v = judgeCurve(settings, { candidate: so, best: baseline, repeats: baseline, fraction: so[so.length - 1]![0] / STEPS });
      if (v) stopAt = v.at;
    }
    full += STEPS;
    spent += stopAt ?? STEPS;
    if (stopAt !== null) stoppedBy[c.kind] += 1;
    if (wouldKeep) {
      kept += 1;
      if (stopAt !== null) keptStopped += 1;
    }
  }
  return { kept, keptStopped, saved: 1 - spent / full, stoppedBy, count };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
function report(label: string, settings: RuleSettings) {
  // Three seeds: a figure that holds on one set of curves only is luck.
  const rs = [seed0, seed0 + 1, seed0 + 2].map((s) => evaluate(settings, s));
  const kept = rs.reduce((s, x) => s + x.kept, 0);
  const keptStopped = rs.reduce((s, x) => s + x.keptStopped, 0);
  const saved = rs.reduce((s, x) => s + x.saved, 0) / rs.length;
  const kinds = (Object.keys(rs[0]!.count) as Kind[]).map((k) => `${k} ${pct(rs.reduce((s, x) => s + x.stoppedBy[k], 0) / rs.reduce((s, x) => s + x.count[k], 0))}`).join(', ');
  console.log(`${label.padEnd(34)} kept-but-stopped ${String(keptStopped).padStart(3)}/${kept} = ${pct(keptStopped / kept).padStart(6)}   time saved ${pct(saved).padStart(6)}   stopped: ${kinds}`);
  return { keptRate: keptStopped / kept, saved };
}

const defaults = EarlyStopSchema.parse({});
console.log(`${n} candidates × 3 seeds (${seed0}..${seed0 + 2}); baseline 3 repeats; ${STEPS} steps, a point every ${EVERY}`);
const main = report(`default margin ${defaults.margin}, min ${defaults.minFraction}`, { margin: defaults.margin, minFraction: defaults.minFraction, direction: 'min' });
for (const margin of [2, 3, 4]) for (const minFraction of [0.2, 0.3, 0.5]) report(`margin ${margin}, min ${minFraction}`, { margin, minFraction, direction: 'min' });
const ok = main.keptRate <= 0.01 && main.saved >= 0.25;
console.log(`defaults: ${ok ? 'meet' : 'miss'} the targets (kept-but-stopped ≤ 1 %, time saved ≥ 25 %)`);
process.exit(ok ? 0 : 1);
