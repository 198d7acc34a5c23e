// GPUs assigned per slot and leased machine-wide: two `autoresearch run` processes on two projects, with a
// fake nvidia-smi reporting 2 GPUs and 2 slots each, never share a GPU; the second refuses, naming the first.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leaseDir, newHolder, readGpuLease, releaseGpuLeases, tryLeaseGpu, type GpuLease } from '../../src/core/gpu/lease.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { leaseSlotGpus } from '../../src/core/loop/slot-gpus.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli, spawnCli } from '../helpers/cli.js';
import { FIXTURE_BIN, waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, scoredProject, tempDir } from '../helpers/project.js';
import { linkTestTrust } from '../helpers/trust.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

/** Reports the GPUs it was given as a metric, and finishes only when the test writes RELEASE_FILE. */
const GPU_TRAINER = `import { existsSync } from 'node:fs';
const LEARNING_RATE = 0.01;
while (process.env.RELEASE_FILE && !existsSync(process.env.RELEASE_FILE)) await new Promise((r) => setTimeout(r, 20));
console.log('gpu: ' + (process.env.CUDA_VISIBLE_DEVICES ?? 'none'));
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;

const gpuProject = () => scoredProject({ metric: { name: 'val_bpb', direction: 'min', secondary: ['gpu'] } }, { 'train.mjs': GPU_TRAINER }).dir;

describe('GPU leases across runs', () => {
  it('gives each slot its own GPU and refuses a second run on another project while the GPUs are held', async () => {
    const data = tempDir('ar-data-');
    const release = path.join(tempDir(), 'release');
    const env = {
      PATH: `${FIXTURE_BIN}${path.delimiter}${process.env.PATH ?? ''}`,
      FAKE_NVIDIA_SMI_GPUS: '2',
      AUTORESEARCH_DATA_DIR: linkTestTrust(data),
      RELEASE_FILE: release,
    };
    const a = gpuProject();
    const b = gpuProject();
    const first = spawnCli(['run', a, '--tag', 'a', '--slots', '2', '--max-experiments', '2'], { env });
    let firstErr = '';
    first.stderr!.on('data', (d) => (firstErr += d));
    const firstDone = new Promise<number | null>((resolve) => first.on('close', resolve));
    try {
      // The baseline is running: the first run holds both GPUs.
      expect(await waitUntil(() => existsSync(runPaths(a, 'a').journal) && /"process-start"/.test(readFileSync(runPaths(a, 'a').journal, 'utf8')), 60_000)).toBe(true);
      const held = await Promise.all(['0', '1'].map((g) => readGpuLease(env, g)));
      expect(held.map((h) => h?.pid)).toEqual([first.pid, first.pid]);
      expect(held[0]?.projectDir).toBe(a);

      const second = await runCli(['run', b, '--tag', 'b', '--slots', '2', '--max-experiments', '1'], { env });
      expect(second.code).not.toBe(0);
      expect(second.stderr).toContain(`GPU 0 is in use by run "a" of ${a} (process ${first.pid} on ${hostname()}`);
      expect(second.stderr).toContain('GPU 1 is in use by run "a"');
      // The refused run took nothing and started nothing.
      expect((await readGpuLease(env, '0'))?.pid).toBe(first.pid);
      expect(existsSync(runPaths(b, 'b').journal)).toBe(false);
    } finally {
      writeFileSync(release, '');
    }
    expect(await firstDone, firstErr).toBe(0);

    // Each slot's trainer saw its own GPU; the leases are given back at the end.
    const rec = await readRunRecord(a, 'a');
    const runs = [...rec.experiments.values()];
    expect(runs.length).toBe(3);
    for (const e of runs) expect(e.metrics.gpu).toBe(e.slot);
    expect(new Set(runs.filter((e) => e.kind === 'candidate').map((e) => e.slot))).toEqual(new Set([0, 1]));
    expect(await readGpuLease(env, '0')).toBeNull();
    expect(await readGpuLease(env, '1')).toBeNull();

    // Now the second project gets them.
    const again = await runCli(['run', b, '--tag', 'b', '--slots', '2', '--max-experiments', '2'], { env });
    expect(again.code, again.stderr).toBe(0);
    const recB = await readRunRecord(b, 'b');
    for (const e of recB.experiments.values()) expect(e.metrics.gpu).toBe(e.slot);
  }, 240_000);
});

describe('leaseSlotGpus', () => {
  const env = () => ({ AUTORESEARCH_DATA_DIR: tempDir('ar-data-') });
  const slots = (n: number) => Array.from({ length: n }, () => ({ env: {} }));

  it('splits --gpus into GPUs per slot and refuses too few with what to do', async () => {
    const e = env();
    const got = await leaseSlotGpus({ env: e, projectDir: '/p', tag: 't', slots: slots(2), request: { gpus: ['0', '2', '3', '5'], perSlot: 2 }, discover: async () => [] });
    expect(got.slots.map((s) => s.env.CUDA_VISIBLE_DEVICES)).toEqual(['0,2', '3,5']);
    expect(got.leases.map((l) => l.gpu)).toEqual(['0', '2', '3', '5']);
    await expect(leaseSlotGpus({ env: env(), projectDir: '/p', tag: 't', slots: slots(3), request: {}, discover: async () => [0, 1] })).rejects.toThrow(
      '3 slots × 1 GPU need 3 GPUs, but nvidia-smi reports 2 (0, 1). Use fewer --slots, or fewer --gpus-per-slot.',
    );
    await expect(leaseSlotGpus({ env: env(), projectDir: '/p', tag: 't', slots: slots(1), request: { gpus: ['0;rm'] }, discover: async () => [] })).rejects.toThrow('is not a GPU');
    // Without GPUs (no nvidia-smi) the slots run as configured and nothing is leased.
    const none = await leaseSlotGpus({ env: env(), projectDir: '/p', tag: 't', slots: slots(2), request: {}, discover: async () => [] });
    expect(none.leases).toEqual([]);
    expect(none.slots.map((s) => s.env.CUDA_VISIBLE_DEVICES)).toEqual([undefined, undefined]);
  });

  it('gives GPUs only to slots on this machine, none when the project says so, and words refusals for the app', async () => {
    const e = env();
    const mixed = [{ env: {} }, { env: {}, executor: { kind: 'slurm' as const, gpus: 1, extraArgs: [] } }, { env: {} }];
    const got = await leaseSlotGpus({ env: e, projectDir: '/p', tag: 't', slots: mixed, request: {}, discover: async () => [0, 1] });
    expect(got.slots.map((s) => s.env.CUDA_VISIBLE_DEVICES)).toEqual(['0', undefined, '1']);
    const none = await leaseSlotGpus({ env: env(), projectDir: '/p', tag: 't', slots: slots(2), request: { gpus: [] }, discover: async () => [0, 1] });
    expect([none.leases, none.slots.map((s) => s.env.CUDA_VISIBLE_DEVICES)]).toEqual([[], [undefined, undefined]]);
    await expect(leaseSlotGpus({ env: env(), projectDir: '/p', tag: 't', slots: slots(2), request: { gpus: ['3'], where: 'app' }, discover: async () => [] })).rejects.toThrow(
      '2 slots × 1 GPU need 2 GPUs, but 1 is chosen (3). Remove slots, or give each fewer GPUs, in Setup → Slots.',
    );
  });

  it('takes over the lease of a process that is gone, skips a live one, and refuses a slot config naming a GPU twice', async () => {
    const e = env();
    mkdirSync(leaseDir(e), { recursive: true });
    const dead = await new Promise<number>((resolve) => {
      const c = spawn(process.execPath, ['-e', '']);
      c.on('exit', () => resolve(c.pid!));
    });
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    try {
      const holder = (pid: number, tag: string) => JSON.stringify({ pid, host: hostname(), projectDir: '/other', tag, startedAt: 'then', token: tag });
      writeFileSync(path.join(leaseDir(e), 'gpu-0.json'), holder(dead, 'killed'));
      writeFileSync(path.join(leaseDir(e), 'gpu-1.json'), holder(sleeper.pid!, 'live'));
      const got = await leaseSlotGpus({ env: e, projectDir: '/p', tag: 't', slots: slots(2), request: {}, discover: async () => [0, 1, 2] });
      // GPU 0's holder was killed: recovered. GPU 1 is busy: skipped for GPU 2.
      expect(got.slots.map((s) => s.env.CUDA_VISIBLE_DEVICES)).toEqual(['0', '2']);
      expect((await readGpuLease(e, '0'))?.pid).toBe(process.pid);
      expect((await readGpuLease(e, '1'))?.tag).toBe('live');
      // Nothing left for a third slot: refused, naming the live holder, and nothing taken.
      await expect(leaseSlotGpus({ env: e, projectDir: '/q', tag: 'u', slots: slots(1), request: {}, discover: async () => [0, 1, 2] })).rejects.toThrow(
        `GPU 0 is in use by run "t" of /p (process ${process.pid}`,
      );
    } finally {
      sleeper.kill('SIGKILL');
    }
    await expect(
      leaseSlotGpus({ env: env(), projectDir: '/p', tag: 't', slots: [{ env: { CUDA_VISIBLE_DEVICES: '0' } }, { env: { CUDA_VISIBLE_DEVICES: '0' } }], request: {}, discover: async () => [0, 1] }),
    ).rejects.toThrow('Slots 0 and 1 both use GPU 0');
  });

  it('gives one GPU to exactly one of several takers at once, round after round', async () => {
    const e = env();
    for (let round = 0; round < 30; round++) {
      // Takers in one process interleave at every await (the lease file's creation, its reads, the recovery lock).
      const takers = Array.from({ length: 6 }, (_, i) => ({ ...newHolder('/p', `r${round}-${i}`) }));
      const got = await Promise.all(takers.map((h) => tryLeaseGpu(e, '0', h)));
      const won = got.filter((g): g is GpuLease => 'file' in g);
      expect(won, `round ${round}`).toHaveLength(1);
      expect((await readGpuLease(e, '0'))?.token).toBe(won[0]!.holder.token);
      await releaseGpuLeases(won);
    }
  });

  it('leases this machine\'s GPUs for local slots only: an SSH slot\'s GPUs are its host\'s', async () => {
    const ssh = { env: { CUDA_VISIBLE_DEVICES: '0' }, executor: { kind: 'ssh' as const, host: 'gpu-box', remoteDir: '/srv/ar', linked: {}, options: [] } };
    const got = await leaseSlotGpus({ env: env(), projectDir: '/p', tag: 't', slots: [ssh, { env: {} }], request: {}, discover: async () => [0] });
    // One local GPU is enough for the one local slot; the SSH slot keeps the host's GPU 0 as configured.
    expect(got.leases.map((l) => l.gpu)).toEqual(['0']);
    expect(got.slots.map((s) => s.env.CUDA_VISIBLE_DEVICES)).toEqual(['0', '0']);
    await releaseGpuLeases(got.leases);
  });
});
