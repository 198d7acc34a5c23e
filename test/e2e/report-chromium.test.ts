// The report as a person sees it: the HTML file opened from disk (file://) in the system Chromium, with
// every network request recorded. Screenshots land in test-results/ (gitignored) for a human to look at.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportRunReport } from '../../src/core/report/export.js';
import { renderHtmlReport } from '../../src/core/report/html.js';
import { reportInputFromTsv } from '../../src/core/report/load-tsv.js';
import { buildReportModel } from '../../src/core/report/model.js';
import { makeGitRun } from '../fixtures/make-run.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const RESULTS = path.join(repoRoot, 'test-results');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const TSV = readFileSync(path.join(repoRoot, 'test', 'fixtures', 'autoresearch-h100-mar8-results.tsv'), 'utf8');

let root: string;
let browser: Browser;

interface Opened {
  readonly page: Page;
  /** Every URL the page asked for, the document itself included. */
  readonly requests: string[];
  readonly problems: string[];
}

async function open(file: string, colorScheme: 'light' | 'dark'): Promise<Opened> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 }, colorScheme, offline: true });
  const page = await context.newPage();
  const requests: string[] = [];
  const problems: string[] = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => {
    if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, requests, problems };
}

async function shoot(page: Page, name: string, selector?: string): Promise<void> {
  await mkdir(RESULTS, { recursive: true });
  const file = path.join(RESULTS, `${name}.png`);
  if (selector) await page.locator(selector).first().screenshot({ path: file });
  else await page.screenshot({ path: file, fullPage: true });
}

/** The value shown on the summary card with this label. */
async function cardValue(page: Page, label: string): Promise<string> {
  const card = page.locator('.card').filter({ has: page.locator('.label', { hasText: new RegExp(`^${label}$`, 'i') }) });
  expect(await card.count()).toBe(1);
  expect(await card.isVisible()).toBe(true);
  return (await card.locator('.value').innerText()).trim();
}

describe.skipIf(!existsSync(CHROMIUM))('the HTML report in Chromium', () => {
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'ar-report-e2e-'));
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('opens the real H100 report offline with baseline 0.997900, best 0.969686, 126 experiments, 22 kept', async () => {
    const file = path.join(root, 'autoresearch-h100-mar8-report.html');
    const model = buildReportModel(reportInputFromTsv(TSV, { fileName: 'autoresearch-h100-mar8-results.tsv', appVersion: '0.1.0' }));
    await writeFile(file, renderHtmlReport(model));

    for (const scheme of ['light', 'dark'] as const) {
      const { page, requests, problems } = await open(file, scheme);
      expect(await cardValue(page, 'Baseline')).toBe('0.997900');
      expect(await cardValue(page, 'Best')).toBe('0.969686');
      expect(await cardValue(page, 'Experiments')).toBe('126');
      expect(await cardValue(page, 'Kept')).toBe('22');
      expect(await cardValue(page, 'Improvement')).toBe('-0.028214 (-2.83 %) better');
      expect(await cardValue(page, 'Keep rate \\(autoresearch notebook\\)')).toBe('18.4 %');
      expect(await cardValue(page, 'Crashes')).toBe('1');
      const text = await page.locator('body').innerText();
      expect(text).toContain('baseline not counted');
      expect(text).toContain('Autoresearch Progress: 126 Experiments, 22 Kept Improvements');

      // The chart is drawn at a readable size, with its 23 green dots: the baseline and the 22 kept.
      const chart = page.locator('svg.pc');
      const box = (await chart.boundingBox())!;
      expect(box.width).toBeGreaterThan(900);
      expect(box.height).toBeGreaterThan(400);
      expect(await page.locator('svg.pc circle.pc-kept:has(> title)').count()).toBe(23);
      expect(await page.locator('table.exps tbody tr').count()).toBe(126);

      // Nothing but the file itself was loaded, and the page raised no error (a CSP violation would).
      expect(requests).toEqual([pathToFileURL(file).href]);
      expect(problems).toEqual([]);

      // Dark mode is real: the page background follows the system.
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      expect(bg).toBe(scheme === 'dark' ? 'rgb(1, 4, 9)' : 'rgb(246, 247, 249)');

      await shoot(page, `report-h100-${scheme}`);
      await shoot(page, `report-h100-chart-${scheme}`, 'section.chart');
      await page.context().close();
    }
  });

  it('shows the kept diffs of a real project run', async () => {
    const project = path.join(root, 'nanochat');
    await makeGitRun(project, {
      tag: 'mar8',
      baseline: 0.9979,
      baselineTrainPy: 'lr = 0.1\ndepth = 8\n',
      noiseValues: [0.9979, 0.9984, 0.9975],
      steps: [
        { status: 'keep', metric: 0.986, description: 'raise lr to 0.2', trainPy: 'lr = 0.2\ndepth = 8\n' },
        { status: 'discard', metric: 0.99, description: 'depth 9', trainPy: 'lr = 0.2\ndepth = 9\n' },
        { status: 'crash', metric: null, description: 'syntax error <script>alert(1)</script>', trainPy: 'lr = 0.2\ndepth = (\n' },
        { status: 'keep', metric: 0.981, description: 'depth 10', trainPy: 'lr = 0.2\ndepth = 10\n' },
      ],
    });
    const written = await exportRunReport(project, 'mar8', 'html');
    const { page, requests, problems } = await open(written.path, 'light');
    const kept = page.locator('details.kept');
    expect(await kept.count()).toBe(2);
    const second = kept.nth(1);
    expect(await second.locator('summary').innerText()).toMatch(/#4\s+depth 10\s+0\.981000/);
    const diff = second.locator('pre.diff');
    expect(await diff.isVisible()).toBe(true);
    expect(await diff.innerText()).toContain('+depth = 10');
    // The crash's description shows as text, not as a script.
    expect(await page.locator('table.exps').innerText()).toContain('syntax error <script>alert(1)</script>');
    expect(await page.evaluate(() => document.querySelectorAll('script').length)).toBe(0);
    expect(requests).toEqual([pathToFileURL(written.path).href]);
    expect(problems).toEqual([]);
    await shoot(page, 'report-project-light');
    await page.context().close();
  });
});
