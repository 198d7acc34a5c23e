// The UI never doubles or mixes runs (Chromium against `autoresearch serve`, real runs, sandboxed trainers):
// - Start then Ctrl+Enter 150 ms later starts one loop: one run-start in the journal, one run folder;
// - runs with the same tag in two projects: each project's dashboard and History show only its own
//   experiments, with no reload in between (the bug showed A's experiments in B's views until one).
// The trainer is a few lines of Node in each project's own files (no state anywhere else); project A's
// metric is about 1, B's about 7 (the base is inline, so the mutation proposer never changes it).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRunTags } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { cleanupTempDirs, git, makeRepo, writeConfig } from '../helpers/project.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

function project(base: number): string {
  const dir = makeRepo({
    'train.mjs': [
      'const LEARNING_RATE = 0.01;',
      'const HIDDEN = 32;',
      `const loss = ${base} + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1 + Math.abs(HIDDEN - 40) * 0.001;`,
      "console.log('val_bpb: ' + loss.toFixed(6));",
      '',
    ].join('\n'),
  });
  writeConfig(dir, {
    run: { command: `"${process.execPath}" train.mjs` },
    files: { editable: ['train.mjs'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 5, timeoutSeconds: 30, graceSeconds: 1 },
  });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'config');
  return dir;
}

const journalLines = (dir: string, tag: string, type: string) => readFileSync(runPaths(dir, tag).journal, 'utf8').split('\n').filter((l) => l.includes(`"type":"${type}"`));

describe.skipIf(unavailable !== null)(`runs in the UI, one per start and per project${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let first: string;
  let a: string;
  let b: string;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    first = project(3);
    a = project(1);
    b = project(7);
    served = await startServe({ projectDir: first });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  async function openProject(dir: string): Promise<void> {
    await page.getByTestId('nav-start').click();
    await page.getByTestId('open-dir').fill(dir);
    await page.getByTestId('open-submit').click();
    await page.getByTestId('status-project').getByText(path.basename(dir)).waitFor();
  }

  /** Starts a run with this tag and experiment limit from the bar, and waits until it has stopped by itself. */
  async function runToEnd(tag: string, max: number): Promise<void> {
    await page.getByTestId('nav-run').click();
    await page.getByTestId('run-tag').fill(tag);
    await page.getByTestId('run-max').fill(String(max));
    await page.getByTestId('run-start').click();
    await page.getByTestId('toast').getByText(`Run ${tag} stopped`).first().waitFor({ timeout: 120_000 });
    await page.locator('[data-testid=dashboard][data-live=false]').waitFor({ timeout: 30_000 });
  }

  /** The dashboard's latest experiments, or History's rows, as "id base" (the metric's whole part: the project's base). */
  const latestRows = () =>
    page.$$eval('[data-testid=latest-row]', (rows) => rows.map((r) => `${r.getAttribute('data-id')} ${Math.floor(Number(r.querySelectorAll('td')[2]?.textContent))}`).sort());
  const historyRows = () =>
    page.$$eval('[data-testid=history-row]', (rows) => rows.map((r) => `${r.getAttribute('data-id')} ${Math.floor(Number(r.querySelectorAll('.xp-cell')[2]?.textContent))}`).sort());

  it('starts one loop when Start and Ctrl+Enter come back to back', async () => {
    await page.goto(`${served.url}#/run`);
    await page.getByTestId('dashboard-empty').waitFor();
    await page.getByTestId('run-max').fill('1');
    // The click, then the shortcut as soon as the click is delivered, as real input: the start is then still
    // under way (it takes round trips to the server and a baseline), with no guess at how long it takes.
    await page.getByTestId('run-start').click();
    await page.keyboard.press('Control+Enter');
    await page.getByTestId('toast').getByText(/^Run \S+ stopped/).first().waitFor({ timeout: 120_000 });
    const tags = await listRunTags(first);
    expect(tags).toHaveLength(1);
    expect(journalLines(first, tags[0]!, 'run-start')).toHaveLength(1);
    const stop = journalLines(first, tags[0]!, 'run-stop');
    expect(stop).toHaveLength(1);
    expect(JSON.parse(stop[0]!).reason).toBe('max-experiments');
    // Nothing went wrong on screen either: the second press was not turned into a failed start.
    expect(await page.locator('[data-testid=toast][data-level=error]').count()).toBe(0);
    await screenshot(page, 'runs-one-start');
  });

  it('shows each project only its own run when two projects have a run with the same tag', async () => {
    await openProject(a);
    await runToEnd('dec5', 2);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=latest-row]').length === 3);
    expect(await latestRows()).toEqual(['0 1', '1 1', '2 1']);
    await page.getByTestId('nav-history').click();
    await page.locator('[data-testid=history-table][data-rows="3"]').waitFor();
    expect(await historyRows()).toEqual(['0 1', '1 1', '2 1']);

    // Project B, with no reload: its dashboard has no run until it starts its own dec5.
    await openProject(b);
    await page.getByTestId('nav-run').click();
    await page.getByTestId('dashboard-empty').waitFor();
    await runToEnd('dec5', 1);
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=latest-row]').length === 2);
    expect(await latestRows()).toEqual(['0 7', '1 7']);
    await page.getByTestId('nav-history').click();
    await page.locator('[data-testid=history-table][data-rows="2"]').waitFor();
    expect(await historyRows()).toEqual(['0 7', '1 7']);
    await screenshot(page, 'runs-project-b-history');

    // And back to A: its own three experiments again, not B's.
    await openProject(a);
    await page.getByTestId('nav-history').click();
    // Reopening A reads its run from disk again: under a loaded machine that took more than the default 30 s once.
    await page.locator('[data-testid=history-table][data-rows="3"]').waitFor({ timeout: 90_000 });
    expect(await historyRows()).toEqual(['0 1', '1 1', '2 1']);
    await page.getByTestId('nav-run').click();
    await page.waitForFunction(() => document.querySelectorAll('[data-testid=latest-row]').length === 3);
    expect(await latestRows()).toEqual(['0 1', '1 1', '2 1']);
  });

  it('logged no page errors', () => {
    expect(errors).toEqual([]);
  });
});
