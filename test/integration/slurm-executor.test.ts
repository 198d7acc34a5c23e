// The Slurm executor against a real single-node cluster (test/helpers/slurm-cluster.ts): sbatch, squeue,
// scancel and the job's output file on the shared (here: the same) file system. No part of Slurm is mocked.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutorJob } from '../../src/core/exec/executor.js';
import { createSlurmExecutor, slurmDir } from '../../src/core/exec/slurm-executor.js';
import { environHas, isRunning, listProcesses } from '../../src/core/exec/proc-table.js';
import { ensureSlurm, startSlurmCluster, type SlurmCluster } from '../helpers/slurm-cluster.js';
import { tempDir, cleanupTempDirs } from '../helpers/project.js';
import { waitUntil } from '../helpers/processes.js';

const slurm = await ensureSlurm();

/** Pids of live processes whose environment carries MARK=<mark> (read from /proc, as root sees every process). */
function processesWithMark(mark: string): number[] {
  const out: number[] = [];
  for (const p of listProcesses()) if (isRunning(p) && environHas(p.pid, 'TEST_MARK', mark)) out.push(p.pid);
  return out;
}

/**
 * The state Slurm keeps for a finished job: the controller's (squeue lists an ended job for MinJobAge), and
 * sacct's too where the cluster has accounting (the test cluster has none: sacct answers that it is disabled).
 */
async function finalState(cluster: SlurmCluster, jobId: string): Promise<string> {
  const state = (await cluster.tool('squeue', ['--noheader', '--states=all', '-j', jobId, '--format=%T'])).trim();
  const acct = await cluster.tool('sacct', ['--noheader', '--parsable2', '--allocations', '-j', jobId, '--format=State']).catch(() => '');
  const recorded = acct.split('\n')[0]?.trim();
  if (recorded) expect(recorded.split(' ')[0]).toBe(state);
  return state;
}

describe.skipIf(!slurm.ok)(`the Slurm executor on a real cluster${slurm.ok ? '' : ` (skipped: ${slurm.reason})`}`, () => {
  let cluster: SlurmCluster;
  let root: string;
  beforeAll(async () => {
    cluster = await startSlurmCluster();
    root = tempDir('ar-slurm-exec-');
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
    cleanupTempDirs();
  }, 60_000);

  const executor = (settings: Partial<{ partition: string; extraArgs: string[] }> = {}) =>
    createSlurmExecutor({ projectDir: root, linked: [], env: cluster.env, slot: 2, settings: { kind: 'slurm', gpus: 0, extraArgs: [], partition: cluster.partition, ...settings }, pollMs: 250 });

  const job = (command: string, extra: Partial<ExecutorJob> = {}): ExecutorJob & { mark: string; runDir: string } => {
    const mark = randomUUID();
    const runDir = path.join(root, 'runs', mark);
    mkdirSync(runDir, { recursive: true });
    return {
      mark,
      runDir,
      command,
      cwd: root,
      env: { ...cluster.env, TEST_MARK: mark, AUTORESEARCH_RUN_DIR: runDir },
      logFile: path.join(runDir, 'logs', '1.log'),
      logMaxBytes: 1024 * 1024,
      timeoutMs: 60_000,
      graceMs: 1_000,
      ...extra,
    };
  };

  it('runs a command as a batch job: output streamed into the log, exit status read back, job id journaled, job files removed', async () => {
    const j = job(`echo "val_bpb: 1.25"; echo "to stderr" >&2; pwd; exit 3`);
    const refs: unknown[] = [];
    let streamed = '';
    const r = await executor().run({ ...j, onStart: (ref) => void refs.push(ref), onOutput: (t) => (streamed += t) });
    expect(r.spawnError).toBeNull();
    expect(r.exitCode).toBe(3);
    expect(r.timedOut).toBe(false);
    expect(refs).toHaveLength(1);
    expect(refs[0]).toMatchObject({ pid: 0, pgid: 0, remote: { kind: 'slurm', slot: 2 } });
    const jobId = (refs[0] as { remote: { handle: string } }).remote.handle;
    expect(jobId).toMatch(/^\d+$/);
    const log = readFileSync(j.logFile, 'utf8');
    expect(log).toContain('val_bpb: 1.25');
    expect(log).toContain('to stderr');
    expect(log).toContain(root);
    expect(streamed).toBe(log);
    expect(r.tail).toContain('val_bpb: 1.25');
    expect(readdirSync(slurmDir(j.runDir))).toEqual([]);
    expect(await cluster.activeJobs()).not.toContain(jobId);
  });

  it('the app\'s Node path reaches the job only where it exists on the node (else the command\'s fallback applies)', async () => {
    const here = job('echo "node=${AUTORESEARCH_NODE:-unset}"', {});
    const there = job('echo "node=${AUTORESEARCH_NODE:-unset} electron=${ELECTRON_RUN_AS_NODE:-unset}"', {});
    const r1 = await executor().run({ ...here, env: { ...here.env, AUTORESEARCH_NODE: process.execPath } });
    const r2 = await executor().run({ ...there, env: { ...there.env, AUTORESEARCH_NODE: '/opt/not-installed-here/app', ELECTRON_RUN_AS_NODE: '1' } });
    expect([r1.exitCode, r2.exitCode]).toEqual([0, 0]);
    expect(readFileSync(here.logFile, 'utf8')).toBe(`node=${process.execPath}\n`);
    expect(readFileSync(there.logFile, 'utf8')).toBe('node=unset electron=unset\n');
  });

  it('kills a hung command at its timeout: scancel, no job left in squeue, no process left', async () => {
    // The trainer ignores SIGTERM and leaves a background child: only a real kill of the whole job ends both.
    const j = job(`trap '' TERM; sleep 300 & echo started; while :; do sleep 1; done`, { timeoutMs: 3_000, graceMs: 1_000 });
    let jobId = '';
    const r = await executor().run({ ...j, onStart: (ref) => void (jobId = ref.remote!.handle) });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.durationMs).toBeGreaterThanOrEqual(3_000);
    expect(readFileSync(j.logFile, 'utf8')).toContain('started');
    expect(await cluster.activeJobs()).not.toContain(jobId);
    expect(processesWithMark(j.mark)).toEqual([]);
    // Stopped by the harness: the cluster's job history says cancelled, not failed.
    expect(await finalState(cluster, jobId)).toBe('CANCELLED');
  });

  it('a stop cancels the running job and says aborted', async () => {
    const j = job(`echo begun; sleep 300`);
    const ctl = new AbortController();
    let jobId = '';
    const running = executor().run({ ...j, signal: ctl.signal, onStart: (ref) => void (jobId = ref.remote!.handle), onOutput: (t) => t.includes('begun') && ctl.abort() });
    const r = await running;
    expect(r.aborted).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(await cluster.activeJobs()).not.toContain(jobId);
    expect(processesWithMark(j.mark)).toEqual([]);
    expect(await finalState(cluster, jobId)).toBe('CANCELLED');
  });

  it('a job that ends by itself with a failing exit is recorded as FAILED (the state check above can tell the two apart)', async () => {
    const j = job(`exit 3`);
    let jobId = '';
    const r = await executor().run({ ...j, onStart: (ref) => void (jobId = ref.remote!.handle) });
    expect(r.exitCode).toBe(3);
    expect(await finalState(cluster, jobId)).toBe('FAILED');
  });

  it('time pending in the queue is shown and not charged: the timeout clock starts when the job runs', async () => {
    // A job holding the whole node keeps ours PENDING (reason Resources) until the test lets it go.
    const blocker = (await cluster.tool('sbatch', ['--parsable', '--exclusive', `--partition=${cluster.partition}`, `--output=${root}/blocker.out`, '--wrap', 'sleep 600'])).trim();
    expect(await waitUntil(async () => (await cluster.tool('squeue', ['--noheader', '-j', blocker, '--format=%T'])).trim() === 'RUNNING', 30_000, 200)).toBe(true);
    // A timeout generous enough for a loaded machine to start the job, and a queue wait longer than it.
    const j = job(`echo ran; echo "val_bpb: 2.0"`, { timeoutMs: 5_000, graceMs: 500 });
    const waiting: (string | null)[] = [];
    let jobId = '';
    const run = executor().run({ ...j, onWaiting: (w) => void waiting.push(w), onStart: (ref) => void (jobId = ref.remote!.handle) });
    expect(await waitUntil(() => waiting.length > 0 && jobId !== '', 30_000, 50)).toBe(true);
    const queuedAt = Date.now();
    expect(waiting[0]).toMatch(/^queued in Slurm \(PENDING, (Resources|Priority|None)\)$/);
    // Pending for longer than the whole timeout: if the queue counted, the job would be killed as soon as it ran.
    // The wait ends when both hold: the timeout has passed since the job was queued, and Slurm still lists it PENDING.
    const pendingPastTimeout = async () =>
      Date.now() - queuedAt > j.timeoutMs && (await cluster.tool('squeue', ['--noheader', '--states=all', '-j', jobId, '--format=%T'])).trim() === 'PENDING';
    expect(await waitUntil(pendingPastTimeout, 60_000, 250)).toBe(true);
    await cluster.tool('scancel', [blocker]);
    const r = await run;
    expect(r.timedOut).toBe(false);
    expect(r.exitCode).toBe(0);
    expect(r.durationMs).toBeLessThan(5_000);
    expect(readFileSync(j.logFile, 'utf8')).toContain('val_bpb: 2.0');
    expect(waiting.at(-1)).toBeNull();
  });

  it('after a restart: a job still running is cancelled, one that ended is recorded with its exit code', async () => {
    const j1 = job(`echo long; sleep 300`);
    const ctl = new AbortController();
    let runningId = '';
    // The "app" submits and then dies: we drop the run's promise after the job has started.
    void executor().run({ ...j1, signal: ctl.signal, onStart: (ref) => void (runningId = ref.remote!.handle) });
    expect(await waitUntil(() => runningId !== '', 30_000)).toBe(true);
    const ended = (await cluster.tool('sbatch', ['--parsable', `--partition=${cluster.partition}`, `--output=${root}/ended.out`, '--wrap', 'exit 4'])).trim();
    expect(await waitUntil(async () => !(await cluster.activeJobs()).includes(ended), 30_000, 200)).toBe(true);
    const found = await executor().reattach(
      [
        { pid: 0, pgid: 0, remote: { kind: 'slurm', slot: 2, handle: runningId } },
        { pid: 0, pgid: 0, remote: { kind: 'slurm', slot: 2, handle: ended } },
      ],
      j1.runDir,
    );
    expect(found.killed).toEqual([Number(runningId)]);
    expect(found.notes?.join('\n')).toMatch(new RegExp(`Slurm job ${runningId} was still (running|pending) when the run resumed; it has been cancelled`));
    expect(found.notes?.join('\n')).toContain(`Slurm job ${ended} ended failed while the app was down (exit code 4)`);
    expect(await cluster.activeJobs()).toEqual([]);
    expect(processesWithMark(j1.mark)).toEqual([]);
    ctl.abort();
  });

  it('a stop that comes while the job is being submitted still cancels it: it never writes, and it says aborted', async () => {
    // Aborted right after run() is called, while sbatch runs: the abort listener is set only once the job id is
    // known, so it must see a stop that came before it (the loop pressed Stop while the experiment started).
    const marker = path.join(root, `never-${randomUUID()}`);
    const j = job(`sleep 3; touch ${marker}; sleep 300`);
    const ctl = new AbortController();
    let jobId = '';
    const t0 = Date.now();
    const running = executor().run({ ...j, signal: ctl.signal, onStart: (ref) => void (jobId = ref.remote!.handle) });
    ctl.abort();
    const r = await running;
    expect(r.aborted).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(Date.now() - t0).toBeLessThan(30_000);
    if (jobId) expect(await cluster.activeJobs()).not.toContain(jobId);
    expect(processesWithMark(j.mark)).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 4_000 - (Date.now() - t0))));
    expect(existsSync(marker)).toBe(false);
  });

  it('a job sbatch refuses fails with sbatch\'s reason and what to check', async () => {
    const j = job('echo never');
    const r = await executor({ partition: 'no-such-partition' }).run(j);
    expect(r.exitCode).toBeNull();
    expect(r.spawnError).toMatch(/^sbatch refused the job: .*invalid partition.*Check the slot's Slurm settings/is);
  });

  it('probe runs sinfo: the partition\'s nodes, or a clear error for an unknown partition', async () => {
    const ok = await executor().probe!();
    expect(ok.ok).toBe(true);
    expect(ok.command).toBe(`sinfo --partition=${cluster.partition}`);
    expect(ok.output).toMatch(new RegExp(`^${cluster.partition}\\*?\\s+up\\s.*\\b${cluster.node}\\b`, 'm'));
    const bad = await executor({ partition: 'nope' }).probe!();
    expect(bad.ok).toBe(false);
    expect(bad.output).toMatch(/nope/);
  });

  it("says once in the log when the job's output cannot be read, and still returns the job's end", async () => {
    const j = job(`echo "val_bpb: 1.5"`);
    let streamed = '';
    // Held until its output path is a folder: the follower can open it but never read it.
    const r = await executor({ extraArgs: ['--hold'] }).run({
      ...j,
      onOutput: (t) => (streamed += t),
      onStart: async (ref) => {
        mkdirSync(path.join(slurmDir(j.runDir), `${ref.remote!.handle}.out`), { recursive: true });
        await cluster.tool('scontrol', ['release', ref.remote!.handle]);
      },
    });
    expect(r.timedOut).toBe(false);
    const log = readFileSync(j.logFile, 'utf8');
    const notes = log.match(/\[autoresearch\] Could not read the job's output .*EISDIR.*; its log may stop here, though the job goes on\./g) ?? [];
    expect(notes).toHaveLength(1);
    expect(streamed).toContain(notes[0]);
  });

  it('leaves no job behind', async () => {
    expect(await cluster.activeJobs()).toEqual([]);
  });
});
