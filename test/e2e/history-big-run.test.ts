// History, experiment detail, compare and reports in Chromium against `autoresearch serve` on a project
// with a generated 10,000-experiment run (real git commits, 2 slots, a 100 MB log) and a second run.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeBigRun, type MakeBigRunResult } from '../fixtures/make-big-run.mjs';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`history of a 10,000-experiment run in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let parent: string;
  let big: MakeBigRunResult;
  let second: MakeBigRunResult;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  const rowIds = (p: Page) => p.locator('[data-testid=history-row]').evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.id)));
  const visibleRowIds = (p: Page) =>
    p.locator('[data-testid=history-row]').evaluateAll((rows) => {
      const box = document.querySelector('[data-testid=history-scroll]')!.getBoundingClientRect();
      return rows
        .filter((r) => {
          const b = r.getBoundingClientRect();
          return b.top >= box.top - 1 && b.bottom <= box.bottom + 1;
        })
        .sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top)
        .map((r) => Number((r as HTMLElement).dataset.id));
    });

  beforeAll(async () => {
    parent = await mkdtemp(path.join(tmpdir(), 'ar-e2e-history-'));
    const dir = path.join(parent, 'project');
    big = await makeBigRun({ dir, n: 10_000, tag: 'big', slots: 2, bigLogMb: 100, bigLogId: 1, transcripts: 5, seed: 1 });
    second = await makeBigRun({ dir, n: 400, tag: 'second', seed: 9, bigLogMb: 0, transcripts: 0 });
    served = await startServe({ projectDir: dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchPageErrors(page);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (parent) await rm(parent, { recursive: true, force: true });
  });

  it('opens the history of all 10,000 experiments with only a screenful of rows in the DOM', async () => {
    await page.goto(`${served.url}#/history/big`);
    const table = page.getByTestId('history-table');
    await table.and(page.locator('[data-rows="10000"]')).waitFor({ timeout: 60_000 });
    const domRows = await page.getByTestId('history-row').count();
    expect(domRows).toBeGreaterThan(10);
    expect(domRows).toBeLessThan(120);
    await expect(page.getByTestId('fig-experiments').textContent()).resolves.toContain('10000');
    await expect(page.getByTestId('fig-kept').textContent()).resolves.toContain(String(big.counts.keep - 1));
    const chart = page.getByTestId('progress-chart');
    await expect(chart.getAttribute('data-points')).resolves.toBe('10000');
    await expect(chart.getAttribute('data-kept')).resolves.toBe(String(big.counts.keep));
    await expect(chart.getAttribute('data-failures')).resolves.toBe(String(big.counts.crash + big.counts.timeout + big.counts.rejected));
    expect(Number(await chart.getAttribute('data-labels'))).toBeGreaterThan(3);
    await screenshot(page, 'history-big-run');
  });

  it('sorts by a column, both ways, with failures last', async () => {
    await page.getByTestId('sort-metric').click();
    expect((await visibleRowIds(page))[0]).toBe(big.bestId);
    await page.getByTestId('sort-metric').click();
    const desc = await visibleRowIds(page);
    // The worst measured value first: its metric is at least the one of the next row.
    const metrics = await page.locator('[data-testid=history-row]').evaluateAll((rows) =>
      rows.sort((a, b) => a.getBoundingClientRect().top - b.getBoundingClientRect().top).map((r) => Number(r.children[2]!.textContent)),
    );
    expect(desc.length).toBeGreaterThan(5);
    for (let i = 1; i < 5; i++) expect(metrics[i - 1]!).toBeGreaterThanOrEqual(metrics[i]!);
    await page.getByTestId('sort-id').click();
    expect((await visibleRowIds(page))[0]).toBe(0);
  });

  it('filters by status and by text', async () => {
    await page.getByTestId('filter-crash').click();
    await expect(page.getByTestId('filter-count').textContent()).resolves.toBe(`${big.counts.crash.toLocaleString('en-US')} of 10,000`);
    const statuses = await page.locator('[data-testid=history-row] [data-testid=status-badge]').evaluateAll((b) => b.map((x) => (x as HTMLElement).dataset.status));
    expect(new Set(statuses)).toEqual(new Set(['crash']));
    await page.getByTestId('filter-crash').click();
    await page.getByTestId('filter-text').fill('#42');
    await expect(page.getByTestId('filter-count').textContent()).resolves.toBe('1 of 10,000');
    expect(await rowIds(page)).toEqual([42]);
    await page.getByTestId('filter-text').fill('');
    await expect(page.getByTestId('filter-count').textContent()).resolves.toBe('10,000 experiments');
  });

  it('scrolls to the last experiment', async () => {
    await page.getByTestId('history-scroll').evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForFunction(() => !!document.querySelector('[data-testid=history-row][data-id="9999"]'));
    expect(await visibleRowIds(page)).toContain(9999);
  });

  it('moves with j/k, opens with Enter and comes back with Esc', async () => {
    await page.getByTestId('history-scroll').evaluate((el) => (el.scrollTop = 0));
    await page.locator('.history-title h1').click();
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    await page.keyboard.press('k');
    await page.locator('[data-testid=history-row][aria-selected=true]').waitFor();
    const selected = Number(await page.locator('[data-testid=history-row][aria-selected=true]').getAttribute('data-id'));
    await page.keyboard.press('Enter');
    await page.locator(`[data-testid=experiment][data-id="${selected}"]`).waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('history-table').waitFor();
    await expect(page.locator('[data-testid=history-row][aria-selected=true]').getAttribute('data-id')).resolves.toBe(String(selected));
  });

  it('names an experiment on hover and opens it on click in the chart', async () => {
    const label = page.getByTestId('chart-label').nth(1);
    const id = Number(await label.getAttribute('data-id'));
    const x = Number(await label.getAttribute('data-anchor-x'));
    const y = Number(await label.getAttribute('data-anchor-y'));
    const canvas = page.getByTestId('chart-canvas');
    await canvas.hover({ position: { x, y } });
    const tooltip = page.getByTestId('chart-tooltip');
    await tooltip.waitFor();
    await expect(tooltip.getAttribute('data-id')).resolves.toBe(String(id));
    await screenshot(page, 'history-chart-hover');
    await canvas.click({ position: { x, y } });
    await page.locator(`[data-testid=experiment][data-id="${id}"]`).waitFor();
  });

  it('shows the diff of an experiment against its parent and the baseline, unified and split', async () => {
    const kept = big.bestId;
    await page.goto(`${served.url}#/history/big/${kept}`);
    await page.getByTestId('tab-diff').click();
    const view = page.getByTestId('diff-view');
    await view.waitFor();
    await page.getByTestId('diff-against-parent').click();
    await page.locator('[data-testid=diff-file][data-path="train.py"]').waitFor();
    expect(await page.locator('.diff-table tr[data-kind=add]').count()).toBeGreaterThan(0);
    expect(await page.locator('.diff-table tr[data-kind=del]').count()).toBeGreaterThan(0);
    await page.getByTestId('diff-against-baseline').click();
    await page.locator('[data-testid=diff-view][data-against=baseline] [data-testid=diff-summary]').waitFor();
    const summary = await page.getByTestId('diff-summary').textContent();
    expect(summary).toContain(big.startCommit.slice(0, 7));
    await page.getByTestId('diff-split').click();
    await page.locator('[data-testid=diff-view][data-mode=split] .diff-table.split').waitFor();
    // Both halves are on screen: the right column starts before the middle of the page.
    const rightX = await page.locator('.diff-table.split tr[data-kind=change] td.right-side').first().evaluate((td) => td.getBoundingClientRect().x);
    expect(rightX).toBeLessThan(900);
    await screenshot(page, 'history-diff-split');
    await page.getByTestId('diff-unified').click();
  });

  it('opens a 100 MB log at its end, jumps, and searches, fetching only what is on screen', async () => {
    await page.goto(`${served.url}#/history/big/${big.bigLogId}`);
    await page.getByTestId('tab-log').click();
    const viewer = page.getByTestId('log-viewer');
    await viewer.waitFor({ timeout: 60_000 });
    const total = Number(await viewer.getAttribute('data-total-lines'));
    expect(total).toBeGreaterThan(200_000);
    await page.waitForFunction(() => [...document.querySelectorAll('.log-line .txt')].some((e) => e.textContent?.startsWith('val_bpb:')));
    expect(await page.locator('.log-line').count()).toBeLessThan(200);
    // \r progress rewrites show as one terminal line each, never as raw carriage returns.
    const texts = await page.locator('.log-line .txt').allTextContents();
    expect(texts.some((t) => t.includes('\r'))).toBe(false);
    await screenshot(page, 'history-log-end');

    await page.getByTestId('log-top').click();
    await page.waitForFunction(() => document.querySelector('.log-line[data-line="1"] .txt')?.textContent?.startsWith('# experiment'));
    await page.getByTestId('log-goto').fill('123456');
    await page.getByTestId('log-goto').press('Enter');
    await page.waitForFunction(() => {
      const el = document.querySelector('.log-line.hit');
      return el?.getAttribute('data-line') === '123456' && !el.classList.contains('pending');
    });

    await page.getByTestId('log-search').fill('val_bpb:');
    await page.getByTestId('log-search').press('Enter');
    await page.waitForFunction(() => /^Line /.test(document.querySelector('[data-testid=log-search-status]')?.textContent ?? ''), undefined, { timeout: 120_000 });
    const hit = await page.locator('.log-line.hit .txt').textContent();
    expect(hit).toContain('val_bpb:');
  });

  it("shows the agent's transcript and the metrics of an experiment", async () => {
    const id = big.transcriptIds[0]!;
    await page.goto(`${served.url}#/history/big/${id}`);
    await page.getByTestId('tab-agent').click();
    await page.getByTestId('transcript').waitFor();
    expect(await page.getByTestId('transcript-tool-use').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('transcript-turn').count()).toBe(3);
    await screenshot(page, 'history-transcript');
    await page.getByTestId('tab-metrics').click();
    await page.locator('[data-testid=metric-row][data-name=val_bpb]').waitFor();
    await expect(page.getByTestId('metrics-runs').locator('tbody tr').count()).resolves.toBe(1);
  });

  it('draws the lineage of a two-slot run', async () => {
    await page.goto(`${served.url}#/history/big`);
    await page.getByTestId('tab-lineage').click();
    await page.getByTestId('lineage').waitFor();
    await expect(page.getByTestId('lineage-node').count()).resolves.toBe(big.counts.keep);
    await screenshot(page, 'history-lineage');
    await page.getByTestId('tab-table').click();
  });

  it('compares two runs on one chart', async () => {
    await page.goto(`${served.url}#/history/big`);
    await page.getByTestId('compare-with').selectOption('second');
    await page.getByTestId('compare-go').click();
    await page.locator('[data-testid=compare-chart][data-series="2"]').waitFor();
    const header = await page.getByTestId('compare-table').locator('thead').textContent();
    expect(header).toContain('big');
    expect(header).toContain('second');
    await page.getByTestId('compare-x-hours').click();
    await page.getByTestId('compare-chart').hover();
    await page.getByTestId('compare-tooltip').waitFor();
    await screenshot(page, 'history-compare');
    expect(second.counts.total).toBe(400);
  });

  it('says so when an experiment or a run does not exist', async () => {
    await page.goto(`${served.url}#/history/big/123456`);
    await page.getByTestId('experiment-missing').waitFor();
    await page.goto(`${served.url}#/history/nosuchrun`);
    await page.getByTestId('history-error').waitFor();
    await expect(page.getByTestId('history-error').textContent()).resolves.toContain('nosuchrun');
  });

  it('previews the report of the run on opening, writing nothing; exports it, offers it as a download and previews that', async () => {
    await page.goto(`${served.url}#/reports/second`);
    // Shown at once, before any export, and rendered from this run (the preview is the whole HTML report).
    const early = page.frameLocator('[data-testid=report-preview]');
    await early.locator('svg').first().waitFor({ timeout: 60_000 });
    await expect(early.locator('h1').textContent()).resolves.toContain('second');
    expect(existsSync(path.join(parent, 'project', '.autoresearch', 'reports', 'second.html'))).toBe(false);
    await page.getByTestId('export-html').click();
    await page.getByTestId('export-done').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('export-path').textContent()).resolves.toMatch(/\.autoresearch[\\/]reports[\\/].*\.html$/);
    const link = page.getByTestId('export-download');
    expect(await link.getAttribute('download')).toMatch(/\.html$/);
    expect(await link.getAttribute('href')).toMatch(/^blob:/);
    const frame = page.frameLocator('[data-testid=report-preview]');
    await frame.locator('svg').first().waitFor();
    const download = page.waitForEvent('download');
    await link.click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/\.html$/);
    await screenshot(page, 'reports-preview');
    await page.getByTestId('export-md').click();
    await page.getByTestId('report-preview-md').waitFor({ timeout: 60_000 });
    await expect(page.getByTestId('report-preview-md').textContent()).resolves.toContain('second');
    // A run that does not exist: the preview says so, with a way to try again, instead of spinning.
    await page.goto(`${served.url}#/reports/nosuchrun`);
    await page.getByTestId('report-preview-error').waitFor();
    await expect(page.getByTestId('report-preview-error').textContent()).resolves.toContain('nosuchrun');
  }, 150_000);

  it('logged no page errors', () => {
    expect(errors).toEqual([]);
  });
});
