// Setup → Search in Chromium against `autoresearch serve` (issue #25): the strategy is chosen in the form (greedy
// by default), the tree's exploration weight shows only for tree, a bad plateau length gets the schema's message
// beside it, and Save writes config.search; opening Setup again shows what was saved.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`Setup's Search section in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let dir: string;

  beforeAll(async () => {
    dir = scoredProject().dir;
    served = await startServe({ projectDir: dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  it('chooses tree search with its exploration weight, refuses a plateau of 0, and saves config.search', async () => {
    await page.goto(`${served.url}#/setup`);
    const greedy = page.getByTestId('field-search.strategy-greedy');
    await greedy.waitFor({ timeout: 60_000 });
    expect(await greedy.isChecked()).toBe(true);
    // Greedy has no exploration weight to set.
    expect(await page.getByTestId('field-search.exploration').count()).toBe(0);
    await page.getByTestId('field-search.strategy-tree').check();
    const exploration = page.getByTestId('field-search.exploration');
    await exploration.waitFor();
    await exploration.fill('1.5');
    const plateau = page.getByTestId('field-search.plateauAfter');
    await plateau.fill('0');
    await page.getByTestId('error-search.plateauAfter').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('error-search.plateauAfter').innerText()).toBe('The plateau length is at least 1 experiment, e.g. 8');
    await plateau.fill('5');
    expect(await waitUntil(async () => (await page.getByTestId('error-search.plateauAfter').count()) === 0, 30_000)).toBe(true);
    await page.getByTestId('section-search').scrollIntoViewIfNeeded();
    await screenshot(page, 'search-setup');
    await page.getByTestId('setup-save').click();
    expect(await waitUntil(async () => (await page.getByTestId('setup-state').getAttribute('data-state')) === 'saved', 30_000)).toBe(true);

    const config = JSON.parse(await readFile(path.join(dir, '.autoresearch', 'config.json'), 'utf8')) as { search: Record<string, unknown> };
    expect(config.search).toEqual({ strategy: 'tree', plateauAfter: 5, exploration: 1.5, migrateEvery: 10 });

    await page.reload();
    await page.getByTestId('field-search.strategy-tree').waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('field-search.strategy-tree').isChecked()).toBe(true);
    expect(await page.getByTestId('field-search.exploration').inputValue()).toBe('1.5');
    expect(errors).toEqual([]);
  }, 120_000);
});
