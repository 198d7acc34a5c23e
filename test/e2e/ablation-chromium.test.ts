// History → Ablate… in Chromium against `autoresearch serve`, on a demo-like run whose history is built directly
// (test/helpers/ablation-run.ts: two real keeps, a null one, one that no longer reverse-applies): a long ablation
// shows its progress and can be cancelled (nothing saved), a finished one shows the table, which stays in the
// History as one line once the panel is closed.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeAblationRun } from '../helpers/ablation-run.js';
import { cleanupTempDirs } from '../helpers/project.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`ablation from History in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: string;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dir = (await makeAblationRun('ab')).dir;
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

  it('shows progress, cancels, then ablates and shows the table in the History', async () => {
    await page.goto(`${served.url}#/history/ab`);
    await page.getByTestId('history').waitFor({ timeout: 60_000 });
    // No ablation yet: nothing about it until the button is pressed.
    expect(await page.getByTestId('ablation-summary').count()).toBe(0);
    // Finalize with a minimum contribution needs an ablation first, and says how to make one.
    await page.getByTestId('finalize-open').click();
    await page.getByTestId('finalize-min-contribution').fill('0.03');
    await page.getByTestId('finalize-go').click();
    await page.getByTestId('finalize-error').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('finalize-error').innerText()).toContain('run `autoresearch ablate --tag ab` first (History → Ablate… in the app)');
    await page.getByTestId('finalize-panel').getByRole('button', { name: 'Close' }).click();
    await page.getByTestId('ablate-open').click();
    await page.getByTestId('ablate-repeats').fill('1');
    expect(await page.getByTestId('ablate-go').isDisabled()).toBe(true);

    // A long one (4 versions × 100 runs): the progress bar moves, and Cancel stops it with nothing saved.
    await page.getByTestId('ablate-repeats').fill('100');
    await page.getByTestId('ablate-go').click();
    const progress = page.getByTestId('ablation-progress');
    await progress.getByText(/^[2-9]\d* of 400 runs · /).waitFor({ timeout: 60_000 });
    expect(Number(await progress.getByRole('progressbar').getAttribute('aria-valuenow'))).toBeLessThan(100);
    await screenshot(page, 'ablation-progress');
    await page.getByTestId('ablation-cancel').click();
    const error = page.getByTestId('ablate-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.innerText()).toContain('stopped before it finished; nothing was saved');
    await progress.waitFor({ state: 'detached', timeout: 30_000 });
    expect(existsSync(path.join(dir, '.autoresearch', 'runs', 'ab', 'ablation.json'))).toBe(false);

    // The default 3 paired runs: the table, row by row.
    await page.getByTestId('ablate-repeats').fill('3');
    await page.getByTestId('ablate-go').click();
    await page.getByTestId('ablation-table').waitFor({ timeout: 120_000 });
    const verdict = (id: number) => page.getByTestId(`ablation-row-${id}`).getAttribute('data-verdict');
    await expect(verdict(1)).resolves.toBe('did-not-apply');
    await expect(verdict(2)).resolves.toBe('null');
    await expect(verdict(3)).resolves.toBe('carries');
    await expect(verdict(4)).resolves.toBe('carries');
    expect(await page.getByTestId('ablation-row-2').innerText()).toContain('not distinguishable from 0');
    expect(await page.getByTestId('ablation-row-1').innerText()).toContain('no longer reverse-applies');
    expect(await page.getByTestId('ablation-result').innerText()).toContain('3 paired runs each under seeds 1, 2, 3');
    expect(existsSync(path.join(dir, '.autoresearch', 'runs', 'ab', 'ablation.json'))).toBe(true);
    await screenshot(page, 'ablation-history');

    // Now Finalize leaves out the null keep, and lists it.
    await page.getByTestId('finalize-open').click();
    await page.getByTestId('finalize-min-contribution').fill('0.03');
    await page.getByTestId('finalize-go').click();
    await page.getByTestId('finalize-result').waitFor({ timeout: 30_000 });
    const leftOut = await page.getByTestId('finalize-left-out').allInnerTexts();
    expect(leftOut).toHaveLength(1);
    expect(leftOut[0]).toMatch(/^#2 contributes [−+]?0\.\d+ val_bpb in the ablation, below --min-contribution 0\.03: left out\.$/);
    await page.getByTestId('finalize-panel').getByRole('button', { name: 'Close' }).click();

    // Closed, and after a reload: the saved ablation stays in the History as one line.
    await page.getByTestId('ablate-panel').getByRole('button', { name: 'Close' }).click();
    await page.reload();
    const summary = page.getByTestId('ablation-summary');
    await summary.waitFor({ timeout: 60_000 });
    expect(await summary.innerText()).toContain('2 of 4 keeps carry the result');
    expect(errors).toEqual([]);
  }, 300_000);
});
