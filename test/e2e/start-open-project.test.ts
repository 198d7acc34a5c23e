// Opening projects through the Start screen in Chromium against `autoresearch serve`: the typed path opens
// an autoresearch-layout repository into setup, the status bar and recent list follow, and a recent project
// opens again with one click. The browser has no native folder picker, so there is no "Open folder…" button
// here and the Api refuses chooseProject with what to do instead. Last, the desktop's Start screen in the same
// Chromium: a stand-in preload (window.api over serve's WebSocket, host 'electron', chooseProject answered as
// main does after the native dialog returns a folder) shows the button, and the chosen folder opens.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { API_METHODS } from '../../src/shared/api.js';
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

    // Completion: the folders of what is typed so far that start with the rest.
    const partial = path.join(path.dirname(other), path.basename(other).slice(0, -3));
    await page.getByTestId('open-dir').fill(partial);
    const options = page.getByTestId('open-dir-folders').locator('option');
    await options.first().waitFor({ state: 'attached' });
    await expect(options.evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value))).resolves.toContain(other);
    await page.getByTestId('open-dir').fill(other);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('view-setup').waitFor();
    await page.getByTestId('status-project').getByText(path.basename(other)).waitFor();
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
    await page.getByTestId('status-project').getByText(path.basename(demo.dir)).waitFor();
  });

  it('keeps the view the user went to while the project opened: the open\'s late answer does not take them back', async () => {
    // The project's own event reaches the page before the answer to openProject (and moves it to setup); here the
    // answer is held 1.5 s on the page's WebSocket, the user goes to History meanwhile, and stays there. (CI saw the
    // answer land after such a click and take the page back to the run view.)
    const held = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    let delivered!: () => void;
    const answerDelivered = new Promise<void>((r) => (delivered = r));
    await held.routeWebSocket(/\/ws/, (ws) => {
      const server = ws.connectToServer();
      let openId: number | null = null;
      ws.onMessage((m) => {
        const request = JSON.parse(String(m)) as { id: number; method: string };
        if (request.method === 'openProject') openId = request.id;
        server.send(m);
      });
      server.onMessage((m) => {
        const message = JSON.parse(String(m)) as { id?: number };
        if (openId === null || message.id !== openId) return ws.send(m);
        setTimeout(() => {
          ws.send(m);
          delivered();
        }, 1500);
      });
    });
    await held.goto(`${served.url}#/start`);
    await held.getByTestId('status-connection').and(held.locator('[data-connected="true"]')).waitFor();
    await held.getByTestId('open-dir').fill(other);
    await held.getByTestId('open-submit').click();
    await held.getByTestId('status-project').getByText(path.basename(other)).waitFor();
    await held.getByTestId('nav-history').click();
    await held.getByTestId('view-history').waitFor();
    await answerDelivered;
    // The answer is handled on the page's next turns: give it some, then the page must still be on History.
    await held.waitForTimeout(300);
    expect(await held.evaluate(() => window.location.hash)).toBe('#/history');
    await expect(held.getByTestId('view-history').count()).resolves.toBe(1);
    // The demo open again, as the tests below expect it.
    await held.getByTestId('nav-start').click();
    await held.getByTestId('open-dir').fill(demo.dir);
    await held.getByTestId('open-submit').click();
    await page.getByTestId('status-project').getByText(path.basename(demo.dir)).waitFor();
    await held.close();
  });

  it('refuses the native picker over serve with what to do instead, on the page\'s own WebSocket (CSP connect-src \'self\')', async () => {
    // The page drops the token from its address once loaded; the test knows it from serve's output.
    const answer = await page.evaluate(async (token) => {
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
    }, served.token);
    expect(answer).toMatchObject({ id: 7, ok: false, error: { message: expect.stringMatching(/no folder picker in the browser\. Type the folder path/) } });
    await page.getByTestId('status-project').getByText(path.basename(demo.dir)).waitFor();
    expect(errors).toEqual([]);
  });

  it("the desktop's Start screen: Open folder… calls chooseProject and the folder the dialog returned opens", async () => {
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const desktop = await ctx.newPage();
      const desktopErrors = watchPageErrors(desktop);
      await desktop.addInitScript(standInPreload, { methods: [...API_METHODS], chosen: other, token: served.token });
      await desktop.goto(`${served.url}#/start`);
      await desktop.getByTestId('status-connection').and(desktop.locator('[data-connected="true"]')).waitFor();
      await expect(desktop.getByTestId('open-dir').count()).resolves.toBe(0);
      await screenshot(desktop, 'start-open-project-desktop');
      await desktop.getByTestId('open-folder').click();
      await desktop.getByTestId('view-setup').waitFor();
      await expect(desktop.evaluate(() => (window as unknown as { dialogShown: number }).dialogShown)).resolves.toBe(1);
      await desktop.getByTestId('status-project').getByText(path.basename(other)).waitFor();
      expect(desktopErrors).toEqual([]);
    } finally {
      await ctx.close();
    }
  });
});

/**
 * Runs in the page before its scripts, in place of the Electron preload: window.api answers with the bridge's
 * {ok, result | error} envelopes over serve's WebSocket, says it is the desktop, and answers chooseProject the
 * way main does once the native dialog returned `chosen` (openProject on it).
 */
function standInPreload({ methods, chosen, token }: { methods: string[]; chosen: string; token: string }): void {
  const ws = new WebSocket(`ws://${location.host}/ws?token=${encodeURIComponent(token)}`);
  const ready = new Promise((resolve) => ws.addEventListener('open', resolve));
  const pending = new Map<number, (reply: unknown) => void>();
  const listeners = new Set<(e: unknown) => void>();
  let nextId = 1;
  ws.addEventListener('message', (m) => {
    const msg = JSON.parse(String(m.data)) as { id?: number; ok?: boolean; result?: unknown; error?: unknown; event?: unknown };
    if (msg.event) for (const l of listeners) l(msg.event);
    else if (msg.id !== undefined) {
      pending.get(msg.id)?.(msg.ok ? { ok: true, result: msg.result } : { ok: false, error: msg.error });
      pending.delete(msg.id);
    }
  });
  const call = async (method: string, args: unknown): Promise<{ ok: boolean; result?: unknown }> => {
    await ready;
    const id = nextId++;
    return new Promise((resolve) => {
      pending.set(id, resolve as (reply: unknown) => void);
      ws.send(JSON.stringify({ id, method, args: args ?? {} }));
    });
  };
  const api: Record<string, unknown> = {};
  for (const m of methods) api[m] = (args: unknown) => call(m, args);
  api.snapshot = async (args: unknown) => {
    const reply = await call('snapshot', args);
    const snap = reply.result as { app: object } | undefined;
    return reply.ok && snap ? { ok: true, result: { ...snap, app: { ...snap.app, host: 'electron' } } } : reply;
  };
  api.chooseProject = async () => {
    const w = window as unknown as { dialogShown?: number };
    w.dialogShown = (w.dialogShown ?? 0) + 1;
    return call('openProject', { dir: chosen });
  };
  api.onEvent = (l: (e: unknown) => void) => {
    listeners.add(l);
    return () => listeners.delete(l);
  };
  Object.defineProperty(window, 'api', { value: Object.freeze(api) });
}
