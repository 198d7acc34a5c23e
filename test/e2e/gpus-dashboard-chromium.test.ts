// GPUs from the app, in Chromium against `autoresearch serve` with a fake nvidia-smi reporting 2 GPUs: Setup →
// Slots shows the GPU plan and makes one slot per GPU; Start is refused while another live process holds GPU 0
// (the error names its run); once that holder is gone, Start leases both GPUs, the slot cards say which GPU
// each has and show trainer time, GPU-hours and idle time, and after the run the dashboard keeps the
// per-slot figures, equal to what the journal gives.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGpuLease } from '../../src/core/gpu/lease.js';
import { summarize } from '../../src/core/journal/fold.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { usageAt } from '../../src/shared/slot-usage.js';
import { formatClock } from '../../src/renderer/components/format.js';
import { cleanupTempDirs, scoredProject, tempDir } from '../helpers/project.js';
import { APP_ROOT, e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

/** The scored trainer that waits for RELEASE_FILE before it prints, so the test decides when trainers end. */
const WAITING_TRAINER = `import { existsSync } from 'node:fs';
const LEARNING_RATE = 0.01;
while (process.env.RELEASE_FILE && !existsSync(process.env.RELEASE_FILE)) await new Promise((r) => setTimeout(r, 20));
console.log('gpu: ' + (process.env.CUDA_VISIBLE_DEVICES ?? '-1'));
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;

describe.skipIf(unavailable !== null)(`GPUs and slot usage in the app, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: string;
  let release: string;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let holder: ChildProcess | null = null;

  beforeAll(async () => {
    dir = scoredProject({ metric: { name: 'val_bpb', direction: 'min', secondary: ['gpu'] }, acceptance: { rule: 'classic', baselineRuns: 1 } }, { 'train.mjs': WAITING_TRAINER }).dir;
    release = path.join(tempDir(), 'release');
    served = await startServe({
      projectDir: dir,
      env: { PATH: `${path.join(APP_ROOT, 'test', 'fixtures', 'bin')}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_NVIDIA_SMI_GPUS: '2', RELEASE_FILE: release },
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    if (!existsSync(release) && release) writeFileSync(release, '');
    holder?.kill('SIGKILL');
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  it('plans one GPU per slot in Setup → Slots, and warns when too few are picked', async () => {
    await page.goto(`${served.url}#/setup`);
    await page.evaluate(() => localStorage.setItem('autoresearch.theme', 'dark'));
    await page.reload();
    const fields = page.getByTestId('gpu-fields');
    await fields.waitFor();
    await page.getByText('Every GPU found (2)').waitFor();
    await page.getByTestId('slots-per-gpu').click();
    const plan = page.getByTestId('gpu-plan');
    await expect(plan.getByTestId('gpu-plan-slot').allTextContents()).resolves.toEqual(['slot 0 → GPU 0', 'slot 1 → GPU 1']);
    await page.getByTestId('field-gpus.mode-pick').check();
    await page.getByTestId('gpu-pick-1').uncheck();
    await expect(plan.getAttribute('data-problem')).resolves.toBe('true');
    await expect(plan.textContent()).resolves.toContain('2 slots × 1 GPU need 2 GPUs, but 1 is available (0): Start would refuse.');
    await page.getByTestId('gpu-pick-1').check();
    await expect(plan.getAttribute('data-problem')).resolves.toBe('false');
    await page.getByTestId('field-gpus.mode-all').check();
    await page.getByTestId('setup-save').click();
    await page.locator('[data-testid=setup-state][data-state=saved]').waitFor();
    await page.getByTestId('section-slots').scrollIntoViewIfNeeded();
    await screenshot(page, 'setup-gpus-dark');
  });

  it("refuses Start while another live process holds GPU 0, naming that process's run", async () => {
    // Another run on this machine holds GPU 0: a live process, recorded in the machine-wide lease folder.
    holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
    const leases = path.join(served.dataDir, 'gpu-leases');
    mkdirSync(leases, { recursive: true });
    writeFileSync(path.join(leases, 'gpu-0.json'), JSON.stringify({ pid: holder.pid, host: hostname(), projectDir: '/data/other-project', tag: 'night-run', startedAt: '2026-03-08T21:00:00.000Z', token: 'other' }));
    await page.getByTestId('run-start').click();
    const error = page.locator('[data-testid=toast][data-level=error]');
    await error.waitFor();
    const text = (await error.textContent()) ?? '';
    expect(text).toContain(`Could not start the run: GPU 0 is in use by run "night-run" of /data/other-project (process ${holder.pid} on ${hostname()}`);
    expect(text).toContain('pick free GPUs in Setup → Slots');
    await screenshot(page, 'start-refused-gpu-dark');
    await error.getByRole('button', { name: 'Dismiss' }).click();
    await expect(page.locator('[data-testid=dashboard][data-live=true]').count()).resolves.toBe(0);
  });

  it('leases both GPUs once the holder is gone; the slot cards show their GPU, trainer time, GPU-hours and idle time', async () => {
    // The holder dies: its lease is stale, and the next Start takes it over.
    holder!.kill('SIGKILL');
    await new Promise((r) => holder!.once('exit', r));
    await page.getByTestId('run-max').fill('2');
    await page.getByTestId('run-start').click();
    await page.locator('[data-testid=dashboard][data-live=true]').waitFor({ timeout: 60_000 });
    const cards = page.getByTestId('slot-card');
    await expect(cards.count()).resolves.toBe(2);
    await expect(page.getByTestId('slot-cuda').allTextContents()).resolves.toEqual(['CUDA 0', 'CUDA 1']);
    // Both leased by the app's server, GPU 0 taken over from the dead holder.
    const leaseEnv = { AUTORESEARCH_DATA_DIR: served.dataDir };
    await expect(Promise.all(['0', '1'].map(async (g) => (await readGpuLease(leaseEnv, g))?.pid))).resolves.toEqual([served.process.pid, served.process.pid]);
    // The baseline's trainer waits for the release file: slot 0's trainer clock runs, slot 1 stands idle.
    const slot0 = page.locator('[data-testid=slot-card][data-slot="0"] [data-testid=slot-usage]');
    await page.waitForFunction(() => {
      const busy = document.querySelector('[data-testid=slot-card][data-slot="0"] [data-testid=slot-busy]')?.textContent ?? '';
      const idle = document.querySelector('[data-testid=slot-card][data-slot="1"] [data-testid=slot-idle]')?.textContent ?? '';
      return /^\d+:\d\d$/.test(busy) && busy !== '0:00' && /^\d+:\d\d$/.test(idle) && idle !== '0:00';
    }, undefined, { timeout: 60_000 });
    await expect(slot0.getByTestId('slot-gpu-hours').textContent()).resolves.toMatch(/^\d+\.\d\d$/);
    await expect(slot0.textContent()).resolves.toMatch(/trainer \d+:\d\d\d+\.\d\d GPU-hidle \d+:\d\d/);
    await screenshot(page, 'dashboard-slot-usage-dark');
    writeFileSync(release, '');
  });

  it('keeps the per-slot figures after the run, equal to what the journal gives', async () => {
    await page.locator('[data-testid=dashboard][data-live=false]').waitFor({ timeout: 120_000 });
    const list = page.getByTestId('slot-usage-list');
    await list.waitFor();
    const [tag] = readdirSync(path.join(dir, '.autoresearch', 'runs'));
    const rec = await readRunRecord(dir, tag!);
    // Each slot's trainer saw its own GPU.
    for (const e of rec.experiments.values()) expect(e.metrics.gpu).toBe(e.slot);
    const figures = usageAt(summarize(rec).usage!, Date.now());
    expect(figures.map((f) => f.gpus)).toEqual([1, 1]);
    expect(figures[0]!.busyMs).toBeGreaterThan(1000);
    const shown = await list.locator('[data-testid=slot-usage]').evaluateAll((els) =>
      els.map((el) => ['slot-busy', 'slot-idle', 'slot-idle-agent', 'slot-idle-harness'].map((id) => el.querySelector(`[data-testid=${id}]`)?.textContent ?? null)),
    );
    // Where the idle time went is shown beside it (the agent, the harness; no conflicts happened here).
    expect(shown).toEqual(figures.map((f) => [formatClock(f.busyMs), formatClock(f.idleMs), ...(f.idleMs > 0 ? [formatClock(f.agentMs), formatClock(f.harnessMs)] : [null, null])]));
    // The latest experiments carry each decision's confidence, as the History does.
    const confidence = (e: { status: string; confidence?: { z: number | null; label: string } | null }) => {
      const c = e.confidence;
      if (!c) return '—';
      if (c.label === 'exact') return 'exact';
      if (c.label === 'unknown' || c.z === null) return 'noise unknown';
      return `${e.status === 'keep' && c.label === 'within-noise' ? '≈ ' : ''}${c.z.toFixed(1)} SE`;
    };
    const rows = await page.locator('[data-testid=latest-row]').evaluateAll((els) => els.map((el) => [Number(el.getAttribute('data-id')), el.querySelector('[data-testid=latest-confidence]')?.textContent]));
    expect(rows).toEqual([...rec.experiments.values()].sort((x, y) => y.id - x.id).map((e) => [e.id, confidence(e)]));
    // Every decided candidate shows its confidence (one may be rejected before training, e.g. a seed-only change,
    // and then has none): at least one was decided.
    const decided = [...rec.experiments.values()].filter((e) => e.id !== 0 && e.confidence).length;
    expect(decided).toBeGreaterThan(0);
    expect(rows.filter(([id, text]) => id !== 0 && text !== '—').length).toBe(decided);
    // Given back when the run ended.
    await expect(readGpuLease({ AUTORESEARCH_DATA_DIR: served.dataDir }, '0')).resolves.toBeNull();
    await page.evaluate(() => localStorage.setItem('autoresearch.theme', 'light'));
    await page.reload();
    await page.getByTestId('slot-usage-list').waitFor();
    await screenshot(page, 'dashboard-slot-usage-light');
    expect(errors).toEqual([]);
  });
});
