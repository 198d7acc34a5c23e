// Runs through an SSH slot end to end, against a real sshd on 127.0.0.1 (test/helpers/ssh-server.ts) whose
// "remote" folder is another temp dir: the demo through the CLI, a hung trainer killed at its timeout, kill -9 of
// the CLI while a job runs on the host, and a run mixing a local slot and an SSH slot. Nothing of ssh is mocked.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli, spawnCli } from '../helpers/cli.js';
import { pidRunning, waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, scoredProject, tempDir } from '../helpers/project.js';
import { sshAvailability, startSshServer, type SshServer } from '../helpers/ssh-server.js';
import { trustForTest } from '../helpers/trust.js';

const available = sshAvailability();
if (!available.ok && process.env.CI === 'true') throw new Error(`SSH tests must run under CI: ${available.reason}`);

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

/** Live pids whose environment holds exactly `entry`: on this test's "host" (this machine), what is left of a run. */
function pidsCarrying(entry: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(entry) && pidRunning(Number(name))) out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

describe.skipIf(!available.ok)(`runs through an SSH slot${available.ok ? '' : ` (skipped: ${(available as { reason: string }).reason})`}`, () => {
  let server: SshServer;
  beforeAll(async () => {
    buildCli();
    server = await startSshServer();
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  }, 60_000);

  const hostDir = (name: string) => path.join(server.remoteRoot, name);
  const sshSlot = (name: string) => ({ env: {}, executor: { kind: 'ssh' as const, host: server.host, port: server.port, remoteDir: hostDir(name), linked: {}, options: server.options } });
  const where = () => `ssh:127.0.0.1:${server.port}`;
  /** Nothing of the run is left on the host: no process carries its marker (the run's folder there). */
  const leftOnHost = (name: string, tag: string) => pidsCarrying(`AUTORESEARCH_RUN_DIR=${hostDir(name)}/runs/${tag}`);

  it('the demo runs 3 experiments through an SSH slot: results.tsv, logs and the branch as for a local run', async () => {
    const dir = path.join(tempDir(), 'demo');
    expect((await runCli(['demo', dir])).code).toBe(0);
    const cfgFile = path.join(dir, '.autoresearch', 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    cfg.budget.seconds = 3;
    cfg.acceptance = { ...cfg.acceptance, rule: 'classic', baselineRuns: 1, confirmRuns: 0 };
    cfg.slots = [sshSlot('demo-host')];
    writeFileSync(cfgFile, JSON.stringify(cfg, null, 2));
    trustForTest(dir); // the test wrote these commands

    const run = await runCli(['run', dir, '--tag', 'ss', '--max-experiments', '3'], { timeoutMs: 300_000 });
    expect(run.stderr).not.toMatch(/Error:/);
    expect(run.code).toBe(0);
    const paths = runPaths(dir, 'ss');
    const rows = readFileSync(paths.results, 'utf8').trimEnd().split('\n');
    expect(rows[0]).toBe('commit\tval_bpb\tmemory_gb\tstatus\tdescription');
    expect(rows).toHaveLength(5);
    const rec = await readRunRecord(dir, 'ss');
    expect([...rec.experiments.keys()]).toEqual([0, 1, 2, 3]);
    for (const e of rec.experiments.values()) {
      expect(['keep', 'discard']).toContain(e.status);
      expect(e.metric).not.toBeNull();
      expect(e.where).toBe(where());
      // The host's output, kept in the run's own log, is where the metric was read from.
      expect(readFileSync(paths.abs(e.logPath!), 'utf8')).toMatch(/^val_bpb:\s+\d/m);
    }
    expect(git(dir, 'rev-parse', 'autoresearch/ss').trim()).toBe(rec.bestCommit);
    // The commits reached the host through its bare repository; the user's checkout never moved.
    expect(git(hostDir('demo-host') + '/repo.git', 'cat-file', '-t', rec.bestCommit!).trim()).toBe('commit');
    expect(git(dir, 'symbolic-ref', '--short', 'HEAD').trim()).toBe('main');
    const starts = readFileSync(paths.journal, 'utf8').split('\n').filter((l) => l.includes('"type":"process-start"'));
    expect(starts.length).toBeGreaterThanOrEqual(4);
    for (const s of starts) expect(JSON.parse(s)).toMatchObject({ pgid: 0, remote: { kind: 'ssh', slot: 0, handle: expect.stringMatching(new RegExp(`^${server.host}:${server.port}:\\d+:/`)) } });
    expect([...rec.openProcesses.values()]).toEqual([]);
    expect(leftOnHost('demo-host', 'ss')).toEqual([]);
  }, 360_000);

  it('a hung trainer is killed at its timeout: recorded as timeout, no process left on the host (the setsid child too)', async () => {
    const scratch = tempDir();
    const pids = path.join(scratch, 'pids');
    const { dir } = scoredProject(
      { run: { command: `"${process.execPath}" train.mjs`, env: { HANG: '1', PIDS_FILE: pids } }, budget: { seconds: 2, timeoutSeconds: 4, graceSeconds: 1 }, slots: [sshSlot('hung-host')] } as never,
      { 'train.mjs': TRAINER },
    );
    const run = await runCli(['run', dir, '--tag', 'h', '--max-experiments', '1'], { timeoutMs: 120_000 });
    expect(run.code).not.toBeNull();
    const rec = await readRunRecord(dir, 'h');
    const baseline = rec.experiments.get(0)!;
    expect(baseline.status).toBe('timeout');
    expect(baseline.error).toMatch(/Killed after the 4 s timeout/);
    const started = pidsIn(pids);
    expect(started).toHaveLength(2);
    for (const pid of started) expect(pidRunning(pid)).toBe(false);
    expect(leftOnHost('hung-host', 'h')).toEqual([]);
  }, 180_000);

  it('kill -9 of `autoresearch run` while a job runs on the host: the next `run --tag` ends it there, records it, and leaves nothing running', async () => {
    const scratch = tempDir();
    const pids = path.join(scratch, 'pids');
    // A long timeout: what ends the orphan must be the resume, not the host's own watchdog.
    const budget = { seconds: 60, timeoutSeconds: 600, graceSeconds: 1 };
    const { dir } = scoredProject(
      { run: { command: `"${process.execPath}" train.mjs`, env: { PIDS_FILE: pids, RELEASE_FILE: path.join(scratch, 'never') } }, budget, slots: [sshSlot('kill-host')], acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } } as never,
      { 'train.mjs': TRAINER },
    );
    const first = spawnCli(['run', dir, '--tag', 'k', '--max-experiments', '2']);
    const journal = runPaths(dir, 'k').journal;
    expect(await waitUntil(() => existsSync(journal) && /"remote":\{"kind":"ssh"/.test(readFileSync(journal, 'utf8')), 60_000, 100)).toBe(true);
    expect(await waitUntil(() => pidsIn(pids).length === 2, 60_000, 100)).toBe(true);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('close', r));
    // The job outlives the app: it runs detached on the host, not as a child of the CLI or of its ssh. Nothing
    // must happen here, so a bounded wait (for a hang-up to reach the job, were it tied to the session); the
    // job's pids still running and its files still on the host are the positive signal.
    await new Promise((r) => setTimeout(r, 1000));
    for (const pid of pidsIn(pids)) expect(pidRunning(pid)).toBe(true);
    expect(leftOnHost('kill-host', 'k').length).toBeGreaterThan(0);

    // The next session's trainer is released at once (the config is read again at the resume).
    const cfgFile = path.join(dir, '.autoresearch', 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    cfg.run.env = { RELEASE_FILE: path.join(scratch, 'go') };
    writeFileSync(cfgFile, JSON.stringify(cfg, null, 2));
    trustForTest(dir); // the test wrote these commands
    writeFileSync(path.join(scratch, 'go'), '');
    const second = await runCli(['run', dir, '--tag', 'k', '--max-experiments', '1'], { timeoutMs: 180_000 });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/Resuming run k/);
    for (const pid of pidsIn(pids)) expect(pidRunning(pid)).toBe(false);
    expect(leftOnHost('kill-host', 'k')).toEqual([]);
    const text = readFileSync(journal, 'utf8');
    expect(text).toMatch(/Ended \d+ process\(es\) the stopped app left running on /);
    expect(text).toMatch(/"status":"interrupted"/);
    const rec = await readRunRecord(dir, 'k');
    expect(rec.experiments.get(0)!.status).toBe('keep');
    expect([...rec.openProcesses.values()]).toEqual([]);
  }, 300_000);

  it('a host that cannot be reached stops the run at its start with one line saying what to check', async () => {
    const slot = sshSlot('unreachable');
    const { dir } = scoredProject({ slots: [{ ...slot, executor: { ...slot.executor, port: 1 } }] } as never);
    const run = await runCli(['run', dir, '--tag', 'u', '--max-experiments', '1'], { timeoutMs: 120_000 });
    expect(run.code).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(/Could not reach \S+@127\.0\.0\.1 \(port 1\) while preparing .*Connection refused\. Check the host name, the port and that sshd runs there\./);
    const rec = await readRunRecord(dir, 'u');
    expect(rec.experiments.size).toBe(0);
  }, 120_000);

  it('one local slot and one SSH slot: one journal, one branch, and each experiment records where it ran', async () => {
    const { dir } = scoredProject({ slots: [{ env: {} }, sshSlot('mixed-host')], acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } } as never);
    const run = await runCli(['run', dir, '--tag', 'mix', '--max-experiments', '6'], { timeoutMs: 300_000 });
    expect(run.stderr).not.toMatch(/Error:/);
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const paths = runPaths(dir, 'mix');
    expect(readdirSync(paths.dir).filter((f) => f.endsWith('.jsonl'))).toEqual(['journal.jsonl']);
    const rec = await readRunRecord(dir, 'mix');
    const all = [...rec.experiments.values()];
    expect(all).toHaveLength(7);
    const bySlot = (slot: number) => all.filter((e) => e.slot === slot);
    expect(bySlot(0).length).toBeGreaterThan(0);
    expect(bySlot(1).length).toBeGreaterThan(0);
    for (const e of bySlot(0)) expect(e.where).toBe('local');
    for (const e of bySlot(1)) expect(e.where).toBe(where());
    // One branch, at the best kept commit, whichever slot measured it; the keeps only ever improved.
    expect(git(dir, 'rev-parse', 'autoresearch/mix').trim()).toBe(rec.bestCommit);
    expect(rec.best).toBeLessThan(rec.experiments.get(0)!.metric!);
    for (const k of all.filter((e) => e.status === 'keep' && e.kind === 'candidate')) expect(k.metric!).toBeLessThan(k.bestBefore!);
    expect(readFileSync(paths.results, 'utf8').trimEnd().split('\n')).toHaveLength(8);
    expect(leftOnHost('mixed-host', 'mix')).toEqual([]);
  }, 360_000);
});
