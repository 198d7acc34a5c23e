// bench/loop-overhead: the harness's own time per experiment — everything but the trainer's own work and the
// proposer (git reset/commit/refs, protected-file hashing, the diff guard, journal fsyncs, results.tsv,
// events, and the sandbox: bubblewrap's set-up is counted, as users get it) — with a trainer that exits at
// once and an instant proposer, at 0 and at 10,000 prior experiments in the journal. It is measured from one
// experiment's start to the next one's, less the proposal, so nothing between two trainer runs escapes it.
// Target: median ≤ 50 ms, flat with history. A breakdown (overhead-probe.ts) says which steps cost what.
// Run: node bench/run.mjs loop-overhead [experiments=40] [history=10000]
// TIMELINE=1 also prints one experiment's spans in time order (which steps wait on which), from its start to the next.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Proposer } from '../src/core/agent/proposer.js';
import { sandboxMode } from '../src/core/exec/sandbox.js';
import { readRunRecord } from '../src/core/journal/read.js';
import { startRun } from '../src/core/loop/start-run.js';
import { runPaths } from '../src/core/project/paths.js';
import { ProjectConfigSchema } from '../src/shared/config.js';
import type { Experiment } from '../src/shared/experiment.js';
import type { JournalEvent } from '../src/shared/journal.js';
import { installProbe, mark, startRecording, stopRecording, timelineBetween } from './overhead-probe.js';

const N = Number(process.argv[2] ?? 40);
const HISTORY = Number(process.argv[3] ?? 10_000);
const TARGET_MS = 50;
// Where the test suite makes its projects (test/helpers/project.ts): outside /tmp, which the sandbox replaces.
const ROOT = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();
installProbe();
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

function makeProject(): string {
  const dir = mkdtempSync(path.join(ROOT, 'ar-bench-'));
  writeFileSync(path.join(dir, 'train.py'), 'LEARNING_RATE = 0.01\n');
  writeFileSync(path.join(dir, 'prepare.py'), 'EVAL = 1\n');
  mkdirSync(path.join(dir, '.autoresearch'));
  const config = ProjectConfigSchema.parse({
    // The "trainer" prints its metric and exits at once.
    run: { command: 'echo "val_bpb: 1.000000"' },
    files: { editable: ['train.py'], protected: ['prepare.py'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 10 },
  });
  writeFileSync(path.join(dir, '.autoresearch', 'config.json'), JSON.stringify(config));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'bench@example.com');
  git(dir, 'config', 'user.name', 'Bench');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

/** A journal with `count` finished experiments, as a long run leaves it. */
function writeHistory(dir: string, tag: string, count: number): void {
  const start = git(dir, 'rev-parse', 'HEAD');
  const config = ProjectConfigSchema.parse(JSON.parse(execFileSync('cat', [path.join(dir, '.autoresearch', 'config.json')], { encoding: 'utf8' })));
  git(dir, 'branch', `autoresearch/${tag}`, start);
  const at = new Date().toISOString();
  // As a real run leaves them: the baseline measured three times (its noise), each candidate once.
  const runsOf = (id: number, metric: number) =>
    (id === 0 ? [metric, metric + 0.0005, metric - 0.0005] : [metric]).map((m, i) => ({ metric: m, metrics: { val_bpb: m }, exitCode: 0, signal: null, timedOut: false, durationMs: 1, logPath: `logs/${id}-${i}.log` }));
  const exp = (id: number, status: Experiment['status'], metric: number): Experiment => ({
    id, kind: id === 0 ? 'baseline' : 'candidate', slot: 0, baseId: id === 0 ? null : 0, parentCommit: start, commit: start,
    description: id === 0 ? 'baseline' : `LEARNING_RATE 0.01 → ${(0.01 + id / 1e6).toFixed(6)}`, hypothesis: 'history',
    status, metric, metrics: { val_bpb: metric }, runs: runsOf(id, metric), guard: null, bestBefore: 1, startedAt: at, finishedAt: at,
    timings: { proposalMs: 1, trainingMs: 1, totalMs: 2 }, usage: null, logPath: `logs/${id}.log`, transcriptPath: null, error: null, changedFiles: ['train.py'],
  });
  const events: JournalEvent[] = [{ type: 'run-start', at, version: 1, tag, branch: `autoresearch/${tag}`, startCommit: start, config, proposer: 'bench', appVersion: 'bench' }];
  events.push({ type: 'experiment-end', at, experiment: exp(0, 'keep', 1) }, { type: 'best', at, id: 0, commit: start, metric: 1 });
  for (let id = 1; id <= count; id++) {
    events.push({ type: 'experiment-start', at, experiment: { ...exp(id, 'running', 1), metric: null } });
    events.push({ type: 'experiment-end', at, experiment: exp(id, 'discard', 1.001) });
  }
  mkdirSync(runPaths(dir, tag).dir, { recursive: true });
  writeFileSync(runPaths(dir, tag).journal, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
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

async function measure(history: number) {
  const dir = makeProject();
  const tag = 'bench';
  if (history > 0) writeHistory(dir, tag, history);
  const t0 = performance.now();
  let recordingFrom = -1;
  const handle = await startRun({
    projectDir: dir,
    tag,
    maxExperiments: history + N,
    deps: { env: process.env, nodePath: process.execPath, appVersion: 'bench', createProposer: async () => instant },
  });
  const startupMs = performance.now() - t0;
  // The breakdown covers the experiments after the first (its start-up work is not per experiment).
  handle.subscribe((e) => {
    if (recordingFrom < 0 && e.kind === 'journal' && e.event.type === 'experiment-start' && e.event.experiment.id > history + 1) {
      recordingFrom = e.event.experiment.id;
      startRecording();
    }
    if (e.kind === 'journal') mark(`journal ${e.event.type}`);
  });
  await handle.done;
  const timeline = timelineBetween('journal experiment-start', Math.floor(N / 2));
  const rec = await readRunRecord(dir, tag);
  const fresh = [...rec.experiments.values()].filter((e) => e.id > history).sort((a, b) => a.id - b.id);
  // One experiment's cost: from its start to the next one's start, less its proposal. The trainer's own work
  // (echo) is next to nothing, so what remains is the harness: its git, its files, and the sandbox's set-up.
  const cycles = fresh.slice(0, -1).map((e, i) => Date.parse(fresh[i + 1]!.startedAt) - Date.parse(e.startedAt) - (e.timings.proposalMs ?? 0));
  const overhead = [...cycles].sort((a, b) => a - b);
  const trainer = fresh.map((e) => e.timings.trainingMs ?? 0).sort((a, b) => a - b);
  const recorded = fresh.filter((e) => e.id >= recordingFrom).length;
  const breakdown = stopRecording(Math.max(1, recorded));
  const wallPer = (Date.parse(fresh.at(-1)!.finishedAt!) - Date.parse(fresh[0]!.startedAt)) / fresh.length;
  // The bench process's size: a big process pays more per fork (its page tables are copied), as the app's does.
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  rmSync(dir, { recursive: true, force: true });
  const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
  return { history, timeline, experiments: fresh.length, startupMs, median: pct(overhead, 0.5), p90: pct(overhead, 0.9), max: overhead.at(-1)!, trainerMedian: pct(trainer, 0.5), wallPer, rssMb, breakdown };
}

const sandbox = await sandboxMode(process.env);
const rows = [await measure(0), await measure(HISTORY)];
console.log(`harness overhead per experiment (ms), ${N} experiments each; trainer = \`echo val_bpb\`, proposer = instant; sandbox: ${sandbox.mode}`);
console.log('history  start-up  median    p90    max   | run cmd median  wall/experiment  rss MB');
for (const r of rows) {
  console.log(
    `${String(r.history).padStart(7)}  ${r.startupMs.toFixed(0).padStart(8)}  ${r.median.toFixed(0).padStart(6)}  ${r.p90.toFixed(0).padStart(5)}  ${r.max.toFixed(0).padStart(5)}   | ${r.trainerMedian.toFixed(0).padStart(14)}  ${r.wallPer.toFixed(0).padStart(15)}  ${r.rssMb.toFixed(0).padStart(6)}`,
  );
}
for (const r of rows) {
  console.log(`\nwhere the time goes at ${r.history} prior experiments (per experiment; processes are wall time, files include their fsync):`);
  let total = 0;
  for (const b of r.breakdown) {
    total += b.ms;
    console.log(`  ${b.label.padEnd(22)} ${b.perExperiment.toFixed(1).padStart(5)} ×  ${b.ms.toFixed(1).padStart(6)} ms`);
  }
  console.log(`  ${'in-process (the rest)'.padEnd(22)}          ${Math.max(0, r.median - total).toFixed(1).padStart(6)} ms  (median minus the above)`);
  if (r.timeline.length) console.log(`\none experiment at ${r.history} prior, from its start to the next one's (spans overlap where they ran at once):\n${r.timeline.join('\n')}`);
}
const ok = rows.every((r) => r.median <= TARGET_MS);
const growth = rows[1]!.median - rows[0]!.median;
console.log(`\ntarget median ≤ ${TARGET_MS} ms: ${ok ? 'met' : 'NOT met'}; growth from 0 to ${HISTORY.toLocaleString('en')} prior experiments: ${growth >= 0 ? '+' : ''}${growth.toFixed(0)} ms`);
if (sandbox.mode !== 'bwrap' && sandbox.mode !== 'seatbelt') console.log(`note: measured without the sandbox (${sandbox.mode}); users with bubblewrap pay its set-up too`);
