// bench/soak: a long run in one process. N experiments (default 10,000) of an instant trainer (`echo
// val_bpb`) with an instant proposer go through the real loop (git, hashing, the diff guard, fsync'd
// journal, results.tsv). Prints the process's RSS every 1,000 experiments (target: growth ≤ 50 MB), the
// harness overhead per experiment over the first and the last 1,000 (target: flat), and the time to reopen
// the finished run: `autoresearch status` (the CLI, cold) and the Api's getRun first page (target ≤ 1 s).
// Then the same reopen times for a 100,000-experiment journal written by test/fixtures/make-big-run.mjs
// (target ≤ 2 s; its UI first render: `node bench/run.mjs ui-history 100000`).
// Needs `npm run build` (the CLI bundle). Run: node bench/run.mjs soak [experiments=10000] [bigRun=100000]
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Proposer } from '../src/core/agent/proposer.js';
import { readRunStatuses } from '../src/core/journal/run-status.js';
import { startRun } from '../src/core/loop/start-run.js';
import { createEnvSecretStore, createStudio } from '../src/core/studio/index.js';
import { ProjectConfigSchema } from '../src/shared/config.js';
import type { Experiment } from '../src/shared/experiment.js';
import { makeBigRun } from '../test/fixtures/make-big-run.mjs';

const N = Number(process.argv[2] ?? 10_000);
const BIG = Number(process.argv[3] ?? 100_000);
const EVERY = Math.min(1000, Math.max(1, Math.floor(N / 10)));
const PAGE = 2000;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(root, 'bin', 'autoresearch.mjs');
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();
const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);

function makeProject(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'ar-soak-'));
  writeFileSync(path.join(dir, 'train.py'), 'LEARNING_RATE = 0.01\n');
  writeFileSync(path.join(dir, 'prepare.py'), 'EVAL = 1\n');
  mkdirSync(path.join(dir, '.autoresearch'));
  const config = ProjectConfigSchema.parse({
    run: { command: 'echo "val_bpb: 1.000000"' },
    files: { editable: ['train.py'], protected: ['prepare.py'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 10 },
    stop: { maxConsecutiveFailures: 1_000_000 },
  });
  writeFileSync(path.join(dir, '.autoresearch', 'config.json'), JSON.stringify(config));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'config', 'user.name', 'Bench');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

/** Instant proposer: one new line per experiment, so every diff is fresh. */
const instant: Proposer = {
  name: 'instant',
  async propose(ctx) {
    const text = await ctx.workspace.readFile('train.py');
    await ctx.workspace.writeFile('train.py', `${text}# ${ctx.experimentId}\n`);
    return { description: `line ${ctx.experimentId}`, hypothesis: '', usage: null, transcript: null };
  },
};

const overheadOf = (e: Experiment) => (e.timings.totalMs ?? 0) - (e.timings.proposalMs ?? 0) - (e.timings.trainingMs ?? 0);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
};
const gc = () => (globalThis as { gc?: () => void }).gc?.();

interface Reopen {
  readonly statusCliMs: number;
  /** CPU seconds of the `status` process (user + system), from /usr/bin/time: less sensitive to a loaded machine. */
  readonly statusCliCpuMs: number | null;
  readonly statusCoreMs: number;
  readonly getRunMs: number;
  readonly getRunCpuMs: number;
  readonly rows: number;
}

/** Reopen a finished run: the CLI's `status` (a fresh process) and the Api's getRun first page (in process). */
async function reopen(dir: string, tag: string): Promise<Reopen> {
  const timed = existsSync('/usr/bin/time');
  const t0 = performance.now();
  const cli = timed
    ? spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', process.execPath, CLI, 'status', dir], { encoding: 'utf8' })
    : spawnSync(process.execPath, [CLI, 'status', dir], { encoding: 'utf8' });
  const statusCliMs = performance.now() - t0;
  if (cli.status !== 0) throw new Error(`status failed: ${cli.stderr}`);
  const cpu = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(cli.stderr ?? '');
  const statusCliCpuMs = cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : null;
  const t1 = performance.now();
  await readRunStatuses(dir);
  const statusCoreMs = performance.now() - t1;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ar-soak-data-'));
  const studio = await createStudio({ app: { version: 'bench', host: 'serve', platform: process.platform }, dataDir, appRoot: root, secrets: createEnvSecretStore({}) });
  try {
    // What the app does when it opens the project and shows the run: the run list, then the first page.
    const c0 = process.cpuUsage();
    const t2 = performance.now();
    await studio.api.openProject({ dir });
    const page = await studio.api.getRun({ tag, offset: 0, limit: PAGE });
    const getRunMs = performance.now() - t2;
    const c = process.cpuUsage(c0);
    return { statusCliMs, statusCliCpuMs, statusCoreMs, getRunMs, getRunCpuMs: (c.user + c.system) / 1000, rows: page.experiments.length };
  } finally {
    await studio.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const describeReopen = (r: Reopen) =>
  `\`autoresearch status\` ${r.statusCliMs.toFixed(0)} ms wall${r.statusCliCpuMs === null ? '' : ` / ${r.statusCliCpuMs.toFixed(0)} ms CPU`} (a fresh process; the reading itself ${r.statusCoreMs.toFixed(0)} ms), ` +
  `openProject + getRun first page (${r.rows} rows) ${r.getRunMs.toFixed(0)} ms wall / ${r.getRunCpuMs.toFixed(0)} ms CPU`;

/** The first reopen may build the fold snapshot (a journal written without one); later ones read it. */
async function reopenTwice(dir: string, tag: string, label: string, target: string): Promise<void> {
  const snapshot = path.join(dir, '.autoresearch', 'runs', tag, 'fold-snapshot.jsonl');
  const had = existsSync(snapshot);
  const first = await reopen(dir, tag);
  console.log(`reopen ${label}${had ? '' : ' (no snapshot yet: folds the whole journal and writes one)'}: ${describeReopen(first)} (target ${target})`);
  const again = await reopen(dir, tag);
  console.log(`reopen ${label} again: ${describeReopen(again)} (target ${target})`);
}

async function soak(): Promise<void> {
  const dir = makeProject();
  const tag = 'soak';
  gc();
  // Measured here, after anything earlier in this process (the big fixture) has been collected.
  await new Promise((r) => setTimeout(r, 100));
  gc();
  const rss0 = process.memoryUsage().rss;
  console.log(`soak: ${N} experiments through the real loop in this process (trainer = echo, proposer = instant)`);
  // heap: V8's used / committed; ext: Buffers and other memory outside the heap. What RSS holds beyond these is
  // native (the allocator's arenas, code): the column tells a leak in the record from allocator growth.
  console.log(' experiments   rss MB  (+MB)  heap MB  (committed)  ext MB   wall s');
  const t0 = Date.now();
  const handle = await startRun({
    projectDir: dir,
    tag,
    maxExperiments: N,
    deps: { env: process.env, nodePath: process.execPath, appVersion: 'bench', createProposer: async () => instant },
  });
  let next = EVERY;
  const samples: { n: number; rss: number }[] = [];
  handle.subscribe((e) => {
    if (e.kind !== 'journal' || e.event.type !== 'experiment-end' || e.event.experiment.id < next) return;
    next += EVERY;
    gc();
    const m = process.memoryUsage();
    samples.push({ n: e.event.experiment.id, rss: m.rss });
    console.log(
      `${String(e.event.experiment.id).padStart(12)}  ${mb(m.rss).padStart(7)}  ${('+' + mb(m.rss - rss0)).padStart(6)}  ${mb(m.heapUsed).padStart(7)}  ${mb(m.heapTotal).padStart(11)}  ${mb(m.external).padStart(6)}  ${((Date.now() - t0) / 1000).toFixed(0).padStart(7)}`,
    );
  });
  const outcome = await handle.done;
  const rec = handle.record();
  const candidates = [...rec.experiments.values()].filter((e) => e.kind === 'candidate');
  const window = Math.min(1000, Math.floor(candidates.length / 2));
  const first = candidates.slice(0, window).map(overheadOf);
  const last = candidates.slice(-window).map(overheadOf);
  const growth = samples.length ? Math.max(...samples.map((s) => s.rss)) - (samples[0]?.rss ?? rss0) : 0;
  console.log(`stopped: ${outcome.reason} after ${candidates.length} candidates in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`RSS growth from the first sample to the highest: ${mb(growth)} MB (target ≤ 50 MB)`);
  console.log(`harness overhead per experiment, median: first ${first.length} ${median(first).toFixed(0)} ms, last ${last.length} ${median(last).toFixed(0)} ms (target: flat)`);
  await reopenTwice(dir, tag, String(N), '≤ 1 s');
  if (process.env.SOAK_KEEP) console.log(`kept the project for later reopen measurements: ${dir} (tag ${tag})`);
  else rmSync(dir, { recursive: true, force: true });
}

async function bigJournal(): Promise<void> {
  if (BIG <= 0) return;
  const work = mkdtempSync(path.join(tmpdir(), 'ar-soak-big-'));
  try {
    const t0 = Date.now();
    const made = await makeBigRun({ dir: path.join(work, 'project'), n: BIG, tag: 'big', slots: 2, bigLogMb: 0, transcripts: 0, logs: false });
    console.log(`\nfixture: a ${BIG}-experiment journal in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
    if (!existsSync(made.runDir)) throw new Error('the fixture made no run');
    await reopenTwice(made.dir, made.tag, String(BIG), '≤ 2 s');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'reopen') {
  // Reopen an existing project's run only: node bench/run.mjs soak reopen <dir> <tag>
  const [dir, tag] = [process.argv[3], process.argv[4]];
  if (!dir || !tag) throw new Error('usage: node bench/run.mjs soak reopen <project dir> <tag>');
  await reopenTwice(path.resolve(dir), tag, tag, '≤ 1 s for 10,000, ≤ 2 s for 100,000');
} else {
  // The reopen times of the big journal first: they are quick, the soak is long.
  await bigJournal();
  await soak();
}
process.exit(0);
