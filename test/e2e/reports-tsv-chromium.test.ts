// Reports → "Open a results.tsv…" in Chromium against `autoresearch serve`: the real H100 results.tsv is
// picked with the file input and shows the same report and chart as `autoresearch report --from-tsv`.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { cleanupTempDirs, REPO_ROOT, scoredProject, tempDir } from '../helpers/project.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();
const TSV = path.join(REPO_ROOT, 'test', 'fixtures', 'autoresearch-h100-mar8-results.tsv');
/** The report without its "generated <time>" stamp, which differs between two renderings. */
const stable = (html: string) => html.replace(/generated [0-9-]+ [0-9:]+Z/g, 'generated —');

describe.skipIf(unavailable !== null)(`a results.tsv opened in the app's Reports${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    served = await startServe({ projectDir: scoredProject().dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  it('shows the same report and chart as report --from-tsv, and says what to do with a file it cannot read', async () => {
    await page.goto(`${served.url}#/reports`);
    await page.getByTestId('tsv-import').waitFor({ timeout: 60_000 });
    await page.getByTestId('tsv-file').setInputFiles(TSV);
    const preview = page.getByTestId('tsv-preview');
    await preview.waitFor({ timeout: 30_000 });
    const shown = (await preview.getAttribute('srcdoc'))!;
    const frame = page.frameLocator('[data-testid=tsv-preview]');
    await expect(frame.locator('svg').first().isVisible()).resolves.toBe(true);
    await expect(frame.locator('body').innerText()).resolves.toContain('0.969686');
    expect(await page.getByTestId('tsv-download').getAttribute('download')).toBe('autoresearch-h100-mar8-results-report.html');
    await screenshot(page, 'reports-tsv-import');

    const out = path.join(tempDir(), 'cli.html');
    const cli = await runCli(['report', '--from-tsv', TSV, '--out', out]);
    expect(cli.code).toBe(0);
    const fromCli = readFileSync(out, 'utf8');
    // The same document: same figures, same chart (the SVG byte for byte), same table.
    expect(stable(shown)).toBe(stable(fromCli));
    expect(shown.match(/<svg[\s\S]*?<\/svg>/)![0]).toBe(fromCli.match(/<svg[\s\S]*?<\/svg>/)![0]);

    // A metric whose direction cannot be guessed: the error says to choose it; choosing it works.
    const odd = path.join(tempDir(), 'odd.tsv');
    writeFileSync(odd, 'commit\tscore\tmemory_gb\tstatus\tdescription\nbaseline\t1.5\t1.0\tkeep\tbaseline\nabc1234\t1.7\t1.0\tkeep\tmore\n');
    await page.getByTestId('tsv-file').setInputFiles(odd);
    const error = page.getByTestId('tsv-error');
    await error.waitFor({ timeout: 30_000 });
    expect(await error.innerText()).toMatch(/odd\.tsv: Cannot tell whether a lower or a higher score is better\. Choose "lower is better" .* or "higher is better" .* and open the file again\./);
    await page.getByTestId('tsv-direction').selectOption('max');
    await page.getByTestId('tsv-file').setInputFiles(odd);
    await page.getByTestId('tsv-done').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('tsv-done').innerText()).toContain('odd.tsv');
    expect(errors).toEqual([]);
  }, 120_000);
});
