// Approval of proposals in Chromium against `autoresearch serve`, for a run that a terminal owns
// (`autoresearch run`, approval: all): the dashboard's queue approves one proposal, runs an edit of another and
// rejects a third with a note; the answers cross to the other process through the run's inbox and the journal
// shows all three. The run is then stopped and started again while a fourth waits: it is still waiting (not
// lost, not run), and approving it then runs it.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldEvents } from '../../src/core/journal/fold.js';
import { runPaths } from '../../src/core/project/paths.js';
import type { Experiment } from '../../src/shared/experiment.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import { spawnCli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { e2eUnavailable, launchBrowser, screenshot, startServe, watchPageErrors, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`approval of proposals in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let dir: string;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];
  const runs: ChildProcess[] = [];

  const journal = (): JournalEvent[] =>
    readFileSync(runPaths(dir, 'e').journal, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as JournalEvent);
  /** The experiment as the journal last recorded it. */
  const experiment = (id: number): Experiment | null => foldEvents(journal()).experiments.get(id) ?? null;

  const startCliRun = () => {
    const child = spawnCli(['run', dir, '--tag', 'e']);
    runs.push(child);
    return { child, exited: new Promise<number | null>((r) => child.once('close', r)) };
  };

  /** The id of the next card that waits for an answer and is not one of `seen`. */
  const nextCard = async (seen: Set<number>): Promise<number> => {
    const handle = await page.waitForFunction(
      (ids) => {
        const cards = [...document.querySelectorAll('[data-testid="approval"]')].filter((c) => c.getAttribute('data-answered') === '');
        const card = cards.find((c) => !ids.includes(Number(c.getAttribute('data-id'))));
        return card ? Number(card.getAttribute('data-id')) : null;
      },
      [...seen],
      { timeout: 150_000 },
    );
    const id = (await handle.jsonValue()) as number;
    seen.add(id);
    return id;
  };
  const card = (id: number) => page.locator(`[data-testid="approval"][data-id="${id}"]`);

  beforeAll(async () => {
    dir = scoredProject({ approval: { mode: 'all' }, acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } }).dir;
    served = await startServe({ projectDir: dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    for (const r of runs) if (r.exitCode === null && r.signalCode === null) r.kill('SIGKILL');
    await browser?.close();
    await served?.stop();
    cleanupTempDirs();
  });

  it('approves one, runs an edit of one, rejects one, and keeps a waiting one across a restart', async () => {
    await page.goto(`${served.url}#/run`);
    const first = startCliRun();
    const seen = new Set<number>();

    // 1. Approve as proposed.
    const approved = await nextCard(seen);
    await expect(card(approved).getByTestId('approval-description').innerText()).resolves.toBe(experiment(approved)!.description);
    await card(approved).locator('.diff-file, [data-testid="diff"]').first().waitFor({ timeout: 30_000 }).catch(() => undefined);
    await screenshot(page, 'approval-waiting');
    await card(approved).getByTestId('approval-approve').click();

    // 2. Edit in place: the researcher's version is what runs.
    const edited = await nextCard(seen);
    await card(edited).getByTestId('approval-edit-open').click();
    const area = card(edited).locator('[data-testid="approval-edit-file"][data-path="train.mjs"]');
    await area.waitFor({ timeout: 30_000 });
    const proposed = await area.inputValue();
    expect(proposed).toContain('const LEARNING_RATE');
    await area.fill(proposed.replace(/^const LEARNING_RATE = [^;]+;/m, 'const LEARNING_RATE = 0.07;'));
    await screenshot(page, 'approval-edit');
    await card(edited).getByTestId('approval-edit-run').click();

    // 3. Reject with a note for the agent.
    const rejected = await nextCard(seen);
    await card(rejected).getByTestId('approval-reject').click();
    await card(rejected).getByTestId('approval-note').fill('not this constant; tune the learning rate');
    await card(rejected).getByTestId('approval-reject-send').click();

    // 4. A fourth waits; the run is stopped (SIGTERM, as the app's Stop does) and started again.
    const kept = await nextCard(seen);
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(experiment(kept)!.status).toBe('interrupted');
    await page.getByText('The run is stopped: answers given now apply when it is resumed.').waitFor({ timeout: 30_000 });
    await card(kept).getByTestId('approval-approve').waitFor();
    await screenshot(page, 'approval-after-stop');

    const second = startCliRun();
    expect(await waitUntil(() => experiment(kept)?.status === 'running' && journal().some((e) => e.type === 'run-resume'), 60_000)).toBe(true);
    await page.locator('[data-testid="slot-card"][data-phase="waiting"]').waitFor({ timeout: 30_000 });
    // Still unmeasured, still one request: it waits, it was neither lost nor run unapproved.
    expect(journal().filter((e) => e.type === 'approval-wait' && e.id === kept)).toHaveLength(1);
    expect(journal().some((e) => e.type === 'process-start' && e.id === kept)).toBe(false);
    await card(kept).getByTestId('approval-approve').click();
    expect(await waitUntil(() => ['keep', 'discard'].includes(experiment(kept)?.status ?? ''), 60_000)).toBe(true);
    second.child.kill('SIGTERM');
    expect(await second.exited).toBe(0);

    // The journal holds all the answers, from the app, in order.
    const answers = journal().filter((e) => e.type === 'approval-answer');
    expect(answers.map((a) => [a.id, a.answer, a.by])).toEqual([
      [approved, 'approve', 'app'],
      [edited, 'edit', 'app'],
      [rejected, 'reject', 'app'],
      [kept, 'approve', 'app'],
    ]);
    expect(['keep', 'discard']).toContain(experiment(approved)!.status);
    const e2 = experiment(edited)!;
    expect(['keep', 'discard']).toContain(e2.status);
    expect(git(dir, 'show', `${e2.commit}:train.mjs`)).toMatch(/^const LEARNING_RATE = 0\.07;$/m);
    const e3 = experiment(rejected)!;
    expect(e3.status).toBe('rejected');
    expect(e3.error).toBe('Rejected by the researcher: not this constant; tune the learning rate');
    expect(journal().some((e) => e.type === 'steer' && e.note.includes('not this constant; tune the learning rate'))).toBe(true);
    // Each experiment's page says what the researcher answered.
    await page.goto(`${served.url}#/history/e/${edited}`);
    await expect(page.getByTestId('experiment-approval').innerText()).resolves.toMatch(/edited and approved in the app \(proposed as [0-9a-f]{7}\)/);
    await page.goto(`${served.url}#/history/e/${rejected}`);
    await expect(page.getByTestId('experiment-approval').innerText()).resolves.toMatch(/rejected in the app/);
    expect(errors).toEqual([]);
  }, 600_000);
});
