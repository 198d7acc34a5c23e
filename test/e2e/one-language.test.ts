// One language for numbers: one real run (the built CLI, the mutation proposer, a trainer whose val_bpb is
// a known function of its constants, lower is better) read through every place that states its results:
// the CLI's experiment lines and `status`, the History cards and table, an experiment's page, the dashboard
// and the status bar (Chromium via `autoresearch serve`), and the HTML (in Chromium) and Markdown reports. Each experiment's change, its
// better/worse, the run's improvement and the kept count must read the same everywhere, and must mean what
// the journal's raw numbers say.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, git, makeRepo, writeConfig } from '../helpers/project.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

// Best at LR = 0.08 and HIDDEN = 40: mutations of the two constants give keeps and discards.
const TRAINER = `const LEARNING_RATE = 0.01;
const HIDDEN = 32;
const loss = 1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1 + Math.abs(HIDDEN - 40) * 0.001;
console.log('val_bpb:          ' + loss.toFixed(6));
`;

const TAG = 'lang';
const CHANGE = /[+-]?\d+\.\d{6} \([+-]?\d+\.\d+ %\) (?:better|worse|no change)/;

/** What a change must say, derived here from the raw numbers (val_bpb: lower is better). */
function expectedChange(value: number, reference: number): string {
  const delta = value - reference;
  const sign = delta > 0 ? '+' : delta < 0 ? '-' : '';
  const pct = (Math.abs(delta) / Math.abs(reference)) * 100;
  const verdict = delta < 0 ? 'better' : delta > 0 ? 'worse' : 'no change';
  return `${sign}${Math.abs(delta).toFixed(6)} (${sign}${pct.toFixed(2)} %) ${verdict}`;
}

describe.skipIf(unavailable !== null)(`one language for numbers${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: string;
  let runOut: string;
  let experiments: Experiment[];
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    dir = makeRepo({ 'train.mjs': TRAINER, 'prepare.mjs': '// evaluator: protected\n', 'program.md': '# program\nImprove val_bpb.\n' });
    writeConfig(dir, {
      run: { command: `"${process.execPath}" train.mjs` },
      files: { editable: ['train.mjs'], protected: ['prepare.mjs'] },
      metric: { name: 'val_bpb', direction: 'min' },
      budget: { seconds: 5, timeoutSeconds: 20, graceSeconds: 1 },
    });
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'config');
    const run = await runCli(['run', dir, '--tag', TAG, '--max-experiments', '8'], { timeoutMs: 240_000 });
    expect(run.code, run.stderr).toBe(0);
    runOut = run.stdout;
    experiments = [...(await readRunRecord(dir, TAG)).experiments.values()].sort((a, b) => a.id - b.id);
    served = await startServe({ projectDir: dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1500, height: 900 } });
    errors = watchPageErrors(page);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  it('states every experiment, the improvement and the kept count the same way in the CLI, the app and both reports', async () => {
    // The fixture run is worth checking: a baseline, keeps that lowered val_bpb and discards that raised it.
    const baseline = experiments.find((e) => e.kind === 'baseline')!;
    const candidates = experiments.filter((e) => e.kind === 'candidate' && e.metric !== null);
    const kept = experiments.filter((e) => e.kind === 'candidate' && e.status === 'keep').length;
    expect(kept).toBeGreaterThan(0);
    expect(candidates.some((e) => e.status === 'discard' && e.metric! > e.bestBefore!)).toBe(true);
    const best = Math.min(...experiments.filter((e) => e.status === 'keep').map((e) => e.metric!));
    const improvement = expectedChange(best, baseline.metric!);
    expect(improvement).toMatch(/^-\d+\.\d{6} \(-\d+\.\d{2} %\) better$/);
    const changes = new Map(candidates.map((e) => [e.id, expectedChange(e.metric!, e.bestBefore!)]));

    // 1. The CLI's experiment lines, as `run` printed them.
    const lineOf = (id: number) => runOut.split('\n').find((l) => new RegExp(`^\\s*#${id}\\s`).test(l));
    for (const [id, change] of changes) expect(lineOf(id), `CLI line #${id}`).toContain(` ${change} `);
    expect(lineOf(baseline.id)).not.toMatch(CHANGE);

    // 2. `autoresearch status`.
    const status = await runCli(['status', dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`improvement ${improvement}`);
    expect(status.stdout).toContain(`${experiments.length} experiments (baseline included): ${kept} kept,`);

    // 3. The History cards, table and status bar in Chromium.
    await page.goto(`${served.url}#/history/${TAG}`);
    await page.getByTestId('history-table').and(page.locator(`[data-rows="${experiments.length}"]`)).waitFor({ timeout: 60_000 });
    expect((await page.getByTestId('fig-improvement').innerText()).split('\n').pop()!.trim()).toBe(improvement);
    expect((await page.getByTestId('fig-kept').innerText()).split('\n').pop()!.trim()).toBe(String(kept));
    for (const e of experiments) {
      const cell = page.locator(`[data-testid=history-row][data-id="${e.id}"] [data-testid=row-change]`);
      const text = (await cell.innerText()).replace(/\s+/g, ' ').trim();
      expect(text, `History row #${e.id}`).toBe(changes.get(e.id) ?? '—');
      if (changes.has(e.id)) {
        // The word is coloured by what it says, not by the sign.
        const verdict = changes.get(e.id)!.endsWith('better') ? 'better' : 'worse';
        expect(await cell.locator(`.verdict-${verdict}`).count()).toBe(1);
      }
    }
    expect(await page.getByTestId('status-experiments').innerText()).toContain(`${kept} kept`);
    // The keep filter also lists the baseline's row, and says so.
    const chip = page.getByTestId('filter-keep');
    expect((await chip.innerText()).replace(/\s+/g, ' ').trim()).toBe(`keep ${kept} + baseline`);
    expect(await chip.getAttribute('title')).toBe(`${kept + 1} keep rows (the baseline + ${kept} kept)`);
    await screenshot(page, 'one-language-history');

    // The experiment page of a discard and the dashboard say it the same way too.
    const discard = candidates.find((e) => e.status === 'discard')!;
    await page.goto(`${served.url}#/history/${TAG}/${discard.id}`);
    const detail = page.getByTestId('xp-change').locator('.figure-value');
    await detail.waitFor();
    expect((await detail.innerText()).trim()).toBe(changes.get(discard.id));
    await screenshot(page, 'one-language-experiment');
    await page.goto(`${served.url}#/run`);
    const header = page.getByTestId('hdr-change').locator('.figure-value');
    await header.waitFor();
    expect((await header.innerText()).trim()).toBe(improvement);
    expect((await page.getByTestId('hdr-kept').locator('.figure-value').innerText()).trim()).toBe(String(kept));
    for (const row of await page.getByTestId('latest-row').all()) {
      const id = Number(await row.getAttribute('data-id'));
      expect((await row.locator('td').nth(3).innerText()).replace(/\s+/g, ' ').trim(), `dashboard #${id}`).toBe(changes.get(id) ?? '—');
    }
    await screenshot(page, 'one-language-dashboard');
    expect(errors).toEqual([]);

    // 4. The HTML report, opened in Chromium.
    const htmlFile = path.join(dir, 'report.html');
    expect((await runCli(['report', dir, '--tag', TAG, '--out', htmlFile])).code).toBe(0);
    const report = await browser.newPage();
    await report.goto(pathToFileURL(htmlFile).href);
    const card = (label: string) => report.locator('.card').filter({ has: report.locator('.label', { hasText: new RegExp(`^${label}$`) }) }).locator('.value');
    expect((await card('Improvement').innerText()).trim()).toBe(improvement);
    expect((await card('Kept').innerText()).trim()).toBe(String(kept));
    const htmlRows = await report.locator('table.exps tbody tr').evaluateAll((rows) =>
      rows.map((r) => {
        const cells = [...r.querySelectorAll('td')].map((td) => (td.textContent ?? '').replace(/\s+/g, ' ').trim());
        return { id: Number(cells[0]), change: cells[4]! };
      }),
    );
    expect(htmlRows).toHaveLength(experiments.length);
    for (const r of htmlRows) expect(r.change, `HTML row #${r.id}`).toBe(changes.get(r.id) ?? '');
    await report.close();

    // 5. The Markdown report.
    const mdFile = path.join(dir, 'report.md');
    expect((await runCli(['report', dir, '--tag', TAG, '--format', 'md', '--out', mdFile])).code).toBe(0);
    const md = await readFile(mdFile, 'utf8');
    expect(md).toContain(`| Improvement | ${improvement} |`);
    expect(md).toContain(`| Kept | ${kept} (baseline not counted) |`);
    const mdRows = md
      .slice(md.indexOf('## All experiments'))
      .split('\n')
      .filter((l) => /^\| \d+ \|/.test(l))
      .map((l) => l.split(' | ').map((c) => c.replace(/^\| /, '').trim()));
    expect(mdRows).toHaveLength(experiments.length);
    for (const cells of mdRows) expect(cells[4], `Markdown row #${cells[0]}`).toBe(changes.get(Number(cells[0])) ?? '');
  }, 240_000);
});
