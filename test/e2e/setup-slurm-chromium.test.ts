// The setup form's slots in Chromium against `autoresearch serve` and a real single-node Slurm cluster
// (test/helpers/slurm-cluster.ts): pick Slurm for a slot, see its fields and the shared-storage note, get
// clear messages for bad settings, save, and "Test" the slot: sinfo's answer from the cluster is shown.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { ensureSlurm, startSlurmCluster, type SlurmCluster } from '../helpers/slurm-cluster.js';
import { e2eUnavailable, screenshot, type DemoCopy } from './helpers/serve.js';
import { openDemoPage, type DemoPage } from './helpers/demo-page.js';

const unavailable = e2eUnavailable() ?? (await ensureSlurm().then((s) => (s.ok ? null : s.reason)));

describe.skipIf(unavailable !== null)(`Slurm slots in the setup form, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cluster: SlurmCluster;
  let demo: DemoCopy;
  let ui: DemoPage | undefined;
  let page: Page;
  let errors: string[];

  const field = (p: string) => page.getByTestId(`field-${p}`);
  const errorAt = (p: string) => page.getByTestId(`error-${p}`);

  beforeAll(async () => {
    cluster = await startSlurmCluster();
    ui = await openDemoPage({ route: '/setup', waitFor: 'setup-view', env: { SLURM_CONF: cluster.conf, PATH: cluster.env.PATH! } });
    ({ demo, page, errors } = ui);
  }, 180_000);

  afterAll(async () => {
    await ui?.close();
    await cluster?.stop();
  }, 60_000);

  it('picking Slurm shows its fields and says the project must be on storage the nodes share', async () => {
    await expect(field('slots.0.executor.kind').inputValue()).resolves.toBe('local');
    await expect(field('slots.0.executor.partition').count()).resolves.toBe(0);
    await field('slots.0.executor.kind').selectOption('slurm');
    await field('slots.0.executor.partition').waitFor();
    await expect(page.getByTestId('slot-slurm-note-0').textContent()).resolves.toMatch(/storage the cluster's nodes share/);
    for (const p of ['account', 'qos', 'constraint', 'gpus', 'extraArgs']) await expect(field(`slots.0.executor.${p}`).count()).resolves.toBe(1);
  });

  it('bad Slurm settings get a clear message next to their field, and Test waits until they are fixed', async () => {
    await field('slots.0.executor.partition').fill('gpu nodes');
    await expect(errorAt('slots.0.executor.partition').textContent()).resolves.toBe('A Slurm partition name has no spaces or special characters, e.g. gpu');
    await field('slots.0.executor.gpus').fill('two');
    await expect(errorAt('slots.0.executor.gpus').textContent()).resolves.toBe('"two" is not a number');
    await field('slots.0.executor.extraArgs').fill('--output=mine.log');
    await expect(errorAt('slots.0.executor.extraArgs').textContent()).resolves.toBe("--output is set by the app (it follows the job's output and working folder); remove it");
    await expect(page.getByTestId('setup-state').getAttribute('data-state')).resolves.toBe('invalid');
    await expect(page.getByTestId('slot-test-0').isDisabled()).resolves.toBe(true);
    await screenshot(page, 'slurm-slot-validation');
    await page.getByTestId('setup-save').click();
    // One place per failure: the fields say what is wrong, no "Not saved" toast repeats it, nothing is written.
    await expect(page.getByTestId('setup-state').getAttribute('data-state')).resolves.toBe('invalid');
    await expect(page.getByTestId('toast').filter({ hasText: 'Not saved' }).count()).resolves.toBe(0);
    const onDisk = JSON.parse(await readFile(path.join(demo.dir, '.autoresearch', 'config.json'), 'utf8'));
    expect(onDisk.slots[0].executor).toBeUndefined();
  });

  it('saves the Slurm slot and tests it against the cluster: sinfo\'s answer is shown', async () => {
    await field('slots.0.executor.partition').fill(cluster.partition);
    await field('slots.0.executor.gpus').fill('0');
    await field('slots.0.executor.extraArgs').fill('--cpus-per-task=1');
    await page.getByTestId('setup-state').and(page.locator('[data-state="unsaved"]')).waitFor();
    await page.getByTestId('setup-save').click();
    await page.getByTestId('setup-state').and(page.locator('[data-state="saved"]')).waitFor();
    const onDisk = JSON.parse(await readFile(path.join(demo.dir, '.autoresearch', 'config.json'), 'utf8'));
    expect(onDisk.slots[0].executor).toEqual({ kind: 'slurm', partition: cluster.partition, gpus: 0, extraArgs: ['--cpus-per-task=1'] });

    await page.getByTestId('slot-test-0').click();
    const result = page.getByTestId('slot-test-result-0');
    await result.waitFor();
    await expect(result.getAttribute('data-ok')).resolves.toBe('true');
    const text = (await result.textContent()) ?? '';
    expect(text).toContain(`$ sinfo --partition=${cluster.partition}`);
    expect(text).toMatch(new RegExp(`${cluster.partition}\\*?\\s+up\\s+infinite\\s+1\\s+idle\\s+${cluster.node}`));
    await screenshot(page, 'slurm-slot-test');
  });

  it('a partition the cluster does not have: Test says so', async () => {
    await field('slots.0.executor.partition').fill('nope');
    await page.getByTestId('slot-test-0').click();
    const result = page.getByTestId('slot-test-result-0');
    await result.and(page.locator('[data-ok="false"]')).waitFor();
    await expect(result.textContent()).resolves.toContain('The partition nope was not found on this cluster.');
    expect(errors).toEqual([]);
  });
});
