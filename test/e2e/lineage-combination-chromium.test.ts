// A combination in the app: a real two-slot run through the loop (scripted proposer, deterministic trainer)
// where #4, proposed on #2, is carried onto #3 (kept meanwhile) and kept. Served by `autoresearch serve` and
// opened in Chromium: the lineage draws #4 with both parents, and #4's page names both.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { carryDeps, COMBINED_STEPS, orderedProposer, SPACED_TRAINER } from '../helpers/carry-run.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`a combination's two parents in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    // Proposals made one at a time by each slot (queueDepth 0): the scripted order (#3 waits for #4 to start,
    // #4 for #3 to end) forces the carry at decision time, and two proposals made ahead at once would wait on each other.
    const { dir } = scoredProject({ agent: { queueDepth: 0 } }, { 'train.mjs': SPACED_TRAINER });
    const handle = await startRun({ projectDir: dir, tag: 'test', slots: 2, maxExperiments: 4, deps: carryDeps(orderedProposer(dir, COMBINED_STEPS)) });
    await handle.done;
    // The run really produced the combination this test is about.
    const four = (await readRunRecord(dir, 'test')).experiments.get(4)!;
    expect([four.status, four.baseId, four.carried?.fromBaseId]).toEqual(['keep', 3, 2]);
    served = await startServe({ projectDir: dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  it('draws the combination with both parents in the lineage', async () => {
    await page.goto(`${served.url}#/history/test`);
    await page.evaluate(() => localStorage.setItem('autoresearch.theme', 'dark'));
    await page.reload();
    await page.getByTestId('tab-lineage').click();
    await page.getByTestId('lineage').waitFor();
    const node = page.locator('[data-testid=lineage-node][data-id="4"]');
    await expect(node.getAttribute('data-parent')).resolves.toBe('3');
    await expect(node.getAttribute('data-carried-from')).resolves.toBe('2');
    // Two links end at #4: the solid one from #3, the dashed one from #2.
    await expect(page.locator('path.lineage-edge[data-to="4"]').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-from')}:${e.classList.contains('carried')}`).sort())).resolves.toEqual(['2:true', '3:false']);
    await expect(page.locator('[data-testid=lineage-carried-edge]').count()).resolves.toBe(1);
    await expect(node.locator('title').textContent()).resolves.toMatch(/based on #3 · its change proposed on #2, carried onto #3/);
    await expect(page.getByTestId('lineage').textContent()).resolves.toContain('A dashed link: a change proposed on an older best');
    await screenshot(page, 'lineage-combination-dark');
  });

  it("names both parents on the combination's page, each a link", async () => {
    await page.locator('[data-testid=lineage-node][data-id="4"]').click();
    const xp = page.locator('[data-testid=experiment][data-id="4"]');
    await xp.waitFor();
    const parents = page.getByTestId('carried-from');
    await expect(parents.textContent()).resolves.toMatch(/parents #3 \(carried onto\) and #2 \(proposed on; 1\.\d{6} alone\)/);
    await page.getByTestId('carried-from-link').click();
    await page.locator('[data-testid=experiment][data-id="2"]').waitFor();
    await page.goBack();
    await page.getByTestId('parent-link').click();
    await page.locator('[data-testid=experiment][data-id="3"]').waitFor();
  });

  it('is legible in the light theme too', async () => {
    await page.evaluate(() => localStorage.setItem('autoresearch.theme', 'light'));
    await page.goto(`${served.url}#/history/test`);
    await page.getByTestId('tab-lineage').click();
    await page.locator('[data-testid=lineage-carried-edge]').waitFor();
    await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe('light');
    await screenshot(page, 'lineage-combination-light');
    await page.goto(`${served.url}#/history/test/4`);
    await page.getByTestId('carried-from').waitFor();
    await screenshot(page, 'combination-detail-light');
    expect(errors).toEqual([]);
  });
});
