// The real desktop app under Electron (playwright-core's Electron driver): the window's security settings,
// window.api exposing exactly the Api, no Node in the page, and the demo project connected over IPC.
// Skips with the reason where the Electron binary or a display is missing (as on the CI image).
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { API_METHODS } from '../../src/shared/api.js';
import { APP_ROOT, e2eUnavailable, makeDemoCopy, screenshot, type DemoCopy } from './helpers/serve.js';

function electronBinary(): { bin: string } | { why: string } {
  const pathFile = path.join(APP_ROOT, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return { why: "Electron's binary is not installed (node_modules/electron/path.txt is missing)" };
  const bin = path.join(APP_ROOT, 'node_modules', 'electron', 'dist', readFileSync(pathFile, 'utf8').trim());
  return existsSync(bin) ? { bin } : { why: `Electron's binary is not installed (${bin} is missing)` };
}

const found = electronBinary();
const why =
  e2eUnavailable()?.replace(/.*Chromium.*/, '') ||
  ('why' in found ? found.why : process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY ? 'no display (DISPLAY / WAYLAND_DISPLAY unset)' : null);

describe.skipIf(Boolean(why))(`desktop app under Electron${why ? ` (skipped: ${why})` : ''}`, () => {
  let demo: DemoCopy;
  let app: ElectronApplication;
  let page: Page;

  beforeAll(async () => {
    demo = await makeDemoCopy();
    const args = ['.', `--project=${demo.dir}`];
    if (process.platform === 'linux' && process.getuid?.() === 0) args.push('--no-sandbox');
    app = await _electron.launch({
      executablePath: (found as { bin: string }).bin,
      args,
      cwd: APP_ROOT,
      env: { ...(process.env as Record<string, string>), ELECTRON_RUN_AS_NODE: '' },
      timeout: 60_000,
    });
    page = await app.firstWindow();
  }, 120_000);

  afterAll(async () => {
    await app?.close();
    await demo?.cleanup();
  });

  it('opens one isolated, sandboxed window without Node', async () => {
    const prefs = await app.evaluate(({ BrowserWindow }) => {
      const wins = BrowserWindow.getAllWindows();
      // Not in the type definitions, but Electron keeps it for exactly this kind of check.
      const p = (wins[0]!.webContents as unknown as { getLastWebPreferences(): Record<string, unknown> | null }).getLastWebPreferences();
      return { count: wins.length, contextIsolation: p?.contextIsolation, sandbox: p?.sandbox, nodeIntegration: p?.nodeIntegration, webSecurity: p?.webSecurity };
    });
    expect(prefs).toEqual({ count: 1, contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true });
    await expect(page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).resolves.toBe('undefined');
    await expect(page.evaluate(() => typeof (globalThis as unknown as { process?: unknown }).process)).resolves.toBe('undefined');
  });

  it('exposes exactly the Api as window.api', async () => {
    const keys = await page.evaluate(() => Object.keys((window as unknown as { api: object }).api).sort());
    expect(keys).toEqual([...API_METHODS, 'onEvent'].sort());
  });

  it('shows the demo project, connected over IPC', async () => {
    await page.getByTestId('status-connection').and(page.locator('[data-connected="true"]')).waitFor();
    await expect(page.getByTestId('status-connection').textContent()).resolves.toContain('Connected');
    await page.getByTestId('status-project').getByText('demo').waitFor();
    await screenshot(page, 'electron-window');
  });

  it('refuses to navigate away from the app', async () => {
    const before = page.url();
    await page.evaluate(() => {
      window.location.href = 'https://example.com/';
    });
    await page.waitForTimeout(500);
    expect(page.url()).toBe(before);
  });
});
