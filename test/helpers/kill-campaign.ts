// The kill -9 campaign: the real CLI runs a real project (git, a trainer, a guard command, baseline repeats,
// confirmation runs, one or two slots) and is killed with SIGKILL at seeded points of its journal — between
// any two events, while proposing, committing, training, confirming, guarding or deciding. After each kill,
// `run --tag` resumes the run and stops at once, and the state must be whole: no finished experiment lost
// or changed, no process of the run left in /proc, the branch on the best kept commit, results.tsv equal to
// the journal's fold. At the end the run continues to its limit.
// Shared by test/integration/kill-campaign.test.ts (a few kills, CI) and bench/kill-campaign.ts (100).
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { TEST_TMP } from './project.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { environHas } from '../../src/core/exec/proc-table.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { resultsHeader, resultsRow } from '../../src/core/journal/results-tsv.js';
import { runPaths } from '../../src/core/project/paths.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import type { Experiment } from '../../src/shared/experiment.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import { trustForTest } from './trust.js';

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = path.join(REPO_ROOT, 'bin', 'autoresearch.mjs');
const TAG = 'campaign';

export interface CampaignOptions {
  readonly kills: number;
  readonly seed: number;
  /** How long each trainer run sleeps (ms): long enough for kills to land inside it. */
  readonly trainerMs?: number;
  readonly log?: (line: string) => void;
}

export interface CampaignResult {
  readonly kills: number;
  /** Kill points by phase (what the journal shows was going on when the process died). */
  readonly tally: Record<string, number>;
  /** Every broken invariant, with the kill it followed; empty when the campaign passed. */
  readonly failures: string[];
  readonly experiments: number;
  readonly finalStop: string | null;
  readonly wallMs: number;
}

/** mulberry32: a small seeded generator, so a failing campaign can be replayed with its seed. */
function seeded(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** The metric is a known function of the constants; the sleep gives kills a trainer to land in. */
const TRAINER = `const LEARNING_RATE = 0.01;
const HIDDEN = 32;
const WARMUP = 3;
await new Promise((r) => setTimeout(r, Number(process.env.CAMPAIGN_TRAINER_MS ?? 100)));
const loss = 1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1 + Math.abs(HIDDEN - 40) * 0.001 + Math.abs(WARMUP - 5) * 0.004;
console.log('val_bpb: ' + loss.toFixed(6));
`;

function makeProject(): string {
  const dir = mkdtempSync(path.join(TEST_TMP, 'ar-campaign-'));
  writeFileSync(path.join(dir, 'train.mjs'), TRAINER);
  writeFileSync(path.join(dir, 'prepare.mjs'), '// evaluator: protected\nexport const EVAL = 1;\n');
  writeFileSync(path.join(dir, 'program.md'), '# program\nImprove val_bpb.\n');
  mkdirSync(path.join(dir, '.autoresearch'));
  const node = JSON.stringify(process.execPath);
  const config = ProjectConfigSchema.parse({
    run: { command: `${node} train.mjs` },
    files: { editable: ['train.mjs'], protected: ['prepare.mjs'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 5, timeoutSeconds: 30, graceSeconds: 1 },
    // Two baseline runs, a confirmation run for narrow wins and a guard command: every step a kill can hit.
    acceptance: {
      minImprovementMode: 'relative',
      minImprovement: 0.004,
      baselineRuns: 2,
      confirmRuns: 1,
      guardCommand: `${node} -e "setTimeout(() => {}, 80)"`,
      guardTimeoutSeconds: 30,
    },
    stop: { maxConsecutiveFailures: 1000 },
  });
  writeFileSync(path.join(dir, '.autoresearch', 'config.json'), JSON.stringify(config, null, 2));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Campaign');
  git(dir, 'config', 'user.email', 'campaign@example.com');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  trustForTest(dir); // the campaign wrote these commands
  return dir;
}

function journalLines(dir: string): string[] {
  const file = runPaths(dir, TAG).journal;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '');
}

function parseEvents(lines: readonly string[]): JournalEvent[] {
  const out: JournalEvent[] = [];
  for (const l of lines) {
    try {
      out.push(JSON.parse(l) as JournalEvent);
    } catch {
      // A torn last line: what a kill mid-write leaves.
    }
  }
  return out;
}

/** What was going on when the process died, from the last event it journaled. */
function phaseAt(events: readonly JournalEvent[]): string {
  const last = events.at(-1);
  if (!last) return 'starting';
  switch (last.type) {
    case 'run-start':
    case 'run-resume':
      return 'starting (worktrees, setup)';
    case 'experiment-start':
      return last.experiment.id === 0 ? 'baseline: starting' : 'proposing';
    case 'experiment-proposed':
      return last.commit ? 'committed, before the trainer' : 'rejected, before recording';
    case 'best-remeasured':
      return 'best measured again, before the decision';
    case 'process-start': {
      if (last.what === 'guard') return 'guard command running';
      // A process of an experiment already kept: the noise-aware rule measuring the best again.
      if (events.some((e) => e.type === 'experiment-end' && e.experiment.id === last.id && e.experiment.status === 'keep')) return 'the best measured again';
      const runs = events.filter((e) => e.type === 'process-start' && e.id === last.id && e.what === 'run').length;
      if (last.id === 0) return runs > 1 ? 'baseline: repeat run' : 'baseline: trainer running';
      return runs > 1 ? 'confirmation run' : 'trainer running';
    }
    case 'process-end':
      return last.id === 0 ? 'baseline: between runs' : 'deciding (after a run or the guard)';
    case 'noise-floor':
      return 'baseline: noise floor recorded';
    case 'experiment-end':
      return last.experiment.status === 'keep' ? 'keep recorded, before the branch moved' : 'between experiments';
    case 'best':
      return 'branch moved, before the next experiment';
    case 'run-stop':
      return 'stopping';
    default:
      return `after a ${last.type} event`;
  }
}

/** Processes that carry the run's marker: after a resume has repaired the run, there must be none. */
function markedProcesses(runDir: string): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => pid !== process.pid && environHas(pid, 'AUTORESEARCH_RUN_DIR', runDir));
}

function runCli(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

const finishedOnes = (experiments: Iterable<Experiment>) =>
  // An interrupted baseline is measured again under id 0 by design; every other finished record is final.
  [...experiments].filter((e) => e.status !== 'running' && !(e.id === 0 && e.status === 'interrupted'));

export async function runKillCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const started = Date.now();
  const log = opts.log ?? (() => undefined);
  const rand = seeded(opts.seed);
  const dir = makeProject();
  const runDir = runPaths(dir, TAG).dir;
  const env = { CAMPAIGN_TRAINER_MS: String(opts.trainerMs ?? 100) };
  const tally: Record<string, number> = {};
  const failures: string[] = [];
  const seen = new Map<number, string>();
  let kills = 0;
  try {
    for (let i = 0; i < opts.kills; i++) {
      const slots = i % 3 === 2 ? 2 : 1;
      const before = journalLines(dir).length;
      // The first kills land early (in the baseline and its repeats); later ones anywhere in the cycle.
      const wantEvents = 1 + Math.floor(rand() * (i < 3 ? 6 : 12));
      const extraMs = Math.floor(rand() * 150);
      const victim = spawn(process.execPath, [CLI, 'run', dir, '--tag', TAG, '--max-experiments', '100000', '--slots', String(slots)], {
        env: { ...process.env, ...env },
        stdio: 'ignore',
      });
      const closed = new Promise<number | null>((r) => victim.once('close', r));
      let exited = false;
      void closed.then(() => (exited = true));
      const deadline = Date.now() + 120_000;
      while (!exited && journalLines(dir).length < before + wantEvents && Date.now() < deadline) await sleep(5);
      if (!exited) await sleep(extraMs);
      if (exited) {
        failures.push(`kill ${i + 1}: the run exited (code ${await closed}) before its kill point`);
        continue;
      }
      victim.kill('SIGKILL');
      await closed;
      kills += 1;
      const phase = `${phaseAt(parseEvents(journalLines(dir)))}${slots === 2 ? ' [2 slots]' : ''}`;
      tally[phase] = (tally[phase] ?? 0) + 1;

      // Resume and stop at once (the limit is what is already done): repairs the run, then the state is still.
      const afterKill = await readRunRecord(dir, TAG);
      const done = [...afterKill.experiments.values()].filter((e) => e.kind === 'candidate' && e.status !== 'running' && e.status !== 'interrupted').length;
      const resume = await runCli(['run', dir, '--tag', TAG, '--max-experiments', String(Math.max(1, done))], env);
      const where = `kill ${i + 1} (${phase}, seed ${opts.seed})`;
      if (resume.code !== 0) failures.push(`${where}: run --tag exited ${resume.code}: ${resume.stderr.trim().split('\n').slice(-3).join(' | ')}`);
      failures.push(...(await checkRun(dir, runDir, seen)).map((f) => `${where}: ${f}`));
      log(`kill ${String(i + 1).padStart(3)}: ${phase}`);
    }

    // Finally the run continues to its limit, undisturbed.
    const rec = await readRunRecord(dir, TAG);
    const done = [...rec.experiments.values()].filter((e) => e.kind === 'candidate' && e.status !== 'running' && e.status !== 'interrupted').length;
    const last = await runCli(['run', dir, '--tag', TAG, '--max-experiments', String(done + 3), '--slots', '2'], env);
    if (last.code !== 0) failures.push(`final run exited ${last.code}: ${last.stderr.trim().split('\n').slice(-3).join(' | ')}`);
    failures.push(...(await checkRun(dir, runDir, seen)).map((f) => `final run: ${f}`));
    const final = await readRunRecord(dir, TAG);
    const candidates = [...final.experiments.values()].filter((e) => e.kind === 'candidate' && e.status !== 'interrupted').length;
    if (final.stopReason !== 'max-experiments' || candidates !== done + 3) {
      failures.push(`final run: stopped with ${final.stopReason} after ${candidates} candidates, expected max-experiments at ${done + 3}`);
    }
    return { kills, tally, failures, experiments: final.experiments.size, finalStop: final.stopReason, wallMs: Date.now() - started };
  } finally {
    for (const pid of markedProcesses(runDir)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The invariants that must hold once a resume has repaired the run. `seen` carries finished records across checks. */
async function checkRun(dir: string, runDir: string, seen: Map<number, string>): Promise<string[]> {
  const problems: string[] = [];
  const rec = await readRunRecord(dir, TAG);
  const experiments = [...rec.experiments.values()];

  for (const [id, before] of seen) {
    const now = rec.experiments.get(id);
    if (!now) problems.push(`finished experiment #${id} is gone`);
    else if (!sameOrRemeasured(JSON.parse(before) as Experiment, now)) problems.push(`finished experiment #${id} changed: ${before} → ${JSON.stringify(now)}`);
  }
  for (const e of finishedOnes(experiments)) seen.set(e.id, JSON.stringify(e));

  const left = markedProcesses(runDir);
  if (left.length) problems.push(`processes of the run are still alive: ${left.join(', ')}`);
  if (rec.openProcesses.size) problems.push(`process groups never recorded as ended: ${[...rec.openProcesses.keys()].join(', ')}`);
  const running = experiments.filter((e) => e.status === 'running').map((e) => e.id);
  if (running.length) problems.push(`experiments still marked running: ${running.join(', ')}`);

  const branch = git(dir, 'rev-parse', `refs/heads/autoresearch/${TAG}`);
  if (rec.bestId === null || rec.bestCommit === null) {
    if (branch !== rec.startCommit) problems.push(`no best yet, but the branch is at ${branch}, not the start commit`);
  } else {
    const best = rec.experiments.get(rec.bestId);
    if (branch !== rec.bestCommit) problems.push(`the branch is at ${branch.slice(0, 7)}, the best kept commit is ${rec.bestCommit.slice(0, 7)}`);
    if (!best || best.status !== 'keep' || best.commit !== rec.bestCommit) problems.push(`the best (#${rec.bestId}) is not a kept experiment with that commit`);
    if (best && rec.best !== best.metric) problems.push(`the best ${rec.best} is not the metric of #${rec.bestId} (${best.metric})`);
  }

  const tsv = readFileSync(runPaths(dir, TAG).results, 'utf8');
  const expected = experiments.filter((e) => e.status !== 'running').map((e) => resultsRow(e, rec.config.metric));
  const lines = tsv.split(/(?<=\n)/);
  // Rows are appended in the order experiments finish (with 2 slots, not id order): compare as sets of lines.
  if (lines[0] !== resultsHeader(rec.config.metric) || JSON.stringify(lines.slice(1).sort()) !== JSON.stringify(expected.sort())) {
    problems.push(`results.tsv (${lines.length - 1} rows) differs from the journal's fold (${expected.length} rows)`);
  }
  return problems;
}

/**
 * A finished record never changes, with one exception by design: the noise-aware rule measures the best
 * again, which adds runs to it (its metric becomes their mean). Everything else must be identical.
 */
function sameOrRemeasured(before: Experiment, now: Experiment): boolean {
  if (JSON.stringify(before) === JSON.stringify(now)) return true;
  if (before.status !== 'keep' || now.runs.length <= before.runs.length) return false;
  if (JSON.stringify(now.runs.slice(0, before.runs.length)) !== JSON.stringify(before.runs)) return false;
  const strip = (e: Experiment) => JSON.stringify({ ...e, runs: [], metric: null, timings: { ...e.timings, trainingMs: null } });
  return strip(before) === strip(now);
}

/** "trainer running: 12, proposing: 9, …" sorted by count. */
export function formatTally(tally: Record<string, number>): string {
  return Object.entries(tally)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([phase, n]) => `  ${String(n).padStart(4)}  ${phase}`)
    .join('\n');
}
