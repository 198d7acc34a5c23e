// Issue #4's acceptance, in Chromium against `autoresearch serve` on a demo copy: open the demo, change
// the metric form, see a validation message, test the metric, save, edit program.md, start a run from the
// page, see experiments finish, and find them in the journal on disk.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eUnavailable, screenshot, type DemoCopy } from './helpers/serve.js';
import { openDemoPage, type DemoPage } from './helpers/demo-page.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`desktop app acceptance in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let demo: DemoCopy;
  let ui: DemoPage | undefined;
  let page: Page;
  let errors: string[];
  let tag = '';

  const field = (p: string) => page.getByTestId(`field-${p}`);

  beforeAll(async () => {
    ui = await openDemoPage({ route: '/setup', waitFor: 'setup-view', height: 900 });
    ({ demo, page, errors } = ui);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  });

  it('shows the demo setup prefilled from its config', async () => {
    await expect(field('run.command').inputValue()).resolves.toContain('train.mjs');
    await expect(field('metric.name').inputValue()).resolves.toBe('val_bpb');
    await expect(page.getByTestId('file-editable-train.mjs').isChecked()).resolves.toBe(true);
    await expect(page.getByTestId('file-protected-prepare.mjs').isChecked()).resolves.toBe(true);
    await expect(page.getByTestId('setup-state').getAttribute('data-state')).resolves.toBe('saved');
    await screenshot(page, 'acceptance-01-setup');
  });

  it('explains an invalid metric name next to the field, and refuses to save it', async () => {
    await field('metric.name').fill('val bpb');
    const message = page.getByTestId('error-metric.name');
    await message.waitFor();
    await expect(message.textContent()).resolves.toMatch(/no spaces/);
    await field('budget.seconds').fill('soon');
    await expect(page.getByTestId('error-budget.seconds').textContent()).resolves.toMatch(/not a number/);
    await expect(page.getByTestId('setup-state').getAttribute('data-state')).resolves.toBe('invalid');
    await screenshot(page, 'acceptance-02-validation');
    await page.getByTestId('setup-save').click();
    // One place per failure: the fields say what is wrong, no "Not saved" toast repeats it, nothing is written.
    await expect(page.getByTestId('setup-state').getAttribute('data-state')).resolves.toBe('invalid');
    await expect(page.getByTestId('toast').filter({ hasText: 'Not saved' }).count()).resolves.toBe(0);
    const onDisk = JSON.parse(await readFile(path.join(demo.dir, '.autoresearch', 'config.json'), 'utf8'));
    expect(onDisk.metric.name).toBe('val_bpb');
  });

  it('tests the metric on pasted output, live', async () => {
    await field('metric.name').fill('val_bpb');
    await field('budget.seconds').fill('15');
    await page.getByTestId('error-metric.name').waitFor({ state: 'detached' });
    await page.getByTestId('metric-test-input').fill('step 100 | loss 2.31\n---\nval_bpb:          1.234500\npeak_mem_mb:      12.5\n');
    const value = page.getByTestId('metric-test-value');
    await value.waitFor();
    // Shown to the metric's six decimals, as everywhere in the app.
    await expect(value.textContent()).resolves.toBe('1.234500');
    await field('metric.extract.kind').selectOption('metric-line');
    await page.getByTestId('metric-test-result').and(page.locator('[data-found="false"]')).waitFor();
    await field('metric.extract.kind').selectOption('line');
    await value.waitFor();
  });

  it('saves a changed form to .autoresearch/config.json', async () => {
    await field('stop.maxExperiments').fill('2');
    await field('acceptance.minImprovement').fill('0.001');
    await expect(page.getByTestId('setup-state').getAttribute('data-state')).resolves.toBe('unsaved');
    await page.keyboard.press('Control+s');
    await page.getByTestId('setup-state').and(page.locator('[data-state="saved"]')).waitFor();
    const onDisk = JSON.parse(await readFile(path.join(demo.dir, '.autoresearch', 'config.json'), 'utf8'));
    expect(onDisk.stop.maxExperiments).toBe(2);
    expect(onDisk.acceptance.minImprovement).toBe(0.001);
    expect(onDisk.metric.name).toBe('val_bpb');
    expect(onDisk.files.editable).toEqual(['train.mjs']);
    await screenshot(page, 'acceptance-03-saved');
  });

  it('edits program.md with the editor and saves it', async () => {
    await page.getByTestId('nav-program').click();
    await page.getByTestId('program-view').waitFor();
    await page.locator('.cm-content').click();
    // The demo's program.md names prepare.mjs only as read-only: no warning.
    expect(await page.getByTestId('program-warning').count()).toBe(0);
    await page.keyboard.press('Control+End');
    await page.keyboard.type('\n## Note from the e2e test\n- Prefer small learning-rate changes.\n- Also tune prepare.mjs\n');
    // Asking the agent to change a file it may not edit is flagged at once.
    await expect(page.getByTestId('program-warning').textContent()).resolves.toContain('prepare.mjs');
    await page.keyboard.press('Backspace');
    for (let i = 0; i < '- Also tune prepare.mjs\n'.length; i++) await page.keyboard.press('Backspace');
    await page.getByTestId('program-warning').waitFor({ state: 'detached' });
    await expect(page.getByTestId('program-state').getAttribute('data-state')).resolves.toBe('unsaved');
    await page.getByTestId('program-preview').getByText('Note from the e2e test').waitFor();
    await page.keyboard.press('Control+s');
    await page.getByTestId('program-state').and(page.locator('[data-state="saved"]')).waitFor();
    const text = await readFile(path.join(demo.dir, 'program.md'), 'utf8');
    expect(text).toContain('## Note from the e2e test');
    expect(text).toContain('Prefer small learning-rate changes.');
    await screenshot(page, 'acceptance-04-program');
  });

  it('starts a run from the page and sees experiments finish', async () => {
    await page.getByTestId('run-tag').fill('e2e1');
    await page.getByTestId('run-start').click();
    await page.getByTestId('run-bar-tag').waitFor({ timeout: 60_000 });
    tag = (await page.getByTestId('run-bar-tag').textContent()) ?? '';
    expect(tag).toBe('e2e1');
    // The baseline and at least one candidate (a few seconds each on the demo), then the run stops by itself (max 2).
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="status-experiments"]')?.getAttribute('data-count') ?? 0) >= 2,
      undefined,
      { timeout: 240_000, polling: 500 },
    );
    await screenshot(page, 'acceptance-05-running');
    await page.getByTestId('status-run-state').and(page.locator('[data-state="stopped"]')).waitFor({ timeout: 240_000 });
    await screenshot(page, 'acceptance-06-stopped');
  }, 300_000);

  it('finds the experiments in the journal', async () => {
    const journal = await readFile(path.join(demo.dir, '.autoresearch', 'runs', tag, 'journal.jsonl'), 'utf8');
    const events = journal
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; experiment?: { id: number; status: string; metric: number | null } });
    expect(events[0]?.type).toBe('run-start');
    const ended = events.filter((e) => e.type === 'experiment-end').map((e) => e.experiment!);
    const ids = new Set(ended.map((e) => e.id));
    expect(ids.has(0)).toBe(true);
    expect(ids.size).toBeGreaterThanOrEqual(2);
    const baseline = ended.find((e) => e.id === 0)!;
    expect(baseline.status).toBe('keep');
    expect(baseline.metric).toBeGreaterThan(0);
    expect(events.at(-1)?.type).toBe('run-stop');
  });

  it('logged no page errors', () => {
    expect(errors).toEqual([]);
  });
});
