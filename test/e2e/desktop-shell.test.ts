// The shell in a real browser against `autoresearch serve` on a demo copy: it connects, shows the
// project, navigates, survives a reload (cookie), and refuses a wrong token.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { e2eUnavailable, launchBrowser, makeDemoCopy, screenshot, startServe, watchPageErrors, type DemoCopy, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`desktop shell in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let demo: DemoCopy;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    demo = await makeDemoCopy();
    served = await startServe({ projectDir: demo.dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    const code = await served?.stop();
    expect(code).toBe(0);
    await demo?.cleanup();
  });

  it('connects and shows the open demo project', async () => {
    await page.goto(served.url);
    await page.getByTestId('status-connection').and(page.locator('[data-connected="true"]')).waitFor();
    await page.getByTestId('status-project').getByText('demo').waitFor();
    await page.goto(`${served.url}#/start`);
    await page.getByTestId('current-project').waitFor();
    await screenshot(page, 'desktop-shell-start');
  });

  it('navigates with the activity bar and keyboard shortcuts', async () => {
    await page.getByTestId('nav-setup').click();
    await page.getByTestId('view-setup').waitFor();
    await page.keyboard.press('Control+3');
    await page.getByTestId('view-program').waitFor();
    await page.keyboard.press('Control+1');
    await page.getByTestId('view-start').waitFor();
    await page.keyboard.press('?');
    await page.getByTestId('shortcuts-help').waitFor();
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('shortcuts-help').count()).resolves.toBe(0);
  });

  it('keeps working after a reload without the token in the URL (cookie)', async () => {
    await page.goto(`${served.origin}/#/start`);
    await page.getByTestId('status-connection').and(page.locator('[data-connected="true"]')).waitFor();
  });

  it('switches theme and remembers it', async () => {
    const before = await page.evaluate(() => document.documentElement.dataset.theme ?? 'system');
    await page.getByTestId('theme-toggle').click();
    const after = await page.evaluate(() => document.documentElement.dataset.theme);
    expect(after).not.toBe(before);
    await page.reload();
    await expect(page.evaluate(() => document.documentElement.dataset.theme)).resolves.toBe(after);
    await screenshot(page, `desktop-shell-theme-${after}`);
    await page.getByTestId('theme-toggle').click();
  });

  it('answers 401 to a wrong token in a fresh browser context', async () => {
    const ctx = await browser.newContext();
    const p = await ctx.newPage();
    const res = await p.goto(`${served.origin}/?token=wrong`);
    expect(res?.status()).toBe(401);
    await expect(p.content()).resolves.toContain('Wrong token');
    // Without a token the page loads (it holds nothing of the user's; only the Api needs the token) and says what to
    // open instead of "Reconnecting…" forever; its WebSocket would be refused.
    const none = await p.goto(`${served.origin}/`);
    expect(none?.status()).toBe(200);
    await expect(p.getByTestId('token-needed').textContent()).resolves.toContain('Open the exact URL from the terminal');
    const refused = await p.evaluate(
      (url) => new Promise<string>((resolve) => {
        const ws = new WebSocket(url);
        ws.onopen = () => resolve('open');
        ws.onerror = () => resolve('refused');
      }),
      `${served.origin.replace('http', 'ws')}/ws`,
    );
    expect(refused).toBe('refused');
    await ctx.close();
  });

  it('explains a folder that does not exist', async () => {
    await page.goto(`${served.origin}/#/start`);
    await page.getByTestId('open-dir').fill(path.join(demo.dir, 'nope'));
    await page.getByTestId('open-submit').click();
    await expect(page.getByTestId('start-error').textContent()).resolves.toMatch(/does not exist/);
  });

  it('opens a plain folder, offers git init, and then allows a run once set up', async () => {
    const plain = await mkdtemp(path.join(tmpdir(), 'ar-plain-'));
    try {
      await writeFile(path.join(plain, 'bench.sh'), 'echo "METRIC seconds=1.5"\n');
      await page.getByTestId('open-dir').fill(plain);
      await page.getByTestId('open-submit').click();
      await page.getByTestId('setup-view').waitFor();
      await page.getByTestId('banner-not-git').waitFor();
      await expect(page.getByTestId('run-start').getAttribute('title')).resolves.toMatch(/not a git repository/);
      await screenshot(page, 'desktop-shell-not-git');
      await page.getByTestId('git-init').click();
      await page.getByTestId('banner-not-git').waitFor({ state: 'detached' });
      await expect(page.getByTestId('run-start').getAttribute('title')).resolves.toBe('Save the setup first');
      await page.getByTestId('file-editable-bench.sh').waitFor();
    } finally {
      await rm(plain, { recursive: true, force: true });
    }
  });

  it('logged no page errors', () => {
    expect(errors).toEqual([]);
  });
});
