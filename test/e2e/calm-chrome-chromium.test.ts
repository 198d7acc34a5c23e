// Calm, correct chrome, in Chromium against `autoresearch serve` on a copy of the demo: Setup checks a
// command's program when it is typed and saved and says so next to the field, slots are numbered from 0,
// the mutation proposer is not said to read program.md or notes, and toasts neither stack nor contradict.
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { waitUntil } from '../helpers/processes.js';
import { e2eUnavailable, screenshot, type DemoCopy, type ServeHandle } from './helpers/serve.js';
import { openDemoPage, type DemoPage } from './helpers/demo-page.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`calm chrome, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let demo: DemoCopy;
  let served: ServeHandle;
  let ui: DemoPage | undefined;
  let page: Page;
  let errors: string[];
  const field = (p: string) => page.getByTestId(`field-${p}`);
  const errorAt = (p: string) => page.getByTestId(`error-${p}`);
  const toasts = () => page.getByTestId('toast');

  beforeAll(async () => {
    ui = await openDemoPage({ route: '/setup', waitFor: 'setup-view' });
    ({ demo, served, page, errors } = ui);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
  }, 60_000);

  it('numbers slots from 0, as the dashboard and the worktrees do', async () => {
    await expect(page.getByTestId('slot-0').locator('.slot-box-head strong').textContent()).resolves.toBe('Slot 0');
  });

  it('a run command whose program is not installed is marked next to the field, and saving refuses it', async () => {
    const before = await readFile(path.join(demo.dir, '.autoresearch', 'config.json'), 'utf8');
    // A name no machine has: the check must not depend on what this one has installed.
    await field('run.command').fill('ar-no-such-program-7 train.py');
    await expect(errorAt('run.command').textContent()).resolves.toBe('ar-no-such-program-7 is not installed: install it (it is not on PATH) or change the run command');
    await page.getByTestId('setup-save').click();
    await expect(page.getByTestId('setup-state').getAttribute('data-state')).resolves.toBe('invalid');
    // One place per failure: the field says it, no toast repeats it.
    await expect(toasts().allTextContents()).resolves.toEqual([]);
    expect(await readFile(path.join(demo.dir, '.autoresearch', 'config.json'), 'utf8')).toBe(before);
    await screenshot(page, 'setup-program-not-installed');
    await field('run.command').fill(JSON.parse(before).run.command);
    expect(await waitUntil(async () => (await errorAt('run.command').count()) === 0, 10_000)).toBe(true);
  });

  it('toasts: a repeated failure shows once with a count, the later success replaces it, info fades', async () => {
    const config = path.join(demo.dir, '.autoresearch', 'config.json');
    const kept = await readFile(config, 'utf8');
    // Half the demo's budget: a change that is valid whatever its timeout is.
    const budget = JSON.parse(kept).budget.seconds / 2;
    // A real failure of the save: the config's place is taken by a folder, so the rename onto it fails.
    await rm(config);
    await mkdir(config);
    await field('budget.seconds').fill(String(budget));
    await page.getByTestId('setup-save').click();
    expect(await waitUntil(async () => (await toasts().count()) > 0, 10_000), `${await page.getByTestId('setup-state').textContent()} ${await field('budget.seconds').inputValue()}`).toBe(true);
    await page.getByTestId('setup-save').click();
    expect(await waitUntil(async () => (await page.getByTestId('toast-count').count()) === 1, 10_000)).toBe(true);
    await expect(toasts().count()).resolves.toBe(1);
    await expect(toasts().first().getAttribute('data-level')).resolves.toBe('error');
    await expect(toasts().first().textContent()).resolves.toMatch(/^Not saved: .*×2/);
    await expect(toasts().first().getAttribute('data-count')).resolves.toBe('2');
    // Line breaks in a message are kept.
    await expect(toasts().first().locator('.toast-message').evaluate((el) => getComputedStyle(el).whiteSpace)).resolves.toBe('pre-line');

    await rm(config, { recursive: true });
    await page.getByTestId('setup-save').click();
    expect(await waitUntil(async () => (await toasts().first().getAttribute('data-level').catch(() => null)) === 'info', 10_000)).toBe(true);
    await expect(toasts().count()).resolves.toBe(1);
    await expect(toasts().first().textContent()).resolves.toMatch(/^Setup saved/);
    expect(JSON.parse(await readFile(config, 'utf8')).budget.seconds).toBe(budget);
    // Info fades on its own after a few seconds.
    expect(await waitUntil(async () => (await toasts().count()) === 0, 20_000)).toBe(true);
  });

  it('with the mutation proposer, program.md and the steering box say that it reads neither', async () => {
    const proposer = JSON.parse(await readFile(path.join(demo.dir, '.autoresearch', 'config.json'), 'utf8')).agent?.proposer ?? 'mutation';
    expect(proposer).toBe('mutation');
    await page.goto(`${served.url}#/program`);
    await page.getByTestId('program-view').waitFor();
    await expect(page.getByTestId('program-reader').textContent()).resolves.toMatch(/^The mutation proposer does not read program\.md .*claude, openai-compatible and command proposers do/);
    const steer = page.getByTestId('steer-input');
    await expect(steer.isDisabled()).resolves.toBe(true);
    await expect(steer.getAttribute('placeholder')).resolves.toBe('Steering notes: not read by the mutation proposer');
    await expect(steer.getAttribute('title')).resolves.toMatch(/does not read steering notes/);
    // That long line beside the title left the layout buttons no room: "Preview" was cut to "Pre" under "Saved".
    for (const l of ['edit', 'split', 'preview']) {
      const clipped = await page.getByTestId(`program-layout-${l}`).evaluate((b) => {
        const r = b.getBoundingClientRect();
        const box = b.parentElement!.getBoundingClientRect();
        return b.scrollWidth > b.clientWidth + 1 || r.right > box.right + 0.5 || r.width < 30;
      });
      expect(clipped, `the ${l} button is shown whole`).toBe(false);
    }
    const seg = await page.locator('.program-head .seg').boundingBox();
    const state = await page.getByTestId('program-state').boundingBox();
    expect(seg!.x + seg!.width).toBeLessThanOrEqual(state!.x);
    await screenshot(page, 'program-mutation-proposer');
  });

  it('with a proposer that reads them, program.md says so and notes are invited', async () => {
    await page.goto(`${served.url}#/setup`);
    await page.getByTestId('setup-view').waitFor();
    await field('agent.proposer-command').check();
    await field('agent.command').fill('node propose.mjs');
    await page.getByTestId('setup-save').click();
    // Read once the save has answered: until then the header may still count the problem the live check found
    // while the command field was empty (CI read it right after the click).
    expect(await waitUntil(async () => (await page.getByTestId('setup-state').getAttribute('data-state')) === 'saved', 30_000)).toBe(true);
    expect(await waitUntil(async () => JSON.parse(await readFile(path.join(demo.dir, '.autoresearch', 'config.json'), 'utf8')).agent.proposer === 'command', 10_000)).toBe(true);
    await page.goto(`${served.url}#/program`);
    await page.getByTestId('program-view').waitFor();
    expect(await waitUntil(async () => (await page.getByTestId('program-reader').textContent()) === 'The command proposer reads this before every proposal.', 10_000)).toBe(true);
    await expect(page.getByTestId('steer-input').getAttribute('placeholder')).resolves.not.toMatch(/not read/);
    expect(errors).toEqual([]);
  });
});
