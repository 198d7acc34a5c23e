// The SSH executor against a real sshd on 127.0.0.1 (test/helpers/ssh-server.ts): the commit reaches the host by
// git push, the command runs in the host's worktree (another folder than the local one), its log streams back,
// a timeout ends the whole remote group and what escaped it, and a dropped connection is followed again.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSshExecutor, parseSshHandle } from '../../src/core/exec/ssh-executor.js';
import { sshScript } from '../../src/core/exec/ssh-connection.js';
import { launchScript, remoteLayout } from '../../src/core/exec/ssh-scripts.js';
import type { JobRef } from '../../src/core/exec/executor.js';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, REPO_ROOT, scoredProject, tempDir } from '../helpers/project.js';
import { gpuHostsOf, queryRemoteGpus } from '../../src/core/gpu/index.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import { sshAvailability, startSshServer, type SshServer } from '../helpers/ssh-server.js';

const available = sshAvailability();
if (!available.ok && process.env.CI === 'true') throw new Error(`SSH tests must run under CI: ${available.reason}`);

/** Pids whose environment holds exactly `entry` (e.g. AUTORESEARCH_PROCESS=…): what is left "on the host". */
export function pidsCarrying(entry: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(entry)) out.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return out;
}

describe.skipIf(!available.ok)(`SSH executor against a real sshd${available.ok ? '' : ` (skipped: ${(available as { reason: string }).reason})`}`, () => {
  let server: SshServer;
  beforeAll(async () => {
    server = await startSshServer();
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });
  afterEach(cleanupTempDirs);

  const setup = (extra: { timeoutMs?: number; host?: string; options?: string[]; startTimeoutMs?: number } = {}) => {
    const { dir, config } = scoredProject();
    const remoteDir = path.join(server.remoteRoot, `host-${Math.random().toString(36).slice(2, 8)}`);
    const data = path.join(server.remoteRoot, 'data');
    mkdirSync(data, { recursive: true });
    writeFileSync(path.join(data, 'shard.txt'), 'remote data\n');
    const settings = { kind: 'ssh' as const, host: extra.host ?? server.host, port: server.port, remoteDir, linked: { data }, options: [...server.options, ...(extra.options ?? [])] };
    const executor = createSshExecutor({ projectDir: dir, linked: [], env: process.env, slot: 0, settings, config, ...(extra.startTimeoutMs ? { startTimeoutMs: extra.startTimeoutMs } : {}) });
    const env = (id: number) => ({ ...process.env, AUTORESEARCH_TAG: 't1', AUTORESEARCH_EXPERIMENT_ID: String(id), AUTORESEARCH_SLOT: '0', AUTORESEARCH_RUN_DIR: path.join(dir, '.autoresearch/runs/t1'), AUTORESEARCH_NODE: '/nowhere/node' });
    const job = (command: string, id: number, more: Partial<Parameters<typeof executor.run>[0]> = {}) => ({
      command,
      cwd: '',
      env: env(id),
      logFile: path.join(dir, '.autoresearch/runs/t1/logs', `${id}.log`),
      logMaxBytes: 1 << 20,
      timeoutMs: extra.timeoutMs ?? 60_000,
      graceMs: 1000,
      ...more,
    });
    return { dir, remoteDir, data, executor, job };
  };

  it('pushes the worktree\'s commit to the host and runs the command there, with the run\'s environment and linked inputs', async () => {
    const { dir, remoteDir, executor, job } = setup();
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    const ws = await executor.prepareWorkspace(0, head);
    expect(ws.path).toContain(path.join(dir, '.autoresearch'));
    // A candidate commit in the local worktree is what runs on the host.
    writeFileSync(path.join(ws.path, 'train.mjs'), readFileSync(path.join(ws.path, 'train.mjs'), 'utf8').replace('LEARNING_RATE = 0.01', 'LEARNING_RATE = 0.08'));
    git(ws.path, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'lr');
    const candidate = git(ws.path, 'rev-parse', 'HEAD').trim();
    const refs: JobRef[] = [];
    const output: string[] = [];
    const r = await executor.run({
      ...job('pwd; git rev-parse HEAD; cat data/shard.txt; echo "id=$AUTORESEARCH_EXPERIMENT_ID node=${AUTORESEARCH_NODE:-unset}"; node train.mjs; exit 3', 1),
      cwd: ws.path,
      onStart: (ref) => void refs.push(ref),
      onOutput: (t) => void output.push(t),
    });
    expect(r.spawnError).toBeNull();
    expect(r.exitCode).toBe(3);
    const log = readFileSync(path.join(dir, '.autoresearch/runs/t1/logs/1.log'), 'utf8');
    const lines = log.split('\n');
    expect(lines[0]).toBe(path.join(remoteDir, 'worktrees', 'slot-0'));
    expect(lines[1]).toBe(candidate);
    expect(lines[2]).toBe('remote data');
    // The app's own Node path is this machine's: the host uses its own `node`.
    expect(lines[3]).toBe('id=1 node=unset');
    expect(log).toMatch(/^val_bpb: +1\.008000$/m);
    expect(output.join('')).toBe(log);
    expect(r.outputBytes).toBe(Buffer.byteLength(log));
    expect(r.tail).toContain('val_bpb');
    // Journaled as a remote job: no local process group, the host's group and job folder in the handle.
    expect(refs).toHaveLength(1);
    expect(refs[0]!.pgid).toBe(0);
    const handle = parseSshHandle(refs[0]!.remote!.handle)!;
    expect(handle).toMatchObject({ host: server.host, port: server.port });
    expect(handle.pgid).toBeGreaterThan(1);
    // The job's folder on the host is removed once its log is home.
    expect(existsSync(handle.jobDir)).toBe(false);
    expect(existsSync(path.join(remoteDir, 'repo.git'))).toBe(true);
  }, 120_000);

  it('kills the whole remote group at the timeout, and a process that escaped it with setsid', async () => {
    const { dir, executor, job } = setup({ timeoutMs: 3000 });
    const ws = await executor.prepareWorkspace(0, git(dir, 'rev-parse', 'HEAD').trim());
    const refs: JobRef[] = [];
    const r = await executor.run({ ...job('setsid sleep 300 & echo started; sleep 300', 2), cwd: ws.path, onStart: (ref) => void refs.push(ref) });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBeNull();
    expect(r.tail).toContain('started');
    const handle = parseSshHandle(refs[0]!.remote!.handle)!;
    const runDirOnHost = path.dirname(path.dirname(handle.jobDir));
    // Nothing of this run is left on the "remote" side (the host is this machine: /proc shows it).
    expect(await waitUntil(() => pidsCarrying(`AUTORESEARCH_RUN_DIR=${runDirOnHost}`).length === 0, 10_000)).toBe(true);
  }, 120_000);

  it('a stop ends the remote group at once and says aborted; the slot says it waits while the commit is sent', async () => {
    const { dir, executor, job } = setup();
    const ws = await executor.prepareWorkspace(0, git(dir, 'rev-parse', 'HEAD').trim());
    const stop = new AbortController();
    const refs: JobRef[] = [];
    const waiting: (string | null)[] = [];
    let seen = '';
    const run = executor.run({ ...job('echo up; sleep 300', 4), cwd: ws.path, signal: stop.signal, onStart: (ref) => void refs.push(ref), onOutput: (t) => void (seen += t), onWaiting: (w) => void waiting.push(w) });
    expect(await waitUntil(() => seen.includes('up'), 30_000)).toBe(true);
    stop.abort();
    const r = await run;
    expect(r.aborted).toBe(true);
    expect(r.timedOut).toBe(false);
    expect(waiting).toEqual([`sending the commit to ${server.host}`, null]);
    const runDirOnHost = path.dirname(path.dirname(parseSshHandle(refs[0]!.remote!.handle)!.jobDir));
    expect(await waitUntil(() => pidsCarrying(`AUTORESEARCH_RUN_DIR=${runDirOnHost}`).length === 0, 10_000)).toBe(true);
  }, 120_000);

  it('a stop that comes while the job is being sent ends it there and says aborted (it was missed, and the job ran to its end)', async () => {
    const { dir, remoteDir, executor, job } = setup();
    const ws = await executor.prepareWorkspace(0, git(dir, 'rev-parse', 'HEAD').trim());
    const stop = new AbortController();
    const marker = path.join(remoteDir, 'ran-to-end');
    const run = executor.run({ ...job(`sleep 3; touch '${marker}'`, 5), cwd: ws.path, signal: stop.signal });
    stop.abort();
    const r = await run;
    expect(r.aborted).toBe(true);
    expect(r.exitCode).not.toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(existsSync(marker)).toBe(false);
  }, 120_000);

  it('a start given up on its time limit is cancelled on the host: the job it launched never runs its command, and no process is left', async () => {
    // The job is slow to start on the host: its shell names its group with `mv`, and the job's PATH finds a `mv`
    // that takes 12 s, so the start request is still waiting for the group when the app gives up after 6 s (the
    // send and the sync before the launch take well under that). Before, the job then ran its command unwatched.
    const { dir, executor, job } = setup({ startTimeoutMs: 6_000 });
    const ws = await executor.prepareWorkspace(0, git(dir, 'rev-parse', 'HEAD').trim());
    const shim = tempDir();
    writeFileSync(path.join(shim, 'mv'), '#!/bin/sh\nsleep 12\nexec /bin/mv "$@"\n', { mode: 0o755 });
    const ran = path.join(tempDir(), 'ran');
    const base = job(`touch '${ran}'; sleep 60`, 9);
    const shimPath = `${shim}:${process.env.PATH ?? ''}`;
    const r = await executor.run({ ...base, env: { ...base.env, PATH: shimPath }, cwd: ws.path });
    expect(r.exitCode).toBeNull();
    expect(r.spawnError).toMatch(/no answer from the host within 6 s/);
    // Past the slow `mv`: the command never started, and nothing of the job (its marker) is left on the host.
    await new Promise((resolve) => setTimeout(resolve, 14_000));
    expect(existsSync(ran)).toBe(false);
    expect(pidsCarrying(`PATH=${shimPath}`)).toEqual([]);
  }, 120_000);

  it('two slots on one host run at once, each in its own worktree there, over the shared connection', async () => {
    const { dir, remoteDir, job } = setup();
    const settings = { kind: 'ssh' as const, host: server.host, port: server.port, remoteDir, linked: {}, options: server.options };
    const slots = [0, 1].map((slot) => createSshExecutor({ projectDir: dir, linked: [], env: process.env, slot, settings }));
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    const ws = await Promise.all(slots.map((e, i) => e.prepareWorkspace(i, head)));
    // Each job waits on the host until the other has started: both end well only if they ran at once (else the
    // first waits out its timeout).
    const mark = (i: number) => `'${path.join(remoteDir, `started-${i}`)}'`;
    const together = (i: number) => `touch ${mark(i)}; while [ ! -e ${mark(1 - i)} ]; do sleep 0.05; done; pwd`;
    const results = await Promise.all(slots.map((e, i) => e.run({ ...job(together(i), 10 + i, { env: { ...job('', 0).env, AUTORESEARCH_SLOT: String(i) } }), cwd: ws[i]!.path })));
    expect(results.map((r) => r.timedOut)).toEqual([false, false]);
    expect(results.map((r) => r.exitCode)).toEqual([0, 0]);
    expect(results.map((r) => r.tail.trim())).toEqual([0, 1].map((i) => path.join(remoteDir, 'worktrees', `slot-${i}`)));
  }, 120_000);

  it('a metric read from a JSON file: the file the command wrote on the host is copied into the local worktree', async () => {
    const { dir } = scoredProject({ metric: { name: 'val_bpb', direction: 'min', extract: { kind: 'json', file: 'out/metrics.json', key: 'val_bpb' } } } as never);
    const config = JSON.parse(readFileSync(path.join(dir, '.autoresearch', 'config.json'), 'utf8'));
    const settings = { kind: 'ssh' as const, host: server.host, port: server.port, remoteDir: path.join(server.remoteRoot, 'json-host'), linked: {}, options: server.options };
    const executor = createSshExecutor({ projectDir: dir, linked: [], env: process.env, slot: 0, settings, config });
    const ws = await executor.prepareWorkspace(0, git(dir, 'rev-parse', 'HEAD').trim());
    const { job } = setup();
    const r = await executor.run({ ...job(`mkdir -p out && echo '{"val_bpb": 0.987}' > out/metrics.json`, 20), cwd: ws.path, logFile: path.join(dir, 'j.log') });
    expect(r.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(path.join(ws.path, 'out', 'metrics.json'), 'utf8'))).toEqual({ val_bpb: 0.987 });
  }, 120_000);

  it('a JSON metric file that cannot be copied back says why in the log, rather than reading as never written', async () => {
    const { dir } = scoredProject({ metric: { name: 'val_bpb', direction: 'min', extract: { kind: 'json', file: 'out/metrics.json', key: 'val_bpb' } } } as never);
    const config = JSON.parse(readFileSync(path.join(dir, '.autoresearch', 'config.json'), 'utf8'));
    const settings = { kind: 'ssh' as const, host: server.host, port: server.port, remoteDir: path.join(server.remoteRoot, 'json-blocked'), linked: {}, options: server.options };
    const executor = createSshExecutor({ projectDir: dir, linked: [], env: process.env, slot: 0, settings, config });
    const ws = await executor.prepareWorkspace(0, git(dir, 'rev-parse', 'HEAD').trim());
    // A file named "out" in the local worktree: the folder the metric file goes in cannot be made here.
    writeFileSync(path.join(ws.path, 'out'), 'in the way\n');
    const { job } = setup();
    const logFile = path.join(dir, 'j.log');
    const r = await executor.run({ ...job(`mkdir -p out && echo '{"val_bpb": 0.987}' > out/metrics.json`, 20), cwd: ws.path, logFile });
    expect(r.exitCode).toBe(0);
    const said = /\[autoresearch\] The command wrote out\/metrics\.json on \S+, but it could not be copied to \S+metrics\.json: .*Check that this folder is writable/;
    expect(readFileSync(logFile, 'utf8')).toMatch(said);
    expect(r.tail).toMatch(said);
  }, 120_000);

  it('follows the log again after the connection drops, and loses no byte of it', async () => {
    const { dir, executor, job } = setup();
    const ws = await executor.prepareWorkspace(0, git(dir, 'rev-parse', 'HEAD').trim());
    const release = path.join(server.remoteRoot, `release-${Date.now()}`);
    let seen = '';
    const run = executor.run({
      ...job(`for i in 1 2 3; do echo line-$i; done; while [ ! -f '${release}' ]; do sleep 0.1; done; for i in 4 5 6; do echo line-$i; done`, 3),
      cwd: ws.path,
      onOutput: (t) => void (seen += t),
    });
    expect(await waitUntil(() => seen.includes('line-3'), 30_000)).toBe(true);
    server.dropConnections();
    writeFileSync(release, '');
    const r = await run;
    expect(r.exitCode).toBe(0);
    expect(readFileSync(path.join(dir, '.autoresearch/runs/t1/logs/3.log'), 'utf8')).toBe('line-1\nline-2\nline-3\nline-4\nline-5\nline-6\n');
  }, 120_000);

  it('a connection that fails now and then is tried again: the commit is sent and the command runs, started once', async () => {
    // Its own host name, so its own master connection (ssh shares one per host, port and user): every new
    // connection goes through the flaky relay, and the counter says how many of the next ones fail.
    const counter = path.join(server.remoteRoot, `flaky-${Date.now()}`);
    writeFileSync(counter, '2');
    const { dir, remoteDir, executor, job } = setup({ host: `${server.user}@localhost`, options: [server.flakyProxyOption(counter)] });
    const ws = await executor.prepareWorkspace(0, git(dir, 'rev-parse', 'HEAD').trim());
    expect(readFileSync(counter, 'utf8')).toBe('0');
    // The shared connection drops between experiments; the next one's first connections fail too.
    server.dropConnections();
    writeFileSync(counter, '2');
    const r = await executor.run({ ...job(`echo started >> ${remoteDir}/starts; echo 'val_bpb: 0.9'`, 4), cwd: ws.path });
    expect(r.spawnError).toBeNull();
    expect(r.exitCode).toBe(0);
    expect(readFileSync(counter, 'utf8')).toBe('0');
    expect(readFileSync(path.join(remoteDir, 'starts'), 'utf8')).toBe('started\n');
  }, 120_000);

  it('a new commit is sent as a pack of what the host lacks; a host whose folder was cleaned meanwhile gets it pushed again', async () => {
    const { dir, remoteDir, executor, job } = setup();
    const ws = await executor.prepareWorkspace(0, git(dir, 'rev-parse', 'HEAD').trim());
    const commit = (lr: string) => {
      writeFileSync(path.join(ws.path, 'train.mjs'), readFileSync(path.join(ws.path, 'train.mjs'), 'utf8').replace(/LEARNING_RATE = [\d.]+/, `LEARNING_RATE = ${lr}`));
      git(ws.path, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', `lr ${lr}`);
      return git(ws.path, 'rev-parse', 'HEAD').trim();
    };
    const first = commit('0.02');
    const r1 = await executor.run({ ...job('git rev-parse HEAD; grep -o "LEARNING_RATE = [0-9.]*" train.mjs', 30), cwd: ws.path });
    expect(r1.exitCode).toBe(0);
    expect(r1.tail.trim().split('\n')).toEqual([first, 'LEARNING_RATE = 0.02']);
    rmSync(remoteDir, { recursive: true, force: true });
    const second = commit('0.04');
    const r2 = await executor.run({ ...job('git rev-parse HEAD; grep -o "LEARNING_RATE = [0-9.]*" train.mjs', 31), cwd: ws.path });
    expect(r2.spawnError).toBeNull();
    expect(r2.exitCode).toBe(0);
    expect(r2.tail.trim().split('\n')).toEqual([second, 'LEARNING_RATE = 0.04']);
    expect(git(path.join(remoteDir, 'repo.git'), 'cat-file', '-t', second).trim()).toBe('commit');
  }, 120_000);

  it('a launch sent twice for one job (a try again after a drop) starts the job once', async () => {
    const { remoteDir } = setup();
    const layout = remoteLayout(remoteDir, 0, 't1', 'e9-twice');
    mkdirSync(layout.worktree, { recursive: true });
    const target = { host: server.host, port: server.port, options: server.options, env: process.env };
    const script = launchScript({ layout, command: `echo once >> ${remoteDir}/launches; sleep 1`, env: {}, watchdogSeconds: 60, graceSeconds: 1 });
    const first = await sshScript(target, script, { timeoutMs: 60_000 });
    const second = await sshScript(target, script, { timeoutMs: 60_000 });
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    // The second answer names the first one's group.
    expect(/AR-PGID (\d+)/.exec(second.stdout)?.[1]).toBe(/AR-PGID (\d+)/.exec(first.stdout)?.[1]);
    expect(await waitUntil(() => existsSync(path.join(layout.jobDir, 'exit')), 30_000)).toBe(true);
    expect(readFileSync(path.join(remoteDir, 'launches'), 'utf8')).toBe('once\n');
  }, 120_000);

  it('a host that fails every try: the step gives up after its tries and says why', async () => {
    const counter = path.join(server.remoteRoot, `down-${Date.now()}`);
    writeFileSync(counter, '1000');
    const { dir, executor } = setup({ host: `${server.user}@localhost`, options: [server.flakyProxyOption(counter)] });
    // No master connection of the test before may carry this host past the relay.
    server.dropConnections();
    await expect(executor.prepareWorkspace(0, git(dir, 'rev-parse', 'HEAD').trim())).rejects.toThrow(/SSH to \S+@localhost \(port \d+\) failed while preparing .*Connection closed/);
    // Tried 4 times (the first and 3 more), never more.
    expect(Number(readFileSync(counter, 'utf8'))).toBe(996);
  }, 120_000);

  it('Test button: says that nvidia-smi is missing on the host, or why the host cannot be reached', async () => {
    const { dir, executor } = setup();
    const probe = await executor.probe!();
    expect(probe.ok).toBe(false);
    expect(probe.output).toMatch(/nvidia-smi is not on the PATH of /);
    const wrong = createSshExecutor({ projectDir: dir, linked: [], env: process.env, slot: 0, settings: { kind: 'ssh', host: server.host, port: 1, remoteDir: '/tmp/x', linked: {}, options: server.options } });
    const p2 = await wrong.probe!();
    expect(p2.ok).toBe(false);
    expect(p2.output).toMatch(/^Could not reach .* \(port 1\) .*Check the host name, the port and that sshd runs there\.$/);
  }, 60_000);

  it('a host with GPUs: the Test button lists them, and telemetry samples them over the same connection, marked with the host', async () => {
    // A second "host" whose sessions find the fake nvidia-smi first on their PATH (sshd's SetEnv).
    const gpuHost = await startSshServer({ env: { PATH: `${path.join(REPO_ROOT, 'test', 'fixtures', 'bin')}:/usr/local/bin:/usr/bin:/bin`, FAKE_NVIDIA_SMI_GPUS: '3' } });
    try {
      const { dir } = scoredProject();
      const settings = { kind: 'ssh' as const, host: gpuHost.host, port: gpuHost.port, remoteDir: path.join(gpuHost.remoteRoot, 'r'), linked: {}, options: gpuHost.options };
      const probe = await createSshExecutor({ projectDir: dir, linked: [], env: process.env, slot: 0, settings }).probe!();
      expect(probe.ok).toBe(true);
      expect(probe.command).toBe(`ssh ${gpuHost.host} nvidia-smi -L`);
      expect(probe.output.split('\n')).toHaveLength(3);
      expect(probe.output).toMatch(/^GPU 0: /);
      const config = ProjectConfigSchema.parse({ run: { command: 'x' }, files: { editable: ['train.mjs'] }, metric: { name: 'val_bpb', direction: 'min' }, budget: { seconds: 5 }, slots: [{ env: {} }, { env: {}, executor: settings }, { env: {}, executor: settings }] });
      const hosts = gpuHostsOf(config, process.env);
      expect(hosts.map((h) => h.where)).toEqual([`ssh:127.0.0.1:${gpuHost.port}`]);
      const gpus = await queryRemoteGpus(hosts[0]!, { timeoutMs: 20_000 });
      expect(gpus.map((g) => [g.index, g.host])).toEqual([0, 1, 2].map((i) => [i, `ssh:127.0.0.1:${gpuHost.port}`]));
      expect(gpus[0]!.utilizationPercent).toBe(97);
      // A host that does not answer has no GPUs to show, and says nothing else.
      expect(await queryRemoteGpus({ where: 'ssh:x', target: { host: gpuHost.host, port: 1, options: gpuHost.options, env: process.env } }, { timeoutMs: 20_000 })).toEqual([]);
    } finally {
      await gpuHost.stop();
    }
  }, 60_000);
});
