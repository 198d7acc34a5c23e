// The live dashboard in Chromium against `autoresearch serve` on a fresh demo copy: the empty state,
// then a real run started from the UI (mutation proposer, the demo's few-second trainer, a fake
// nvidia-smi on PATH): slot card with budget bar, a terminal-like log tail, GPU bars, the run header
// with stop conditions, the chart and the latest experiments filling in; then stopped from the UI.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ROOT, e2eUnavailable, launchBrowser, makeDemoCopy, screenshot, startServe, watchPageErrors, type DemoCopy, type ServeHandle } from './helpers/serve.js';
import { trustForTest } from '../helpers/trust.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`live dashboard in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let demo: DemoCopy;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let release: string;

  beforeAll(async () => {
    demo = await makeDemoCopy();
    // Experiments from #3 on wait for a release file before they train: the test opens one while it is certainly
    // running, then lets it go and watches its log grow (no race with a trainer that takes a few seconds).
    release = path.join(path.dirname(demo.dir), 'release');
    const configFile = path.join(demo.dir, '.autoresearch', 'config.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8')) as { run: { command: string } };
    config.run.command = `while [ "$AUTORESEARCH_EXPERIMENT_ID" -ge 3 ] && [ ! -e '${release}' ]; do sleep 0.1; done; ${config.run.command}`;
    writeFileSync(configFile, JSON.stringify(config, null, 2) + '\n');
    trustForTest(demo.dir); // the test wrote these commands
    if (execFileSync('git', ['status', '--porcelain'], { cwd: demo.dir, encoding: 'utf8' }).trim()) {
      execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', 'commit', '-qam', 'hold experiments from #3 until released'], { cwd: demo.dir });
    }
    served = await startServe({
      projectDir: demo.dir,
      env: { PATH: `${path.join(APP_ROOT, 'test', 'fixtures', 'bin')}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_NVIDIA_SMI_GPUS: '2' },
    });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await demo?.cleanup();
  });

  it('says what to do when there is no run yet', async () => {
    await page.goto(`${served.url}#/run`);
    const empty = page.getByTestId('dashboard-empty');
    await empty.waitFor();
    await expect(empty.textContent()).resolves.toContain('No run yet — set up the project and press Start');
    await page.getByTestId('gpu').first().waitFor();
    await screenshot(page, 'live-empty');
  });

  it('shows the running experiment: phase, budget, log tail with \\r progress collapsed, GPUs, header', async () => {
    // Room for more experiments than this test watches (the demo's take a few seconds each): the run must
    // still be live when a running experiment is opened below; the last test stops it from the UI.
    await page.getByTestId('run-max').fill('40');
    await page.getByTestId('run-start').click();
    await page.locator('[data-testid=dashboard][data-live=true]').waitFor({ timeout: 60_000 });
    const card = page.locator('[data-testid=slot-card][data-phase=running]').first();
    await card.waitFor({ timeout: 90_000 });
    await card.getByTestId('slot-budget').waitFor();
    await expect(card.getByTestId('slot-elapsed').textContent()).resolves.toMatch(/^\d+:\d\d \/ 0:30$/);
    // Two fake GPUs: Start gives the demo's one slot GPU 0 (leased), so its card shows that one, at 97 %.
    await expect(card.getByTestId('slot-cuda').textContent()).resolves.toBe('CUDA 0');
    await expect(card.getByTestId('gpu').count()).resolves.toBe(1);
    await expect(card.locator('[data-testid=gpu][data-index="0"] [data-testid=gpu-util]').textContent()).resolves.toBe('97%');

    // The trainer rewrites one progress line with \r: the tail shows it once, updated in place.
    const tail = card.getByTestId('log-tail');
    await page.waitForFunction(() => /step \d+/.test(document.querySelector('[data-testid=log-tail]')?.textContent ?? ''), undefined, { timeout: 60_000 });
    const first = await tail.textContent();
    await page.waitForFunction((before) => {
      const now = document.querySelector('[data-testid=log-tail]')?.textContent ?? '';
      return /step \d+/.test(now) && now !== before;
    }, first, { timeout: 30_000 });
    const text = (await tail.textContent()) ?? '';
    expect(text).not.toContain('\r');
    expect(text.split('\n').filter((l) => /^step \d+/.test(l)).length).toBe(1);

    const header = page.getByTestId('run-header');
    await header.waitFor();
    const limit = page.locator('[data-testid=stop-condition][data-kind=max-experiments]');
    await limit.waitFor();
    // In the limit's own units (the Start bar asked for 40), as the failures in a row are.
    await expect(limit.getByTestId('stop-condition-progress').textContent()).resolves.toMatch(/^\d+ of 40$/);
    await expect(page.locator('[data-testid=stop-condition][data-kind=failures] [data-testid=stop-condition-progress]').textContent()).resolves.toMatch(/^\d+ of \d+$/);
    await expect(page.getByTestId('hdr-spend').textContent()).resolves.toContain('$0');
    await screenshot(page, 'live-running');
  });

  it('fills in the chart and the latest experiments as experiments finish', async () => {
    await page.waitForFunction(() => Number(document.querySelector('[data-testid=progress-chart]')?.getAttribute('data-points') ?? 0) >= 2, undefined, { timeout: 120_000 });
    await page.locator('[data-testid=latest-row][data-id="0"]').waitFor({ timeout: 60_000 });
    const best = await page.getByTestId('hdr-best').textContent();
    expect(best).toMatch(/\d\.\d{6}/);
    await expect(page.getByTestId('hdr-done').locator('.figure-value').textContent()).resolves.toMatch(/^[1-9]/);
    await screenshot(page, 'live-progress');
  });

  it('opens the running experiment from its card', async () => {
    // #3 (or a later one) is held before it trains: a running card showing it stays running until released.
    const heldLink = '[data-testid=slot-card][data-phase=running] [data-testid=slot-experiment-link]';
    await page.waitForFunction((sel) => Number((document.querySelector(sel)?.textContent ?? '#0').replace('#', '')) >= 3, heldLink, { timeout: 120_000 });
    const link = page.locator(heldLink).first();
    const id = (await link.textContent())!.replace('#', '');
    await link.click();
    await page.locator(`[data-testid=experiment][data-id="${id}"]`).waitFor();
    // Its log follows the file while the experiment runs: once released, the \r progress line on screen moves on.
    await page.getByTestId('tab-log').click();
    const viewer = page.getByTestId('log-viewer');
    await viewer.waitFor({ timeout: 30_000 });
    expect(await viewer.getAttribute('data-growing')).toBe('true');
    writeFileSync(release, '');
    const lastLine = () => page.evaluate(() => [...document.querySelectorAll('.log-line .txt')].map((e) => e.textContent).filter((t) => /step \d+/.test(t ?? '')).pop() ?? '');
    await page.waitForFunction(() => [...document.querySelectorAll('.log-line .txt')].some((e) => /step \d+/.test(e.textContent ?? '')), undefined, { timeout: 30_000 });
    const before = await lastLine();
    await page.waitForFunction(
      (b) => {
        const steps = [...document.querySelectorAll('.log-line .txt')].map((e) => e.textContent ?? '').filter((t) => /step \d+/.test(t));
        return steps.length > 0 && steps[steps.length - 1] !== b;
      },
      before,
      { timeout: 30_000 },
    );
    await screenshot(page, 'live-log-following');
    await page.keyboard.press('Escape');
    await page.getByTestId('history').waitFor();
    await page.goto(`${served.url}#/run`);
    await page.getByTestId('dashboard').waitFor();
  });

  it('shows the last run, not live, once it is stopped', async () => {
    await page.getByTestId('run-stop').click();
    await page.getByTestId('confirm-ok').click();
    await page.locator('[data-testid=dashboard][data-live=false]').waitFor({ timeout: 90_000 });
    await page.getByTestId('dashboard-not-live').waitFor();
    expect(await page.getByTestId('slot-card').count()).toBe(0);
    await screenshot(page, 'live-stopped');
  });

  it('logged no page errors', () => {
    expect(errors).toEqual([]);
  });
});
