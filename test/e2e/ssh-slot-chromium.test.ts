// A run with one local slot and one SSH slot (a real sshd on 127.0.0.1, test/helpers/ssh-server.ts), started and
// watched in Chromium through `autoresearch serve`: the SSH slot's card names its host and the process group
// running there, and an experiment's page says where it ran.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sshAvailability, startSshServer, type SshServer } from '../helpers/ssh-server.js';
import { APP_ROOT, e2eUnavailable, launchBrowser, makeDemoCopy, screenshot, startServe, watchPageErrors, type DemoCopy, type ServeHandle } from './helpers/serve.js';
import { trustForTest } from '../helpers/trust.js';

const unavailable = e2eUnavailable();
const ssh = sshAvailability();
if (!ssh.ok && process.env.CI === 'true') throw new Error(`SSH tests must run under CI: ${ssh.reason}`);
const skip = unavailable ?? (ssh.ok ? null : ssh.reason);

describe.skipIf(skip !== null)(`an SSH slot on the dashboard in Chromium${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let server: SshServer;
  let demo: DemoCopy;
  let served: ServeHandle;
  let browser: Browser;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    // The "host" has two (fake) GPUs: its sessions find test/fixtures/bin/nvidia-smi first on their PATH.
    server = await startSshServer({ env: { PATH: `${path.join(APP_ROOT, 'test', 'fixtures', 'bin')}:/usr/local/bin:/usr/bin:/bin`, FAKE_NVIDIA_SMI_GPUS: '2' } });
    demo = await makeDemoCopy();
    const cfgFile = path.join(demo.dir, '.autoresearch', 'config.json');
    const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
    cfg.budget.seconds = 4;
    cfg.acceptance = { ...cfg.acceptance, rule: 'classic', baselineRuns: 1, confirmRuns: 0 };
    cfg.slots = [{ env: {} }, { env: {}, executor: { kind: 'ssh', host: server.host, port: server.port, remoteDir: path.join(server.remoteRoot, 'e2e'), linked: {}, options: server.options } }];
    writeFileSync(cfgFile, JSON.stringify(cfg, null, 2));
    trustForTest(demo.dir); // the test wrote these commands
    served = await startServe({ projectDir: demo.dir });
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    errors = watchPageErrors(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await demo?.cleanup();
    await server?.stop();
  });

  const host = () => `ssh:127.0.0.1:${server.port}`;

  it('the SSH slot\'s card shows its host and the process group running there; the local slot shows none', async () => {
    await page.goto(`${served.url}#/run`);
    await page.getByTestId('run-max').fill('3');
    await page.getByTestId('run-start').click();
    await page.locator('[data-testid=dashboard][data-live=true]').waitFor({ timeout: 60_000 });
    const remote = page.locator('[data-testid=slot-card][data-slot="1"]');
    await remote.getByTestId('slot-where').waitFor({ timeout: 60_000 });
    await expect(remote.getByTestId('slot-where').textContent()).resolves.toContain(host());
    // While a command runs there, the card names its process group on the host.
    await page.waitForFunction(() => /process group \d+ on 127\.0\.0\.1/.test(document.querySelector('[data-testid=slot-card][data-slot="1"] [data-testid=slot-where]')?.textContent ?? ''), undefined, { timeout: 120_000, polling: 100 });
    // The host's GPUs, sampled over the same connection, on the SSH slot's card (this machine has none).
    await remote.locator('[data-testid=gpu]').nth(1).waitFor({ timeout: 60_000 });
    await expect(remote.locator('[data-testid=gpu]').count()).resolves.toBe(2);
    await expect(remote.locator('[data-testid=gpu] .gpu-name').first().textContent()).resolves.toMatch(new RegExp(`^127\\.0\\.0\\.1:${server.port} · GPU 0 · NVIDIA H100`));
    await expect(page.locator('[data-testid=slot-card][data-slot="0"] [data-testid=gpu]').count()).resolves.toBe(0);
    await screenshot(page, 'ssh-slot-running');
    await expect(page.locator('[data-testid=slot-card][data-slot="0"] [data-testid=slot-where]').count()).resolves.toBe(0);
  }, 180_000);

  it('an experiment that ran on the host says so on its page', async () => {
    const runs = path.join(demo.dir, '.autoresearch', 'runs');
    const tag = readdirSync(runs)[0]!;
    const journal = path.join(runs, tag, 'journal.jsonl');
    // The first experiment of slot 1 to finish.
    let id: number | null = null;
    const deadline = Date.now() + 180_000;
    while (id === null && Date.now() < deadline) {
      for (const line of readFileSync(journal, 'utf8').split('\n')) {
        if (!line.includes('"type":"experiment-end"')) continue;
        const e = JSON.parse(line).experiment;
        if (e.slot === 1) id = e.id;
      }
      if (id === null) await new Promise((r) => setTimeout(r, 250));
    }
    expect(id).not.toBeNull();
    await page.goto(`${served.url}#/history/${encodeURIComponent(tag)}/${id}`);
    await page.locator(`[data-testid=experiment][data-id="${id}"]`).waitFor({ timeout: 30_000 });
    await expect(page.getByTestId('experiment-where').textContent()).resolves.toBe(` · ran on ${host()}`);
    await screenshot(page, 'ssh-experiment-where');
    // The run ends by itself at its limit (3 candidates), nothing left running.
    await page.goto(`${served.url}#/run`);
    await page.locator('[data-testid=dashboard][data-live=false]').waitFor({ timeout: 180_000 });
  }, 240_000);

  it('logged no page errors', () => {
    expect(errors).toEqual([]);
  });
});
