// A tree search in the app: a real one-slot run with `search.strategy: tree` (test/helpers/search-run.ts: a
// landscape with a local optimum, a proposer stepping from whatever node it is given), served by `autoresearch
// serve` and opened in Chromium. The lineage tab shows for one slot, and draws the tree: every node linked to the
// experiment it started from, a discarded node that was built on drawn hollow on the line to the best.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import type { RunRecord } from '../../src/core/journal/fold.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';
import { LANDSCAPE, searchDeps, stepper } from '../helpers/search-run.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`a tree search's lineage in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  let rec: RunRecord;

  beforeAll(async () => {
    // One at a time (queueDepth 0), as loop-search's comparison: the tree's way out of the local optimum through a
    // discarded step happens in the order the strategy chooses.
    const { dir } = scoredProject({ acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 }, search: { strategy: 'tree' }, agent: { queueDepth: 0 } } as never, { 'train.mjs': LANDSCAPE });
    const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 20, deps: searchDeps(stepper()) });
    await handle.done;
    rec = await readRunRecord(dir, 'test');
    served = await startServe({ projectDir: dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1200, height: 820 } });
    errors = watchPageErrors(page);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  it('draws every node linked to the base it started from, a built-on discard hollow', async () => {
    // What the journal says the tree is: discards that something started from, and each node's base.
    const builtOn = new Set([...rec.experiments.values()].map((e) => e.baseId));
    const hollow = [...rec.experiments.values()].filter((e) => e.status === 'discard' && builtOn.has(e.id)).map((e) => e.id);
    expect(hollow.length).toBeGreaterThan(0);

    await page.goto(`${served.url}#/history/test`);
    await page.getByTestId('tab-lineage').click();
    await page.getByTestId('lineage').waitFor();
    const drawn = await page.locator('[data-testid=lineage-node]').evaluateAll((els) =>
      els.map((e) => ({ id: Number(e.getAttribute('data-id')), parent: e.getAttribute('data-parent'), discarded: e.getAttribute('data-discarded') === 'true' })),
    );
    expect(drawn.filter((n) => n.discarded).map((n) => n.id).sort((a, b) => a - b)).toEqual(hollow.sort((a, b) => a - b));
    for (const n of drawn) {
      const e = rec.experiments.get(n.id)!;
      expect(n.parent).toBe(e.baseId === null ? '' : String(e.baseId));
    }
    // The best's line runs through a hollow node: the way out of the local optimum was a discarded step.
    const line: number[] = [];
    for (let at: number | null = rec.bestId; at !== null; at = rec.experiments.get(at)!.baseId) line.push(at);
    expect(line.some((id) => hollow.includes(id))).toBe(true);
    await expect(page.getByTestId('lineage').textContent()).resolves.toContain('A hollow node was discarded');
    await screenshot(page, 'lineage-tree-dark');
    expect(errors).toEqual([]);
  });

  it('keeps why each node was chosen (as the agent was told) and shows it on the experiment', async () => {
    // Every proposal started from a discarded node was the tree's choice, and its record says so, naming that node.
    const fromDiscards = [...rec.experiments.values()].filter((e) => e.baseId !== null && rec.experiments.get(e.baseId)!.status === 'discard');
    expect(fromDiscards.length).toBeGreaterThan(0);
    for (const e of fromDiscards) expect(e.baseWhy, `#${e.id}`).toMatch(new RegExp(`^.*Tree search chose experiment ${e.baseId}\\b`));
    // The baseline and proposals from the best with nothing chosen on purpose carry none.
    expect(rec.experiments.get(0)!.baseWhy ?? null).toBeNull();

    const e = fromDiscards[0]!;
    await page.goto(`${served.url}#/history/test/${e.id}`);
    const why = page.getByTestId('experiment-base-why');
    await why.waitFor();
    await expect(why.textContent()).resolves.toBe(`Why it started from #${e.baseId}: ${e.baseWhy}`);
    await screenshot(page, 'experiment-base-why');
    expect(errors).toEqual([]);
  });
});
