// GPUs from the app: Start through the Api (the IPC dispatch src/main runs) gives each slot its own GPU from
// nvidia-smi (a fake one on PATH reporting 2), leases them machine-wide exactly like `autoresearch run`, and a
// second project's Start is refused with a message naming the run that holds them. The Slots form's choice
// (picked GPUs) is saved through the Api and followed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readGpuLease } from '../../src/core/gpu/lease.js';
import { runPaths } from '../../src/core/project/paths.js';
import { createEnvSecretStore, createStudio, type Studio } from '../../src/core/studio/index.js';
import type { ApiMethod, StudioEvent } from '../../src/shared/api.js';
import { dispatchApiCall } from '../../src/shared/dispatch.js';
import { FIXTURE_BIN, waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, REPO_ROOT, scoredProject, tempDir } from '../helpers/project.js';
import { linkTestTrust } from '../helpers/trust.js';

const studios: Studio[] = [];
afterEach(async () => {
  for (const s of studios.splice(0)) await s.dispose();
  cleanupTempDirs();
});

/** Reports the GPUs it was given as a metric, and finishes only when the test writes RELEASE_FILE. */
const GPU_TRAINER = `import { existsSync } from 'node:fs';
const LEARNING_RATE = 0.01;
while (process.env.RELEASE_FILE && !existsSync(process.env.RELEASE_FILE)) await new Promise((r) => setTimeout(r, 20));
console.log('gpu: ' + (process.env.CUDA_VISIBLE_DEVICES ?? '-1'));
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;

async function makeStudio(env: NodeJS.ProcessEnv) {
  const studio = await createStudio({
    app: { version: 'test', host: 'serve', platform: process.platform },
    dataDir: linkTestTrust(tempDir('ar-app-data-')),
    appRoot: REPO_ROOT,
    secrets: createEnvSecretStore({}),
    env,
  });
  studios.push(studio);
  const events: StudioEvent[] = [];
  studio.onEvent((e) => events.push(e));
  /** Exactly what src/main does with a call from the page. */
  const call = (method: ApiMethod, args: unknown) => dispatchApiCall(studio.api, method, args) as Promise<{ ok: true; result: any } | { ok: false; error: { code: string; message: string } }>;
  return { studio, events, call };
}

describe('GPUs assigned and leased by the app', () => {
  it('leases one GPU per slot at Start, refuses another project naming the holder, and follows picked GPUs', async () => {
    const release = path.join(tempDir(), 'release');
    const env = {
      ...process.env,
      ANTHROPIC_API_KEY: '',
      PATH: `${FIXTURE_BIN}${path.delimiter}${process.env.PATH ?? ''}`,
      FAKE_NVIDIA_SMI_GPUS: '2',
      AUTORESEARCH_DATA_DIR: linkTestTrust(tempDir('ar-leases-')),
      RELEASE_FILE: release,
    };
    const project = () => scoredProject({ metric: { name: 'val_bpb', direction: 'min', secondary: ['gpu'] }, acceptance: { rule: 'classic', baselineRuns: 1 } }, { 'train.mjs': GPU_TRAINER }).dir;
    const a = project();
    const b = project();
    const app = await makeStudio(env);
    const other = await makeStudio(env);

    // Two slots, every GPU nvidia-smi finds (the form's default), saved through the Api as the form does.
    expect((await app.call('openProject', { dir: a })).ok).toBe(true);
    const config = (await app.call('snapshot', {}) as any).result.project.config;
    expect(config.gpus).toEqual({ use: null, perSlot: 1 });
    expect((await app.call('saveConfig', { config: { ...config, slots: [{ env: {} }, { env: {} }] } })).ok).toBe(true);
    const started = await app.call('startRun', { tag: 'a', maxExperiments: 2 });
    expect(started).toEqual({ ok: true, result: { tag: 'a' } });
    try {
      expect(await waitUntil(() => existsSync(runPaths(a, 'a').journal) && /"process-start"/.test(readFileSync(runPaths(a, 'a').journal, 'utf8')), 60_000)).toBe(true);
      const held = await Promise.all(['0', '1'].map((g) => readGpuLease(env, g)));
      expect(held.map((h) => [h?.pid, h?.projectDir, h?.tag])).toEqual([
        [process.pid, a, 'a'],
        [process.pid, a, 'a'],
      ]);
      // The dashboard's slots say which GPU each has.
      const live = (await app.call('snapshot', {}) as any).result.live;
      expect(live.slots.map((s: any) => s.env.CUDA_VISIBLE_DEVICES)).toEqual(['0', '1']);

      // Another project in another window: refused, naming the run that holds the GPUs and what to do.
      expect((await other.call('openProject', { dir: b })).ok).toBe(true);
      const refused = await other.call('startRun', { tag: 'b' });
      expect(refused.ok).toBe(false);
      if (!refused.ok) {
        expect(refused.error.code).toBe('conflict');
        expect(refused.error.message).toContain(`GPU 0 is in use by run "a" of ${a} (process ${process.pid} on ${hostname()}`);
        expect(refused.error.message).toContain('GPU 1 is in use by run "a"');
        expect(refused.error.message).toMatch(/Wait for that run to finish \(or stop it\), or pick free GPUs in Setup → Slots\.$/);
      }
      expect(existsSync(runPaths(b, 'b').journal)).toBe(false);
      expect((await readGpuLease(env, '0'))?.tag).toBe('a');
    } finally {
      writeFileSync(release, '');
    }
    await waitUntil(() => app.events.some((e) => e.type === 'notice' && /Run a stopped/.test(e.message)), 120_000);
    const runA = (await app.call('getRun', { tag: 'a' }) as any).result;
    expect(runA.experiments.length).toBe(3);
    // Each slot's trainer saw its own GPU.
    for (const e of runA.experiments) expect(e.metrics.gpu, JSON.stringify(e)).toBe(e.slot);
    expect(new Set(runA.experiments.map((e: any) => e.slot))).toEqual(new Set([0, 1]));
    // Given back when the run ended.
    expect(await readGpuLease(env, '0')).toBeNull();
    expect(await readGpuLease(env, '1')).toBeNull();

    // The second project picks GPU 1 only (Setup → Slots, "These…"): its one slot gets GPU 1, and only it is leased.
    const configB = (await other.call('snapshot', {}) as any).result.project.config;
    expect((await other.call('saveConfig', { config: { ...configB, gpus: { use: ['1'], perSlot: 1 } } })).ok).toBe(true);
    expect((await other.call('startRun', { tag: 'b', maxExperiments: 1 })).ok).toBe(true);
    expect(await waitUntil(async () => (await readGpuLease(env, '1'))?.tag === 'b', 60_000)).toBe(true);
    expect(await readGpuLease(env, '0')).toBeNull();
    await waitUntil(() => other.events.some((e) => e.type === 'notice' && /Run b stopped/.test(e.message)), 120_000);
    const runB = (await other.call('getRun', { tag: 'b' }) as any).result;
    expect(runB.experiments.map((e: any) => e.metrics.gpu)).toEqual([1, 1]);
    expect(await readGpuLease(env, '1')).toBeNull();
  }, 240_000);
});
