import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GpuStat } from '../../src/shared/api.js';
import { detectGpuCount, queryGpus, startGpuPoller } from '../../src/core/gpu/index.js';
import { pidRunning, waitUntil } from '../helpers/processes.js';

const FAKE_BIN = path.resolve(__dirname, '../fixtures/bin');
const withFake = (extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({ ...process.env, PATH: `${FAKE_BIN}:${process.env.PATH ?? ''}`, ...extra });

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ar-gpu-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The pids of the fake nvidia-smi calls that started (FAKE_NVIDIA_SMI_CALLS), and how many ended. */
async function callLog(file: string): Promise<{ started: number[]; ended: number }> {
  const lines = (await readFile(file, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  return { started: lines.filter((l) => l.startsWith('start')).map((l) => Number(l.split(' ')[1])), ended: lines.filter((l) => l.startsWith('end')).length };
}

describe('queryGpus (fake nvidia-smi on PATH)', () => {
  it('reads the GPUs nvidia-smi reports', async () => {
    const gpus = await queryGpus({ env: withFake() });
    expect(gpus).toHaveLength(2);
    expect(gpus[0]).toEqual({ index: 0, name: 'NVIDIA H100 80GB HBM3', utilizationPercent: 97, memoryUsedMb: 45060, memoryTotalMb: 81559, temperatureC: 64, powerW: 612.35 });
    expect((await queryGpus({ env: withFake({ FAKE_NVIDIA_SMI_GPUS: '5' }) })).map((g) => g.index)).toEqual([0, 1, 2, 3, 4]);
  });

  it('gives null for [N/A] fields', async () => {
    const gpus = await queryGpus({ env: withFake({ FAKE_NVIDIA_SMI_NA: '1' }) });
    expect(gpus.map((g) => [g.temperatureC, g.powerW])).toEqual([
      [null, null],
      [null, null],
    ]);
  });

  it('returns [] when nvidia-smi fails, finds no device, or is not installed', async () => {
    expect(await queryGpus({ env: withFake({ FAKE_NVIDIA_SMI_FAIL: '1' }) })).toEqual([]);
    expect(await queryGpus({ env: withFake({ FAKE_NVIDIA_SMI_GPUS: '0' }) })).toEqual([]);
    expect(await queryGpus({ env: { ...process.env, PATH: dir } })).toEqual([]);
  });

  it('gives up on a hung nvidia-smi after the timeout, and kills it', async () => {
    const calls = path.join(dir, 'calls.txt');
    // Left alone, this nvidia-smi answers two GPUs after 600 s: [] means the timeout, not the tool, ended the call.
    expect(await queryGpus({ env: withFake({ FAKE_NVIDIA_SMI_SLEEP: '600', FAKE_NVIDIA_SMI_CALLS: calls }), timeoutMs: 300 })).toEqual([]);
    const log = await callLog(calls);
    expect(log.started).toHaveLength(1);
    expect(log.ended).toBe(0);
    expect(await waitUntil(() => !pidRunning(log.started[0]!), 10_000)).toBe(true);
  });

  it('counts GPUs', async () => {
    expect(await detectGpuCount(withFake({ FAKE_NVIDIA_SMI_GPUS: '3' }))).toBe(3);
    expect(await detectGpuCount({ ...process.env, PATH: dir })).toBe(0);
  });
});

describe('startGpuPoller', () => {
  it('samples repeatedly, never two calls at once, and keeps going when the listener throws', async () => {
    const calls = path.join(dir, 'calls.txt');
    const samples: GpuStat[][] = [];
    const poller = startGpuPoller({
      intervalMs: 10,
      env: withFake({ FAKE_NVIDIA_SMI_SLEEP: '0.2', FAKE_NVIDIA_SMI_CALLS: calls }),
      onStats: (gpus) => {
        samples.push(gpus);
        if (samples.length === 1) throw new Error('listener bug');
      },
    });
    await waitUntil(() => samples.length >= 3, 30_000);
    poller.stop();
    expect(samples.length).toBeGreaterThanOrEqual(3);
    expect(samples.every((s) => s.length === 2)).toBe(true);
    const log = (await readFile(calls, 'utf8')).trim().split('\n');
    // With a 10 ms interval and a 200 ms tool, overlapping calls would show two starts in a row.
    for (let i = 0; i < log.length; i++) expect(log[i]!.startsWith(i % 2 === 0 ? 'start' : 'end'), log.join('|')).toBe(true);
  });

  it('reports nothing after stop, even for a call in flight, and kills that call', async () => {
    const calls = path.join(dir, 'calls.txt');
    const samples: GpuStat[][] = [];
    // The first call hangs (600 s) until stopped: it is certainly in flight when stop() comes.
    const poller = startGpuPoller({ intervalMs: 10, env: withFake({ FAKE_NVIDIA_SMI_SLEEP: '600', FAKE_NVIDIA_SMI_CALLS: calls }), onStats: (g) => samples.push(g) });
    expect(await waitUntil(async () => (await callLog(calls)).started.length === 1, 10_000)).toBe(true);
    poller.stop();
    // The call in flight is killed (stop aborts it), its [] answer is dropped, and no next call is scheduled.
    const { started } = await callLog(calls);
    expect(await waitUntil(() => !pidRunning(started[0]!), 10_000)).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(samples).toEqual([]);
    expect(await callLog(calls)).toEqual({ started, ended: 0 });
  });

  it('reports [] samples on a machine without GPUs', async () => {
    const samples: GpuStat[][] = [];
    const poller = startGpuPoller({ intervalMs: 10, env: { ...process.env, PATH: dir }, onStats: (g) => samples.push(g) });
    await waitUntil(() => samples.length >= 2, 20_000, 20);
    poller.stop();
    expect(samples.slice(0, 2)).toEqual([[], []]);
  });
});
