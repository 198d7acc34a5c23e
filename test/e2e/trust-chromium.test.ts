// Trust before anything runs, in Chromium against `autoresearch serve`: a project whose config someone else wrote
// (and whose .git/config names a filter) opens with the trust panel listing each command and git program, Start is
// disabled with the reason and nothing runs; after "Trust these commands" the panel goes and Start runs it.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, makeRepo, trainerStateDir } from '../helpers/project.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

// Leaves a mark in its linked state folder each time it runs, then reports a metric.
const MARKING_TRAINER = `import { appendFileSync } from 'node:fs';
appendFileSync('state/ran', 'x\\n');
console.log('val_bpb: 1.0');
`;

describe.skipIf(unavailable !== null)(`the trust panel in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: string;
  let marker: string;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    // Written as a colleague's tarball would have it: plain files, never trusted on this machine.
    dir = makeRepo({ 'train.mjs': MARKING_TRAINER, 'program.md': '# program\n' });
    marker = path.join(trainerStateDir(dir), 'ran');
    const config = ProjectConfigSchema.parse({
      run: { command: `"${process.execPath}" train.mjs` },
      files: { editable: ['train.mjs'], linked: ['state'] },
      metric: { name: 'val_bpb', direction: 'min' },
      budget: { seconds: 5, timeoutSeconds: 20, graceSeconds: 1 },
      acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 },
      // The trainer writes its linked state folder (linked inputs are read-only by default).
      sandbox: { readOnlyInputs: false },
    });
    mkdirSync(path.join(dir, '.autoresearch'), { recursive: true });
    writeFileSync(path.join(dir, '.autoresearch', 'config.json'), JSON.stringify(config, null, 2));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'config');
    git(dir, 'config', 'filter.evil.clean', 'touch /nonexistent/evil');
    served = await startServe({ projectDir: dir, timeoutMs: 120_000 });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    errors = watchPageErrors(page);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  it('lists what would run, keeps Start disabled with the reason, and runs nothing', async () => {
    await page.goto(`${served.url}#/run`);
    const panel = page.getByTestId('trust-panel');
    await panel.waitFor();
    await expect(panel.getAttribute('data-state')).resolves.toBe('untrusted');
    const keys = await page.getByTestId('trust-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-key')));
    expect(keys).toEqual(expect.arrayContaining(['run.command', 'agent.proposer', 'filter.evil.clean']));
    await expect(page.locator('[data-key="run.command"] pre').textContent()).resolves.toContain('train.mjs');
    await expect(page.locator('[data-key="filter.evil.clean"]').textContent()).resolves.toContain('switched off by the app');
    const start = page.getByTestId('run-start');
    await expect(start.isDisabled()).resolves.toBe(true);
    await expect(start.getAttribute('title')).resolves.toMatch(/Trust the project's commands first/);
    // The empty dashboard below the panel says the same, not "press Start" alone.
    await expect(page.getByTestId('dashboard-empty').textContent()).resolves.toMatch(/Trust the project's commands first.*then press Start/);
    await screenshot(page, 'trust-panel-untrusted');
    expect(existsSync(marker)).toBe(false);
  });

  it('after Trust these commands the panel goes, and Start runs the project', async () => {
    await page.getByTestId('trust-approve').click();
    await page.getByTestId('trust-panel').waitFor({ state: 'detached' });
    const start = page.getByTestId('run-start');
    await expect.poll(() => start.isDisabled(), { timeout: 10_000 }).toBe(false);
    await expect(page.getByTestId('dashboard-empty').textContent()).resolves.toMatch(/The project is set up: press Start/);
    await page.getByTestId('run-max').fill('1');
    await start.click();
    expect(await waitUntil(() => existsSync(marker), 60_000, 100)).toBe(true);
    await screenshot(page, 'trust-panel-trusted-running');
    expect(errors).toEqual([]);
  });
});
