// The held-out check in Chromium against `autoresearch serve` (issue #22 item 4): a real trainer whose search
// metric improves while a real held-out script's metric worsens. History shows the held-out column and the warning
// (screenshot under test-results/), the dashboard shows the baseline vs the best, Setup edits the section with the
// schema's messages; the proposer was never handed anything of the held-out check.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRun } from '../../src/core/loop/start-run.js';
import { EVAL_SCRIPT, HELDOUT_VALUES } from '../helpers/heldout-run.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();
const WARNING = 'The search metric improved 15.9 % but the held-out metric got worse (0.8137 → 0.9067): the gain may not carry over.';

describe.skipIf(unavailable !== null)(`held-out check in History, the dashboard and Setup in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let proposer: ReturnType<typeof scriptedProposer>;

  beforeAll(async () => {
    const { dir } = scoredProject(
      {
        files: { editable: ['train.mjs'], protected: ['prepare.mjs', 'eval.mjs'] },
        heldout: { command: `"${process.execPath}" eval.mjs`, metric: { name: 'test_loss', direction: 'min' }, timeoutSeconds: 30 },
        // One at a time (queueDepth 0): the three scripted steps each build on the keep before them, in order.
        agent: { queueDepth: 0 },
      } as never,
      { 'eval.mjs': EVAL_SCRIPT },
    );
    // #1: the held-out script crashes on this state; #2 and #3 improve val_bpb and worsen test_loss.
    proposer = scriptedProposer([setConst('HIDDEN', '40'), setConst('LEARNING_RATE', '0.02'), setConst('LEARNING_RATE', '0.04')]);
    const handle = await startRun({
      projectDir: dir,
      tag: 'h',
      maxExperiments: 3,
      deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer },
    });
    await handle.done;
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

  it('the proposer was handed nothing of the held-out check: no config, no result', () => {
    expect(proposer.contexts).toHaveLength(3);
    const seen = JSON.stringify(proposer.contexts.map((c) => ({ config: c.config, base: c.base, baseline: c.baseline, best: c.best, history: c.history })));
    expect(seen).toContain('val_bpb');
    expect(seen).not.toContain('test_loss');
    // The config's key is there, emptied (`heldout: null`); no result and no setting of it is.
    expect(seen).toContain('"heldout":null');
    expect(seen.replaceAll('"heldout":null', '')).not.toContain('heldout');
    for (const v of HELDOUT_VALUES) expect(seen).not.toContain(v);
  });

  it('History shows the held-out column beside the metric and the warning that the gain did not carry over', async () => {
    await page.goto(`${served.url}#/history/h`);
    await page.getByTestId('history').waitFor({ timeout: 60_000 });
    const warning = page.getByTestId('heldout-warning');
    await warning.waitFor({ timeout: 30_000 });
    expect(await warning.innerText()).toContain(WARNING);
    expect(await page.getByTestId('heldout-line').innerText()).toBe('Held-out test_loss: 0.8137 (baseline) → 0.9067 (best, #3)');
    expect(await page.getByTestId('sort-heldout').innerText()).toContain('Held-out test_loss');
    const cells = await page.getByTestId('row-heldout').allInnerTexts();
    expect(cells).toEqual(['0.8137', 'failed', '0.8447', '0.9067']);
    // The crash says why, on the cell.
    expect(await page.getByTestId('row-heldout').nth(1).getAttribute('title')).toMatch(/exited with code 3/);
    await screenshot(page, 'heldout-history');
    expect(errors).toEqual([]);
  }, 120_000);

  it('the dashboard shows the best\'s held-out value against the baseline\'s, with the warning', async () => {
    await page.goto(`${served.url}#/run`);
    const warning = page.getByTestId('heldout-warning');
    await warning.waitFor({ timeout: 60_000 });
    expect(await warning.innerText()).toContain(WARNING);
    await screenshot(page, 'heldout-dashboard');
  }, 120_000);

  it('Setup edits the held-out section and shows the schema\'s message by the field', async () => {
    await page.goto(`${served.url}#/setup`);
    const command = page.getByTestId('field-heldout.command');
    await command.waitFor({ timeout: 60_000 });
    expect(await command.inputValue()).toContain('eval.mjs');
    await page.getByTestId('field-heldout.metric.name').fill('');
    await page.getByText('Name the metric the command prints').first().waitFor({ timeout: 30_000 });
    await page.getByTestId('field-heldout.timeoutSeconds').fill('0');
    await page.getByText('The held-out timeout must be more than 0 seconds').waitFor({ timeout: 30_000 });
    await screenshot(page, 'heldout-setup');
  }, 120_000);
});
