// The README's promise, as a newcomer meets it: on a busy 2-core machine with bubblewrap present, in a fresh
// home folder with none of the suite's switches, `npm start` (no display here, so the browser fallback) prints
// a URL; the browser opens it on the bundled demo, Start is pressed, and the dashboard shows a kept improvement
// that its confidence column marks as beyond the noise. Nothing here is faked: the demo is created by
// `npm start` itself, in ~/.autoresearch-studio/demo, and its trainer runs sandboxed.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { findBwrap } from '../../src/core/exec/sandbox.js';
import { waitUntil } from '../helpers/processes.js';
import { TEST_TMP } from '../helpers/project.js';
import { APP_ROOT, e2eUnavailable, launchBrowser, screenshot, watchPageErrors } from './helpers/serve.js';

const unavailable = e2eUnavailable();
const bwrap = await findBwrap();
if (!bwrap && process.env.CI === 'true') throw new Error('bubblewrap (bwrap) is missing or cannot create namespaces; .ci/run installs it.');

const URL_RE = /http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/;

describe.skipIf(unavailable !== null || !bwrap)(`a newcomer's first run${unavailable ? ` (skipped: ${unavailable})` : !bwrap ? ' (skipped: no working bubblewrap)' : ''}`, () => {
  let home = '';
  let start: ChildProcess | null = null;
  let output = '';
  const busy: ChildProcess[] = [];
  let browser: Browser | null = null;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    home = await mkdtemp(path.join(TEST_TMP, 'ar-newcomer-home-'));
    // Two busy loops beside the run, as on a laptop doing other work.
    for (let i = 0; i < 2; i++) busy.push(spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' }));
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home };
    // What a newcomer's shell has: no data-folder override, no sandbox switch, no display on this machine.
    for (const k of ['AUTORESEARCH_DATA_DIR', 'AUTORESEARCH_SANDBOX', 'DISPLAY', 'WAYLAND_DISPLAY', 'npm_config_cache']) delete env[k];
    start = spawn('npm', ['start'], { cwd: APP_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    start.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    start.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    for (const b of busy) b.kill('SIGKILL');
    await browser?.close();
    if (start?.pid) {
      // npm start's own process group: npm, start.mjs and the server. npm may exit before the server has finished
      // stopping its run (journal, snapshot, worktrees), so wait until the whole group is gone before removing HOME.
      const groupAlive = () => {
        try {
          process.kill(-start!.pid!, 0);
          return true;
        } catch {
          return false;
        }
      };
      if (groupAlive()) process.kill(-start.pid, 'SIGTERM');
      if (!(await waitUntil(() => !groupAlive(), 30_000))) {
        process.kill(-start.pid, 'SIGKILL');
        await waitUntil(() => !groupAlive(), 10_000);
      }
    }
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('npm start prints a URL; Start on the demo keeps an improvement beyond the noise', async () => {
    const deadline = Date.now() + 120_000;
    while (!URL_RE.test(output) && Date.now() < deadline && start!.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    const url = URL_RE.exec(output)?.[0];
    expect(url, output).toBeDefined();
    const demo = path.join(home, '.autoresearch-studio', 'demo');
    expect(existsSync(path.join(demo, '.autoresearch', 'config.json')), output).toBe(true);

    await page.goto(url!);
    await page.getByTestId('view-run').waitFor({ timeout: 60_000 });
    await page.getByTestId('run-max').fill('6');
    await page.getByTestId('run-start').click();
    // The baseline's row arrives first, then the candidates; wait for a kept one beyond the noise.
    await page.getByTestId('latest-row').first().waitFor({ timeout: 120_000 });
    const kept = page.locator('[data-testid="latest-row"]:not([data-id="0"])').filter({ has: page.locator('[data-status="keep"]') });
    await kept.first().waitFor({ timeout: 600_000 });
    await screenshot(page, 'newcomer-kept');
    const confidence = (await kept.first().getByTestId('latest-confidence').textContent())?.trim() ?? '';
    // "exact" (the metric has no noise) or "N SE" without the "≈" of a keep within the noise; never "?".
    expect(confidence).toMatch(/^(exact|\d+(\.\d)? SE)$/);
    expect(await kept.first().getByTestId('keep-within-noise').count()).toBe(0);
    const sandboxWarning = await page.getByText(/No sandbox|sandbox is off/).count();
    expect(sandboxWarning).toBe(0);
    expect(errors).toEqual([]);
  }, 900_000);
});
