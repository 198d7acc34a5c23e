// The webhook setting in Chromium against `autoresearch serve`: Setup → Stop conditions → Notifications. A bad URL
// is refused next to the field and nothing is saved; a receiver's URL is saved in the app's data folder (not the
// project), the page only ever shows its host, and "Send a test" reaches the receiver on 127.0.0.1.
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { e2eUnavailable, screenshot, type DemoCopy, type ServeHandle } from './helpers/serve.js';
import { openDemoPage, type DemoPage } from './helpers/demo-page.js';

const unavailable = e2eUnavailable();

describe.skipIf(unavailable !== null)(`the webhook setting, in Chromium${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let ui: DemoPage | undefined;
  let page: Page;
  let demo: DemoCopy;
  let served: ServeHandle;
  let errors: string[];
  let receiver: Server;
  let url = '';
  const got: string[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        got.push(body);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/services/T1/B2/the-secret-part`;
    ui = await openDemoPage({ route: '/setup', waitFor: 'setup-view' });
    ({ demo, served, page, errors } = ui);
  }, 120_000);

  afterAll(async () => {
    await ui?.close();
    await new Promise((r) => receiver?.close(r));
  }, 60_000);

  it('refuses a URL that is not http(s), saves nothing, and says what a webhook URL looks like', async () => {
    await expect(page.getByTestId('webhook-status').getAttribute('data-set')).resolves.toBe('false');
    await expect(page.getByTestId('webhook-status').textContent()).resolves.toContain('No webhook');
    await page.getByTestId('webhook-input').fill('ftp://example.org/hook');
    await page.getByTestId('webhook-set').click();
    await expect(page.getByTestId('webhook-error').textContent()).resolves.toMatch(/starts with https:\/\/ \(or http:\/\/\), not ftp:/);
    expect(existsSync(path.join(served.dataDir, 'settings.json'))).toBe(false);
  });

  it('saves a URL in the app data folder, shows only its host, and a test reaches the receiver', async () => {
    await page.getByTestId('webhook-input').fill(url);
    await page.getByTestId('webhook-set').click();
    await page.locator('[data-testid="webhook-status"][data-set="true"]').waitFor();
    const shown = (await page.getByTestId('webhook-status').textContent()) ?? '';
    expect(shown).toMatch(/^Posting to http:\/\/127\.0\.0\.1:\d+\/…/);
    expect(await page.content()).not.toContain('the-secret-part');
    expect(JSON.parse(readFileSync(path.join(served.dataDir, 'settings.json'), 'utf8')).webhookUrl).toBe(url);
    // The project's config never holds it.
    expect(readFileSync(path.join(demo.dir, '.autoresearch', 'config.json'), 'utf8')).not.toContain('127.0.0.1');

    await page.getByTestId('webhook-test').click();
    await page.getByTestId('toast').filter({ hasText: 'The test message was delivered' }).waitFor();
    expect(got).toHaveLength(1);
    expect(JSON.parse(got[0]!)).toMatchObject({ kind: 'digest', title: 'Autoresearch Studio: a test message' });
    await page.getByTestId('webhook-box').scrollIntoViewIfNeeded();
    await screenshot(page, 'webhook-setting');

    await page.getByTestId('webhook-off').click();
    await page.locator('[data-testid="webhook-status"][data-set="false"]').waitFor();
    expect(JSON.parse(readFileSync(path.join(served.dataDir, 'settings.json'), 'utf8')).webhookUrl).toBeNull();
    expect(errors).toEqual([]);
  });
});
