// Opening projects through the Start screen in Chromium against `autoresearch serve`: the typed path opens
// an autoresearch-layout repository into setup, the status bar and recent list follow, and a recent project
// opens again with one click. The browser has no native folder picker, so there is no "Open folder…" button
// here and the Api refuses chooseProject with what to do instead.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { e2eUnavailable, launchBrowser, makeDemoCopy, screenshot, startServe, watchPageErrors, type DemoCopy, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`Start screen opens projects in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let demo: DemoCopy;
  let other: string;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    demo = await makeDemoCopy();
    // A second project in autoresearch's own layout, never opened before (no .autoresearch/config.json).
    other = await mkdtemp(path.join(tmpdir(), 'ar-nanochat-'));
    await writeFile(path.join(other, 'train.py'), 'print("val_bpb: 0.99")\n');
    await writeFile(path.join(other, 'prepare.py'), '# the evaluator\n');
    await writeFile(path.join(other, 'program.md'), '# program\n');
    for (const args of [['init', '-q', '-b', 'main'], ['add', '-A'], ['-c', 'user.name=T', '-c', 'user.email=t@example.com', 'commit', '-q', '-m', 'init']]) {
      execFileSync('git', args, { cwd: other, stdio: 'ignore' });
    }
    served = await startServe({ projectDir: demo.dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await demo?.cleanup();
    if (other) await rm(other, { recursive: true, force: true });
  });

  it('opens a typed folder from the Start screen into setup, and lists it under recent projects', async () => {
    await page.goto(`${served.url}#/start`);
    await page.getByTestId('status-connection').and(page.locator('[data-connected="true"]')).waitFor();
    await expect(page.getByTestId('current-project').textContent()).resolves.toContain(path.basename(demo.dir));
    // serve has no native dialog: the path field, not the button.
    await expect(page.getByTestId('open-folder').count()).resolves.toBe(0);

    await page.getByTestId('open-dir').fill(other);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('view-setup').waitFor();
    await expect(page.getByTestId('status-project').textContent()).resolves.toContain(path.basename(other));
    await screenshot(page, 'start-open-project-setup');

    await page.getByTestId('nav-start').click();
    await page.getByTestId('view-start').waitFor();
    await expect(page.getByTestId('current-project').textContent()).resolves.toContain(other);
    const recent = page.getByTestId('recent-projects');
    await expect(recent.textContent()).resolves.toContain(other);
    await screenshot(page, 'start-open-project-recent');
  });

  it('opens a recent project again with one click (the demo, set up, goes straight to the run view)', async () => {
    await page.getByTestId('recent-projects').getByText(demo.dir, { exact: true }).click();
    await page.getByTestId('view-run').waitFor();
    await expect(page.getByTestId('status-project').textContent()).resolves.toContain(path.basename(demo.dir));
  });

  it('refuses the native picker over serve with what to do instead, on the page\'s own WebSocket (CSP connect-src \'self\')', async () => {
    const answer = await page.evaluate(async () => {
      const token = new URL(location.href).searchParams.get('token') ?? '';
      const ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
      return await new Promise<unknown>((resolve, reject) => {
        ws.onerror = () => reject(new Error('the WebSocket was refused'));
        ws.onopen = () => ws.send(JSON.stringify({ id: 7, method: 'chooseProject', args: {} }));
        ws.onmessage = (m) => {
          const msg = JSON.parse(String(m.data)) as { id?: number };
          if (msg.id === 7) {
            ws.close();
            resolve(msg);
          }
        };
      });
    });
    expect(answer).toMatchObject({ id: 7, ok: false, error: { message: expect.stringMatching(/no folder picker in the browser\. Type the folder path/) } });
    await expect(page.getByTestId('status-project').textContent()).resolves.toContain(path.basename(demo.dir));
    expect(errors).toEqual([]);
  });
});
