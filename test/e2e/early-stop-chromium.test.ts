// Early stopping in Chromium against `autoresearch serve` (issue #23 item 3): a real run in which a clearly worse
// candidate was stopped partway. History shows its row as stopped-early; its page shows its partial curve against
// the best's whole curves with the point where it was stopped (screenshots under test-results/); Setup edits the
// Early stopping section with the schema's messages by the fields.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CURVE_STEPS, earlyStopRun } from '../helpers/early-stop-run.js';
import { cleanupTempDirs } from '../helpers/project.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`early stopping in History, the experiment page and Setup in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    const { dir } = await earlyStopRun();
    served = await startServe({ projectDir: dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchPageErrors(page);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  it('History shows the stopped candidate\'s row with its status chip', async () => {
    await page.goto(`${served.url}#/history/es`);
    await page.getByTestId('history').waitFor({ timeout: 60_000 });
    const rows = page.getByTestId('history-row');
    await rows.nth(2).waitFor({ timeout: 30_000 });
    const statuses = await rows.evaluateAll((els) => els.map((el) => el.querySelector('[data-testid="status-badge"]')?.getAttribute('data-status')));
    expect(statuses).toEqual(['keep', 'stopped-early', 'keep']);
    const chip = rows.nth(1).getByTestId('status-badge');
    expect(await chip.innerText()).toBe('stopped-early');
    // The chip fits its column: it is not cut off by the next cell.
    const [chipBox, metricBox] = [await chip.boundingBox(), await rows.nth(1).getByTestId('row-metric').boundingBox()];
    expect(chipBox!.x + chipBox!.width).toBeLessThanOrEqual(metricBox!.x);
    await screenshot(page, 'early-stop-history');
    expect(errors).toEqual([]);
  }, 120_000);

  it('the stopped experiment\'s page shows its partial curve against the best\'s, and where it was stopped', async () => {
    await page.goto(`${served.url}#/history/es/1`);
    const chart = page.getByTestId('curve-chart');
    await chart.waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('experiment').getAttribute('data-status')).toBe('stopped-early');
    expect(await chart.locator('h3').innerText()).toBe('Learning curve against the best (#0)');
    // The baseline's three whole curves, and this one's, cut short.
    const best = await chart.getByTestId('curve-best').evaluateAll((els) => els.map((el) => Number(el.getAttribute('data-points'))));
    expect(best).toEqual([CURVE_STEPS, CURVE_STEPS, CURVE_STEPS]);
    const self = Number(await chart.getByTestId('curve-self').getAttribute('data-points'));
    expect(self).toBeGreaterThanOrEqual(0.3 * CURVE_STEPS);
    expect(self).toBeLessThan(CURVE_STEPS);
    const stop = (await chart.getByTestId('curve-stop').textContent())!.trim();
    expect(stop).toMatch(/^stopped at step \d+$/);
    // The error banner says the same step, and that it is not a result.
    const banner = await page.getByTestId('experiment-error-text').innerText();
    expect(banner).toContain(`Stopped early at ${stop.replace('stopped at ', '')}:`);
    // Its curve lies above the best's (lower is better): the last point of its path is higher on screen than theirs.
    const lastY = (d: string) => Number(d.trim().split(' ').pop());
    const selfD = (await chart.getByTestId('curve-self').getAttribute('d'))!;
    const bestD = await chart.getByTestId('curve-best').evaluateAll((els) => els.map((el) => el.getAttribute('d')!));
    const selfLast = lastY(selfD);
    for (const d of bestD) expect(lastY(d)).toBeGreaterThan(selfLast);
    await screenshot(page, 'early-stop-experiment');
    expect(errors).toEqual([]);
  }, 120_000);

  it('Setup edits the Early stopping section and shows the schema\'s message by the field', async () => {
    await page.goto(`${served.url}#/setup`);
    const pattern = page.getByTestId('field-earlyStop.pattern');
    await pattern.waitFor({ timeout: 60_000 });
    expect(await pattern.inputValue()).toBe('step (\\d+) .* val_loss ([0-9.]+)');
    // The pattern tested on the last experiment's log: the points a run would record, step → value.
    const test = page.getByTestId('curve-test');
    await test.getByTestId('curve-test-last').click();
    await test.getByTestId('curve-test-result').waitFor({ timeout: 30_000 });
    expect(await test.getByTestId('curve-test-result').innerText()).toMatch(new RegExp(`^Read ${CURVE_STEPS} points \\(step → value\\): 1 → [0-9.]+, 2 → [0-9.]+, …, ${CURVE_STEPS - 1} → [0-9.]+, ${CURVE_STEPS} → [0-9.]+ \\(last experiment's log\\)$`));
    // ...and on pasted output, as it is typed; a pattern that reads nothing says so.
    await test.getByTestId('curve-test-input').fill('step 10 | val_loss 2.5\nstep 20 | val_loss 2.25\n');
    await test.getByText('Read 2 points (step → value): 10 → 2.5, 20 → 2.25').waitFor({ timeout: 30_000 });
    await test.getByTestId('curve-test-input').fill('epoch 1 | loss 2.5\n');
    await test.getByTestId('curve-test-error').getByText(/matched no line of this output/).waitFor({ timeout: 30_000 });
    await screenshot(page, 'early-stop-setup-test');
    await pattern.fill('(a)(b)(c)');
    await page.getByText('The pattern has 3 capture groups; it needs two (step, then value) or one').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('field-earlyStop.minFraction').fill('2');
    await page.getByText('The minimum fraction is between 0 and 1').waitFor({ timeout: 30_000 });
    await screenshot(page, 'early-stop-setup');
  }, 120_000);
});
