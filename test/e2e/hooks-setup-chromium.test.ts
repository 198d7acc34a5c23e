// Setup → Hooks in Chromium against `autoresearch serve` (issue #25): a hook is written in the form, its failure
// rule and time limit beside it, the schema's message shows by a bad limit, and Save writes config.hooks. The
// save is the user's own, so the hook they wrote is approved with it (trust lists it by its key).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readTrustSync } from '../../src/core/project/trust.js';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`Setup's Hooks section in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
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

  it('writes an after-experiment hook with its own failure rule and limit, and the save approves it', async () => {
    await page.goto(`${served.url}#/setup`);
    const command = page.getByTestId('field-hooks.afterExperiment.command');
    await command.waitFor({ timeout: 60_000 });
    // No hook yet: nothing but the commands is asked.
    expect(await page.getByTestId('field-hooks.afterExperiment.failStopsRun').count()).toBe(0);
    await command.fill('python3 hooks/notify.py');
    await page.getByTestId('field-hooks.afterExperiment.failStopsRun').selectOption('stop');
    const limit = page.getByTestId('field-hooks.afterExperiment.timeoutSeconds');
    await limit.fill('0');
    await page.getByTestId('error-hooks.afterExperiment.timeoutSeconds').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('error-hooks.afterExperiment.timeoutSeconds').innerText()).toBe('A hook timeout must be more than 0 seconds');
    await limit.fill('15');
    expect(await waitUntil(async () => (await page.getByTestId('error-hooks.afterExperiment.timeoutSeconds').count()) === 0, 30_000)).toBe(true);
    await screenshot(page, 'hooks-setup');
    await page.getByTestId('setup-save').click();
    expect(await waitUntil(async () => (await page.getByTestId('setup-state').getAttribute('data-state')) === 'saved', 30_000)).toBe(true);

    const config = JSON.parse(await readFile(path.join(dir, '.autoresearch', 'config.json'), 'utf8')) as { hooks: Record<string, unknown> };
    expect(config.hooks).toMatchObject({ afterExperiment: { command: 'python3 hooks/notify.py', failStopsRun: true, timeoutSeconds: 15 }, beforeExperiment: null, failStopsRun: false });
    const trust = readTrustSync(served.dataDir, dir);
    expect(trust.state).toBe('trusted');
    expect(trust.items.find((i) => i.key === 'hooks.afterExperiment')?.text).toBe('python3 hooks/notify.py');
    expect(errors).toEqual([]);
  }, 120_000);
});
