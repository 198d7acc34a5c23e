// Setup's Seed section in Chromium against `autoresearch serve` (issue #22): for a project whose trainer reads
// its seed from $SEED and whose config has not decided, the section says why it matters, proposes the
// environment variable it found (read by core over the project's files), the user takes it and saves, and
// config.json has it; a malformed typed setting gets the schema's message; "none" is saved as such.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { cleanupTempDirs, makeRepo, writeConfig } from '../helpers/project.js';
import { openDemoPage } from './helpers/demo-page.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

const TRAINER = ['// a trainer that takes its seed from the environment', 'const SEED = Number(process.env.SEED ?? 7);', "console.log('loss: ' + (1 + SEED / 1000));", ''].join('\n');

describe.skipIf(unavailable !== null)(`the Seed section of Setup, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir = '';
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const field = (p: string) => page.getByTestId(`field-${p}`);
  const saved = async () => (JSON.parse(await readFile(path.join(dir, '.autoresearch', 'config.json'), 'utf8')) as { seed: unknown }).seed;
  const save = async () => {
    await page.getByTestId('setup-state').and(page.locator('[data-state="unsaved"]')).waitFor();
    await page.getByTestId('setup-save').click();
    await page.getByTestId('setup-state').and(page.locator('[data-state="saved"]')).waitFor();
  };

  beforeAll(async () => {
    dir = makeRepo({ 'train.mjs': TRAINER });
    writeConfig(dir, { run: { command: 'node train.mjs' }, files: { editable: ['train.mjs'] }, metric: { name: 'loss', direction: 'min' }, budget: { seconds: 10 } });
    served = await startServe({ projectDir: dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 }, colorScheme: 'dark' });
    errors = watchPageErrors(page);
    await page.goto(`${served.url}#/setup`);
    await page.getByTestId('setup-view').waitFor();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    if (served) expect(await served.stop()).toBe(0);
    cleanupTempDirs();
  });

  it('proposes the detected environment variable; confirmed and saved, config.json has it', async () => {
    expect(await saved()).toBeNull();
    await expect(page.getByTestId('seed-undecided').textContent()).resolves.toMatch(/Not decided yet\. .*noise looks like zero/);
    const finding = page.getByTestId('seed-finding').first();
    await finding.waitFor();
    await expect(finding.textContent()).resolves.toMatch(/Found the environment variable SEED at train\.mjs:2/);
    await page.getByTestId('section-seed').scrollIntoViewIfNeeded();
    await screenshot(page, 'seed-setup-proposed');

    await page.getByTestId('seed-use-detected').first().click();
    await expect(field('seed.kind').inputValue()).resolves.toBe('env');
    await expect(field('seed.name').inputValue()).resolves.toBe('SEED');
    await expect(page.getByTestId('seed-words').textContent()).resolves.toBe('The seed is set by the environment variable SEED.');
    await page.getByTestId('seed-finding-in-use').waitFor();
    await save();
    expect(await saved()).toEqual({ kind: 'env', name: 'SEED' });
    await page.getByTestId('section-seed').scrollIntoViewIfNeeded();
    await screenshot(page, 'seed-setup-confirmed');
  });

  it("a malformed typed setting gets the schema's message and is not saved; none is saved as none", async () => {
    await field('seed.kind').selectOption('arg');
    await field('seed.flag').fill('seed');
    await expect(page.getByTestId('error-seed.flag').textContent()).resolves.toBe('A command-line flag, e.g. --seed');
    await expect(page.getByTestId('setup-state').getAttribute('data-state')).resolves.toBe('invalid');
    await page.getByTestId('setup-save').click();
    expect(await saved()).toEqual({ kind: 'env', name: 'SEED' });

    await field('seed.kind').selectOption('none');
    await expect(page.getByTestId('seed-words').textContent()).resolves.toBe('The seed cannot be varied: the app can measure only the noise between identical reruns.');
    await save();
    expect(await saved()).toEqual({ kind: 'none' });
    expect(errors).toEqual([]);
  });

  it("the bundled demo's seed is the environment variable SEED, shown in words and matching what its trainer reads", async () => {
    const ui = await openDemoPage({ route: '/setup', waitFor: 'setup-view' });
    try {
      await ui.page.getByTestId('seed-finding-in-use').waitFor();
      await expect(ui.page.getByTestId('seed-finding').first().textContent()).resolves.toMatch(/Found the environment variable SEED at train\.mjs:\d+/);
      await expect(ui.page.getByTestId('seed-words').textContent()).resolves.toBe('The seed is set by the environment variable SEED.');
      expect(ui.errors).toEqual([]);
    } finally {
      await ui.close();
    }
  }, 60_000);
});
