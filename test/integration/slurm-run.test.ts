// Runs through a Slurm slot end to end, on a real single-node cluster (test/helpers/slurm-cluster.ts): the
// demo through the CLI, a hung trainer killed at its timeout, kill -9 of the CLI while a job runs, and
// queue time that is shown and not charged. No part of Slurm is mocked.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LiveSlot } from '../../src/shared/api.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { auditRun } from '../../src/core/loop/audit-run.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { createEnvSecretStore, createStudio } from '../../src/core/studio/index.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli, spawnCli } from '../helpers/cli.js';
import { pidRunning, waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, REPO_ROOT, scoredProject, tempDir } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';
import { ensureSlurm, startSlurmCluster, type SlurmCluster } from '../helpers/slurm-cluster.js';
import { linkTestTrust, trustForTest } from '../helpers/trust.js';

const slurm = await ensureSlurm();

/**
 * A trainer that records its pid and that of a `setsid` child (which escapes its process group), ignores
 * SIGTERM when HANG is set, and otherwise waits for RELEASE_FILE before printing its metric.
 */
const TRAINER = `import { appendFileSync, existsSync } from 'node:fs';
import { spawn } from 'node:child_process';
const LEARNING_RATE = 0.01;
if (process.env.PIDS_FILE) {
  const child = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
  child.unref();
  appendFileSync(process.env.PIDS_FILE, process.pid + '\\n' + child.pid + '\\n');
}
if (process.env.HANG) { process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); }
else {
  while (process.env.RELEASE_FILE && !existsSync(process.env.RELEASE_FILE)) await new Promise((r) => setTimeout(r, 50));
  console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
}
`;

const pidsIn = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(Number) : []);

describe.skipIf(!slurm.ok)(`runs through a Slurm slot${slurm.ok ? '' : ` (skipped: ${slurm.reason})`}`, () => {
  let cluster: SlurmCluster;
  beforeAll(async () => {
    buildCli();
    cluster = await startSlurmCluster();
  }, 180_000);
  afterAll(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  }, 60_000);

  const slurmSlot = () => ({ env: {}, executor: { kind: 'slurm' as const, partition: cluster.partition, gpus: 0, extraArgs: [] } });

  it('the demo runs 3 experiments through a Slurm slot: results.tsv, logs and the branch as for a local run', async () => {
    const dir = path.join(tempDir(), 'demo');
    expect((await runCli(['demo', dir])).code).toBe(0);
    const cfgFile = path.join(dir, '.autoresearch', 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    cfg.budget.seconds = 3;
    cfg.acceptance = { ...cfg.acceptance, rule: 'classic', baselineRuns: 1, confirmRuns: 0 };
    cfg.slots = [slurmSlot()];
    writeFileSync(cfgFile, JSON.stringify(cfg, null, 2));
    trustForTest(dir); // the test wrote these commands

    const run = await runCli(['run', dir, '--tag', 'sl', '--max-experiments', '3'], { env: cluster.env, timeoutMs: 240_000 });
    expect(run.stderr).not.toMatch(/Error:/);
    expect(run.code).toBe(0);
    const paths = runPaths(dir, 'sl');
    const rows = readFileSync(paths.results, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('commit\tval_bpb\tmemory_gb\tstatus\tdescription');
    expect(rows).toHaveLength(5);
    const rec = await readRunRecord(dir, 'sl');
    expect([...rec.experiments.keys()]).toEqual([0, 1, 2, 3]);
    for (const e of rec.experiments.values()) {
      expect(['keep', 'discard']).toContain(e.status);
      expect(e.metric).not.toBeNull();
      // The job's output, copied into the run's own log, is where the metric was read from.
      expect(readFileSync(paths.abs(e.logPath!), 'utf8')).toMatch(/val_bpb:\s+\d/);
    }
    expect(git(dir, 'rev-parse', 'autoresearch/sl').trim()).toBe(rec.bestCommit);
    // Every command ran as a Slurm job, journaled with its job id, and every one was recorded as ended.
    const starts = readFileSync(paths.journal, 'utf8').split('\n').filter((l) => l.includes('"type":"process-start"'));
    expect(starts.length).toBeGreaterThanOrEqual(4);
    for (const s of starts) expect(JSON.parse(s).remote).toMatchObject({ kind: 'slurm', slot: 0, handle: expect.stringMatching(/^\d+$/) });
    expect([...rec.openProcesses.values()]).toEqual([]);
    expect(await cluster.activeJobs()).toEqual([]);
  }, 300_000);

  it('a hung trainer is killed at its timeout: recorded as timeout, no job in squeue, no process left (the setsid child too)', async () => {
    const { dir } = scoredProject({ budget: { seconds: 3, timeoutSeconds: 8, graceSeconds: 1 }, slots: [slurmSlot()] } as never, { 'train.mjs': TRAINER });
    const pids = path.join(tempDir(), 'pids');
    const run = await runCli(['run', dir, '--tag', 'h', '--max-experiments', '1'], { env: { ...cluster.env, HANG: '1', PIDS_FILE: pids }, timeoutMs: 120_000 });
    expect(run.code).not.toBeNull();
    const rec = await readRunRecord(dir, 'h');
    const baseline = rec.experiments.get(0)!;
    expect(baseline.status).toBe('timeout');
    const started = pidsIn(pids);
    expect(started).toHaveLength(2);
    for (const pid of started) expect(pidRunning(pid)).toBe(false);
    expect(await cluster.activeJobs()).toEqual([]);
  }, 180_000);

  it('kill -9 of `autoresearch run` while a Slurm job runs: the next `run --tag` cancels the job, records it, and leaves nothing running', async () => {
    const { dir } = scoredProject({ slots: [slurmSlot()] } as never, { 'train.mjs': TRAINER });
    const scratch = tempDir();
    const pids = path.join(scratch, 'pids');
    // The first run's trainer waits for a file that never comes: only a kill ends it.
    const first = spawnCli(['run', dir, '--tag', 'k', '--max-experiments', '2'], { env: { ...cluster.env, PIDS_FILE: pids, RELEASE_FILE: path.join(scratch, 'never') } });
    const journal = runPaths(dir, 'k').journal;
    expect(await waitUntil(() => existsSync(journal) && /"remote":\{"kind":"slurm"/.test(readFileSync(journal, 'utf8')), 60_000, 100)).toBe(true);
    expect(await waitUntil(() => pidsIn(pids).length === 2, 60_000, 100)).toBe(true);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('close', r));
    const jobId = /"remote":\{"kind":"slurm","slot":0,"handle":"(\d+)"\}/.exec(readFileSync(journal, 'utf8'))![1]!;
    // The job outlives the app: it is Slurm's, not a child of the CLI.
    expect(await cluster.activeJobs()).toContain(jobId);
    for (const pid of pidsIn(pids)) expect(pidRunning(pid)).toBe(true);

    writeFileSync(path.join(scratch, 'go'), '');
    const second = await runCli(['run', dir, '--tag', 'k', '--max-experiments', '1'], { env: { ...cluster.env, RELEASE_FILE: path.join(scratch, 'go') }, timeoutMs: 120_000 });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Resuming run k/);
    expect(await cluster.activeJobs()).toEqual([]);
    for (const pid of pidsIn(pids)) expect(pidRunning(pid)).toBe(false);
    const text = readFileSync(journal, 'utf8');
    expect(text).toContain(`Slurm job ${jobId} was still running when the run resumed; it has been cancelled.`);
    const rec = await readRunRecord(dir, 'k');
    expect(text).toMatch(/"status":"interrupted"/);
    expect(rec.experiments.get(0)!.status).toBe('keep');
    expect([...rec.openProcesses.values()]).toEqual([]);
  }, 240_000);

  it('the app following a run started in a terminal shows its job queued in Slurm, then running', async () => {
    const { dir } = scoredProject({ slots: [slurmSlot()], acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } } as never, { 'train.mjs': TRAINER });
    const scratch = tempDir();
    const blocker = (await cluster.tool('sbatch', ['--parsable', '--exclusive', `--partition=${cluster.partition}`, `--output=${scratch}/blocker.out`, '--wrap', 'sleep 600'])).trim();
    expect(await waitUntil(async () => !(await cluster.tool('squeue', ['--noheader', '-j', blocker, '--format=%T'])).includes('PENDING'), 30_000, 200)).toBe(true);
    const cli = spawnCli(['run', dir, '--tag', 'ext', '--max-experiments', '1', '--proposer', 'mutation'], { env: { ...cluster.env, RELEASE_FILE: path.join(scratch, 'go') } });
    const exited = new Promise<number | null>((r) => cli.once('close', r));
    const journal = runPaths(dir, 'ext').journal;
    expect(await waitUntil(() => existsSync(journal) && /"remote":\{"kind":"slurm"/.test(readFileSync(journal, 'utf8')), 60_000, 100)).toBe(true);
    const studio = await createStudio({ app: { version: 'test', host: 'serve', platform: process.platform }, dataDir: linkTestTrust(tempDir('ar-data-')), appRoot: REPO_ROOT, secrets: createEnvSecretStore({}), env: cluster.env });
    try {
      const slots: LiveSlot[] = [];
      studio.onEvent((e) => {
        if (e.type === 'live' && e.live?.tag === 'ext') slots.push(e.live.slots[0]!);
      });
      await studio.api.openProject({ dir });
      expect(await waitUntil(() => slots.some((s) => s.phase === 'waiting'), 30_000, 100)).toBe(true);
      expect(slots.find((s) => s.phase === 'waiting')!.waitingReason).toMatch(/^queued in Slurm \(PENDING, (Resources|Priority|None)\)$/);
      await cluster.tool('scancel', [blocker]);
      expect(await waitUntil(() => slots.at(-1)!.phase === 'running' && slots.at(-1)!.waitingReason === null, 30_000, 100)).toBe(true);
      writeFileSync(path.join(scratch, 'go'), '');
      expect(await exited).toBe(0);
    } finally {
      await studio.dispose();
    }
    expect(await cluster.activeJobs()).toEqual([]);
  }, 120_000);

  it('the audit of a run with a Slurm slot runs its commands as Slurm jobs too', async () => {
    const { dir } = scoredProject({ slots: [slurmSlot()], acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } } as never, { 'train.mjs': TRAINER });
    const handle = await startRun({
      projectDir: dir,
      tag: 'a',
      maxExperiments: 1,
      deps: { env: cluster.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => scriptedProposer([setConst('LEARNING_RATE', '0.08')]) },
    });
    expect((await handle.done).reason).toBe('max-experiments');
    expect((await readRunRecord(dir, 'a')).bestId).toBe(1);
    const before = readFileSync(runPaths(dir, 'a').journal, 'utf8').length;
    const audit = await auditRun({ projectDir: dir, tag: 'a', repeats: 2, env: cluster.env, nodePath: process.execPath });
    expect(audit).toMatchObject({ repeats: 2, failedPairs: 0, baseline: [expect.any(Number), expect.any(Number)], best: [expect.any(Number), expect.any(Number)] });
    expect(audit.improvement).toBeGreaterThan(0);
    const added = readFileSync(runPaths(dir, 'a').journal, 'utf8').slice(before).split('\n').filter((l) => l.includes('"type":"process-start"'));
    expect(added).toHaveLength(4);
    for (const l of added) expect(JSON.parse(l)).toMatchObject({ pgid: 0, remote: { kind: 'slurm', slot: 0 } });
    expect([...(await readRunRecord(dir, 'a')).openProcesses.values()]).toEqual([]);
    expect(await cluster.activeJobs()).toEqual([]);
  }, 120_000);

  it('time queued in Slurm shows on the slot and is not charged: a job pending longer than the timeout still finishes', async () => {
    // The timeout leaves a loaded machine room to start the trainer; the queue wait below is longer than it.
    const { dir } = scoredProject({ budget: { seconds: 4, timeoutSeconds: 8, graceSeconds: 1 }, slots: [slurmSlot()], acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } } as never, { 'train.mjs': TRAINER });
    // A job holding the whole node: the baseline's job waits behind it (PENDING, Resources) until the test lets it go.
    const blocker = (await cluster.tool('sbatch', ['--parsable', '--exclusive', `--partition=${cluster.partition}`, `--output=${dir}/../blocker.out`, '--wrap', 'sleep 600'])).trim();
    expect(await waitUntil(async () => !(await cluster.tool('squeue', ['--noheader', '-j', blocker, '--format=%T'])).includes('PENDING'), 30_000, 200)).toBe(true);
    const seen: LiveSlot[] = [];
    const handle = await startRun({
      projectDir: dir,
      tag: 'q',
      maxExperiments: 0,
      deps: { env: cluster.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => scriptedProposer([setConst('LEARNING_RATE', '0.02')]) },
    });
    handle.subscribe((e) => {
      if (e.kind === 'live') seen.push(e.live.slots[0]!);
    });
    expect(await waitUntil(() => seen.some((s) => s.phase === 'waiting'), 60_000, 50)).toBe(true);
    const waiting = seen.find((s) => s.phase === 'waiting')!;
    expect(waiting.waitingReason).toMatch(/^queued in Slurm \(PENDING, (Resources|Priority|None)\)$/);
    const waitingSince = Date.now();
    // Queued for longer than the whole timeout (8 s): if the queue counted, the job would be killed as it starts.
    // The wait ends when both hold: the timeout has passed since the slot began waiting, and Slurm still lists the
    // baseline's job (as the journal names it) PENDING.
    const jobOf = () => [...handle.record().openProcesses.values()].find((p) => p.remote?.kind === 'slurm')?.remote?.handle;
    const pendingPastTimeout = async () => {
      const jobId = jobOf();
      if (!jobId || Date.now() - waitingSince <= 8_000) return false;
      return (await cluster.tool('squeue', ['--noheader', '--states=all', '-j', jobId, '--format=%T'])).trim() === 'PENDING';
    };
    expect(await waitUntil(pendingPastTimeout, 60_000, 250)).toBe(true);
    await cluster.tool('scancel', [blocker]);
    await handle.done;
    const rec = await readRunRecord(dir, 'q');
    expect(rec.experiments.get(0)!.status).toBe('keep');
    expect(rec.experiments.get(0)!.runs[0]!.durationMs).toBeLessThan(8_000);
    // After the queue the slot ran again, with its phase clock restarted.
    expect(seen.at(-1)!.waitingReason).toBeNull();
    expect(await cluster.activeJobs()).toEqual([]);
  }, 120_000);
});
