// History → Finalize… in Chromium against `autoresearch serve`: the button makes the branch through the
// Api, the panel lists the commits, a second try on the same name says why it cannot.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../src/core/loop/start-run.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`finalize from History in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: string;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dir = scoredProject().dir;
    const steps = [setConst('LEARNING_RATE', '0.02'), setConst('LEARNING_RATE', '0.005'), setConst('LEARNING_RATE', '0.04')];
    const handle = await startRun({
      projectDir: dir,
      tag: 'f',
      maxExperiments: steps.length,
      deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => scriptedProposer(steps) },
    });
    await handle.done;
    served = await startServe({ projectDir: dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchPageErrors(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  it('creates the branch with one commit per keep and reports a name that is taken', async () => {
    const head = git(dir, 'rev-parse', 'HEAD');
    await page.goto(`${served.url}#/history/f`);
    await page.getByTestId('history').waitFor({ timeout: 60_000 });
    await page.getByTestId('finalize-open').click();
    await expect(page.getByTestId('finalize-branch').inputValue()).resolves.toBe('autoresearch/f-final');
    await page.getByTestId('finalize-go').click();
    const result = page.getByTestId('finalize-result');
    await result.waitFor({ timeout: 30_000 });
    const text = await result.innerText();
    expect(text).toMatch(/Branch autoresearch\/f-final from [0-9a-f]{7}: 2 commits/);
    expect(text).toMatch(/#1 LEARNING_RATE → 0\.02/);
    expect(text).toMatch(/#3 LEARNING_RATE → 0\.04/);
    expect(text).toMatch(/final\.patch/);
    await screenshot(page, 'finalize-history');
    expect(git(dir, 'rev-list', '--count', 'main..autoresearch/f-final').trim()).toBe('2');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);

    await page.getByTestId('finalize-go').click();
    const error = page.getByTestId('finalize-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.innerText()).toMatch(/autoresearch\/f-final already exists/);

    // A minimum confidence: not a number keeps the button off; a number reaches the engine (this metric has no
    // noise, so every keep is exact and passes any threshold; the trailer shows the option was applied).
    await page.getByTestId('finalize-branch').fill('review/confident');
    await page.getByTestId('finalize-min-confidence').fill('high');
    expect(await page.getByTestId('finalize-go').isDisabled()).toBe(true);
    await page.getByTestId('finalize-min-confidence').fill('3');
    await page.getByTestId('finalize-go').click();
    await page.getByText('Branch review/confident from').waitFor({ timeout: 30_000 });
    expect(git(dir, 'log', '-1', '--format=%B', 'review/confident')).toContain('Autoresearch-Min-Confidence: 3');
    expect(git(dir, 'rev-list', '--count', 'main..review/confident').trim()).toBe('2');
    expect(errors).toEqual([]);
  }, 120_000);
});
