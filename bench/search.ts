// bench/search (issue #25): greedy vs tree vs islands (config `search`) at equal trainer time, on a synthetic
// landscape searched by the real offline proposer. Each simulated run is a tiny train.py of four numeric
// hyperparameters; the mutation proposer (src/core/agent/mutation) edits it as it edits a user's file, the node
// it starts from is chosen by the loop's own chooseBase (src/core/loop/search-base.ts) over a run record, and
// every keep or discard is the loop's own decide() (src/core/loop/decide.ts), seeds handled as the loop does
// (bench/scenarios/acceptance-seeded.ts). The trainer: truth(hyperparameters) + σ·ε(code, seed), the same
// number for the same code under the same seed.
// Landscapes, in u_i = log2(value_i / start_i) (one coarse ×2 step of the proposer is 1):
// - smooth: a quadratic bowl with an interaction between the first two (the best LR depends on the batch size);
// - multi-modal: the same bowl's shallow basin near the start, and a deeper one across a ridge that takes two
//   coordinated moves to reach, with ripples along every axis (local optima for single steps).
// Reported per strategy, over the seeds: the TRUE value of the final best (median, quartiles), the share of keeps
// that were false (not truly better than the best they replaced), trainer runs; and the headline: true gain per
// trainer-hour of the default loop against autoresearch's (greedy, classic rule: keep if better once, seed fixed).
// Run: node bench/run.mjs search [seeds=50] [trainer runs per run=150] [first seed=7000]
import type { Experiment } from '../src/shared/experiment.js';
import { createMutationProposer } from '../src/core/agent/mutation/mutation-proposer.js';
import { findConstants } from '../src/core/agent/mutation/find-constants.js';
import { SearchSpaceExhaustedError, ProposerUnavailableError, type ProposalContext } from '../src/core/agent/proposer.js';
import type { Workspace } from '../src/core/agent/workspace.js';
import type { RunRecord } from '../src/core/journal/fold.js';
import { decide, noiseGroupsOf } from '../src/core/loop/decide.js';
import { chooseBase, isExhausted, markExhausted } from '../src/core/loop/search-base.js';
import { seedsFor } from '../src/core/project/seed-launch.js';
import { mean, sampleStdDev } from '../src/core/stats/summary.js';
import { AcceptanceSchema, ProjectConfigSchema, SearchSchema, type AcceptanceConfig, type ProjectConfig, type SearchStrategy } from '../src/shared/config.js';
import { gaussian, rng } from './scenarios/random.js';

const SEEDS = Number(process.argv[2] ?? 50);
const BUDGET = Number(process.argv[3] ?? 150);
const FIRST_SEED = Number(process.argv[4] ?? 7000);
/** Minutes per trainer run (autoresearch's budget), for gain per trainer-hour. */
const RUN_MINUTES = 5;
const SIGMA = 0.004;

const START = 'LEARNING_RATE = 0.01\nWEIGHT_DECAY = 0.1\nBATCH_SIZE = 64\nWARMUP_STEPS = 200\n';
const NAMES = ['LEARNING_RATE', 'WEIGHT_DECAY', 'BATCH_SIZE', 'WARMUP_STEPS'];
const START_VALUES = [0.01, 0.1, 64, 200];

type Landscape = 'smooth' | 'multi-modal';

function coords(text: string): number[] {
  const found = new Map(findConstants('train.py', text).map((c) => [c.name, c.value]));
  return NAMES.map((n, i) => Math.log2(Math.max(1e-12, found.get(n) ?? START_VALUES[i]!) / START_VALUES[i]!));
}

/** A quadratic bowl around `c` with the LR × batch-size interaction. */
function bowl(u: readonly number[], c: readonly number[]): number {
  const d = u.map((x, i) => x - c[i]!);
  return 0.5 * d[0]! ** 2 + 0.3 * d[1]! ** 2 + 0.4 * d[2]! ** 2 + 0.2 * d[3]! ** 2 + 0.35 * (d[0]! - d[2]!) ** 2;
}

/** The true metric (lower is better), around 1.0 at the start like a val_bpb. */
function truth(landscape: Landscape, text: string): number {
  const u = coords(text);
  if (landscape === 'smooth') return 0.9 + 0.01 * bowl(u, [1.5, -1, 1, 0.5]);
  const shallow = bowl(u, [1, 0, 0, 0]);
  const deep = bowl(u, [-1.5, 1.5, -1, 1]) - 2.2;
  const ripple = 0.25 * u.reduce((s, x) => s + Math.sin((Math.PI * x) / 0.75) ** 2, 0);
  return 0.9 + 0.01 * (Math.min(shallow, deep) + ripple);
}

/** ε(code, seed): a fixed standard normal per (code, seed) of this simulated run. */
function noiseOf(runSeed: number, text: string, seed: number): number {
  let h = 2166136261 ^ runSeed;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return gaussian(rng(Math.imul(h ^ seed, 2654435761) >>> 0));
}

interface Loop {
  readonly name: string;
  readonly strategy: SearchStrategy;
  readonly acceptance: AcceptanceConfig;
  /** The harness varies the seed (config.seed); false: every run under the same seed, as autoresearch. */
  readonly varied: boolean;
  /** autoresearch's loop has no plateau handling: a plateau it never reaches. */
  readonly noPlateau?: boolean;
}

interface Outcome {
  readonly finalTruth: number;
  readonly startTruth: number;
  readonly keeps: number;
  readonly falseKeeps: number;
  readonly trainerRuns: number;
}

type SimExperiment = { -readonly [K in keyof Experiment]: Experiment[K] } & { runs: Experiment['runs'][number][]; text: string; truth: number };

function memoryWorkspace(files: Map<string, string>): Workspace {
  return {
    editableFiles: async () => ['train.py'],
    readFile: async (p: string) => files.get(p) ?? '',
    writeFile: async (p: string, content: string) => void files.set(p, content),
  } as unknown as Workspace;
}

async function simulate(loop: Loop, landscape: Landscape, runSeed: number): Promise<Outcome> {
  const config: ProjectConfig = ProjectConfigSchema.parse({
    run: { command: 'python train.py' },
    files: { editable: ['train.py'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: RUN_MINUTES * 60 },
    acceptance: loop.acceptance,
    search: SearchSchema.parse({ strategy: loop.strategy, ...(loop.noPlateau ? { plateauAfter: 10_000 } : {}) }),
  });
  const proposer = createMutationProposer();
  let trainerRuns = 0;
  let commits = 0;
  const make = (id: number, text: string, baseId: number | null, parentCommit: string, description: string): SimExperiment =>
    ({
      id, kind: id === 0 ? 'baseline' : 'candidate', slot: 0, baseId, parentCommit, commit: `c${commits++}`, description, hypothesis: '', status: 'running',
      metric: null, metrics: {}, runs: [], guard: null, bestBefore: null, startedAt: '', finishedAt: null,
      timings: { proposalMs: null, trainingMs: null, totalMs: null }, usage: null, logPath: null, transcriptPath: null, error: null, changedFiles: [],
      text, truth: truth(landscape, text),
    }) as SimExperiment;
  const run = (e: SimExperiment, seed: number) => {
    const s = loop.varied ? seed : 1;
    e.runs.push({ metric: e.truth + SIGMA * noiseOf(runSeed, e.text, s), metrics: {}, exitCode: 0, signal: null, timedOut: false, durationMs: 0, logPath: '', seed: s });
    e.metric = mean(e.runs.map((r) => r.metric!));
    trainerRuns++;
  };
  const baseline = make(0, START, null, 'start', 'baseline');
  for (const seed of seedsFor(loop.acceptance.baselineRuns)) run(baseline, seed);
  baseline.status = 'keep';
  const record = {
    config, experiments: new Map<number, Experiment>([[0, baseline]]), bestId: 0, bestCommit: baseline.commit, best: baseline.metric, bestRuns: baseline.runs.length,
    noiseFloor: baseline.runs.length > 1 ? sampleStdDev(baseline.runs.map((r) => r.metric!)) : null, queuedProposals: new Map(), startCommit: 'start',
  } as unknown as RunRecord;
  let best = baseline;
  let keeps = 0;
  let falseKeeps = 0;
  for (let id = 1; trainerRuns < BUDGET; id++) {
    let chosen = chooseBase({ record, slot: 0, id });
    let proposal: { text: string; description: string } | null = null;
    for (;;) {
      const base = chosen.base as SimExperiment;
      const files = new Map([['train.py', base.text]]);
      const history = [...record.experiments.values()];
      try {
        const p = await proposer.propose({ config, base, best, baseline, history, experimentId: id, workspace: memoryWorkspace(files), noiseFloor: record.noiseFloor } as unknown as ProposalContext);
        proposal = { text: files.get('train.py')!, description: p.description };
        break;
      } catch (err) {
        if (!(err instanceof SearchSpaceExhaustedError) && !(err instanceof ProposerUnavailableError)) throw err;
        // As experiment-start.ts: a spent node is passed over; the run ends when every node it would choose is spent.
        markExhausted(record, base.id);
        chosen = chooseBase({ record, slot: 0, id });
        if (isExhausted(record, chosen.base.id)) break;
      }
    }
    if (!proposal) break;
    const base = chosen.base as SimExperiment;
    const candidate = make(id, proposal.text, base.id, base.commit!, proposal.description);
    record.experiments.set(id, candidate);
    const nextSeed = (k: number): number => best.runs[k]?.seed ?? seedsFor(k + 1)[k]!;
    run(candidate, nextSeed(0));
    for (;;) {
      const d = decide({
        acceptance: loop.acceptance, direction: 'min', candidate: candidate.runs.map((r) => r.metric!), best: best.runs.map((r) => r.metric!),
        noiseGroups: noiseGroupsOf(record.experiments.values()), noiseFloor: record.noiseFloor, seedVaried: loop.varied,
        ...(loop.varied ? { candidateSeeds: candidate.runs.map((r) => r.seed ?? null), bestSeeds: best.runs.map((r) => r.seed ?? null) } : {}),
      });
      if (d.kind === 'measure-candidate') run(candidate, nextSeed(candidate.runs.length));
      else if (d.kind === 'measure-best') {
        const used = new Set(best.runs.map((r) => r.seed));
        let seed = best.runs.length + 1;
        while (used.has(seed)) seed++;
        run(best, seed);
        record.best = best.metric;
        record.bestRuns = best.runs.length;
      } else {
        candidate.status = d.kind === 'keep' ? 'keep' : 'discard';
        break;
      }
    }
    candidate.bestBefore = record.best;
    if (candidate.status === 'keep') {
      keeps++;
      if (candidate.truth >= best.truth) falseKeeps++;
      best = candidate;
      Object.assign(record, { bestId: id, bestCommit: candidate.commit, best: candidate.metric, bestRuns: candidate.runs.length });
    }
  }
  return { finalTruth: best.truth, startTruth: baseline.truth, keeps, falseKeeps, trainerRuns };
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo]! + (sorted[Math.min(lo + 1, sorted.length - 1)]! - sorted[lo]!) * (at - lo);
}

interface Summary {
  readonly median: number;
  readonly q1: number;
  readonly q3: number;
  readonly falseKeepShare: number;
  readonly keeps: number;
  readonly trainerRuns: number;
  /** Mean true gain (start − final) per trainer-hour. */
  readonly gainPerHour: number;
  /** Mean true gain (start − final) per run, over the same budget (a run that ran out of ideas stopped early). */
  readonly meanGain: number;
}

async function summarise(loop: Loop, landscape: Landscape): Promise<Summary> {
  const all: Outcome[] = [];
  for (let i = 0; i < SEEDS; i++) all.push(await simulate(loop, landscape, FIRST_SEED + i));
  const finals = all.map((o) => o.finalTruth).sort((a, b) => a - b);
  const sum = (f: (o: Outcome) => number) => all.reduce((s, o) => s + f(o), 0);
  const hours = (sum((o) => o.trainerRuns) * RUN_MINUTES) / 60;
  return {
    median: quantile(finals, 0.5),
    q1: quantile(finals, 0.25),
    q3: quantile(finals, 0.75),
    falseKeepShare: sum((o) => o.falseKeeps) / Math.max(1, sum((o) => o.keeps)),
    keeps: sum((o) => o.keeps),
    trainerRuns: sum((o) => o.trainerRuns) / all.length,
    gainPerHour: sum((o) => o.startTruth - o.finalTruth) / hours,
    meanGain: sum((o) => o.startTruth - o.finalTruth) / all.length,
  };
}

async function main(): Promise<void> {
  const t0 = Date.now();
  const defaults = AcceptanceSchema.parse({});
  const classic = AcceptanceSchema.parse({ rule: 'classic', baselineRuns: 1, confirmRuns: 0, minImprovementMode: 'absolute', minImprovement: 0 });
  const loops: Loop[] = [
    { name: 'greedy (noise-aware, seed varied)', strategy: 'greedy', acceptance: defaults, varied: true },
    { name: 'tree (noise-aware, seed varied)', strategy: 'tree', acceptance: defaults, varied: true },
    { name: 'islands (noise-aware, seed varied)', strategy: 'islands', acceptance: defaults, varied: true },
    { name: "autoresearch's loop (greedy, classic, seed fixed)", strategy: 'greedy', acceptance: classic, varied: false, noPlateau: true },
  ];
  const defaultStrategy = SearchSchema.parse({}).strategy;
  console.log(`\n== search strategies: ${SEEDS} seeds × ${BUDGET} trainer runs (${RUN_MINUTES} min each); σ = ${SIGMA}; the mutation proposer; lower is better`);
  const results = new Map<string, Summary>();
  for (const landscape of ['multi-modal', 'smooth'] as const) {
    console.log(`\n### ${landscape} landscape (start ${truth(landscape, START).toFixed(4)})\n`);
    console.log('| loop | final true value: median [q1, q3] | false keeps (of all keeps) | trainer runs | true gain per trainer-hour |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const loop of loops) {
      const s = await summarise(loop, landscape);
      results.set(`${landscape}:${loop.name}`, s);
      console.log(`| ${loop.name} | ${s.median.toFixed(4)} [${s.q1.toFixed(4)}, ${s.q3.toFixed(4)}] | ${(s.falseKeepShare * 100).toFixed(1)} % (of ${s.keeps}) | ${s.trainerRuns.toFixed(0)} | ${s.gainPerHour.toFixed(5)} |`);
    }
  }
  const def = loops.find((l) => l.strategy === defaultStrategy && l.acceptance === defaults)!;
  const tree = loops.find((l) => l.strategy === 'tree')!;
  console.log(`\n### headline: the default loop (${def.name}) against autoresearch's loop\n`);
  console.log('| landscape | gain per trainer-hour used, default ÷ autoresearch | gain in the same budget, default ÷ autoresearch | false keeps (default) | target |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const landscape of ['multi-modal', 'smooth'] as const) {
    const a = results.get(`${landscape}:${def.name}`)!;
    const b = results.get(`${landscape}:${loops[3]!.name}`)!;
    console.log(`| ${landscape} | ${(a.gainPerHour / b.gainPerHour).toFixed(2)}× | ${(a.meanGain / b.meanGain).toFixed(2)}× | ${(a.falseKeepShare * 100).toFixed(1)} % | ≥ 1.5×, ≤ 2 % |`);
  }
  for (const landscape of ['multi-modal', 'smooth'] as const) {
    const a = results.get(`${landscape}:${tree.name}`)!;
    const b = results.get(`${landscape}:${loops[3]!.name}`)!;
    console.log(`| ${landscape}, with tree | ${(a.gainPerHour / b.gainPerHour).toFixed(2)}× | ${(a.meanGain / b.meanGain).toFixed(2)}× | ${(a.falseKeepShare * 100).toFixed(1)} % | ≥ 1.5×, ≤ 2 % |`);
  }
  console.log(`\n(${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

await main();
