// `autoresearch serve` as a real process under attack: a malformed upgrade request before authentication
// must not end the process (and a live run with it); the token leaves the address bar after load and only
// travels to this server's own port (no cookie, which a browser would send to every port of 127.0.0.1).
import http from 'node:http';
import net from 'node:net';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBwrap } from '../../src/core/exec/sandbox.js';
import { e2eUnavailable, launchBrowser, makeDemoCopy, startServe, type DemoCopy, type ServeHandle } from './helpers/serve.js';

const unavailable = e2eUnavailable();

/** Send raw bytes, resolve with everything the server answered until it closed (or 3 s passed). */
function rawExchange(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1', () => socket.write(text));
    let got = '';
    socket.on('data', (d) => (got += d.toString()));
    socket.on('close', () => resolve(got));
    socket.on('error', (err) => (got ? resolve(got) : reject(err)));
    setTimeout(() => {
      socket.destroy();
      resolve(got);
    }, 3_000);
  });
}

describe.skipIf(unavailable !== null)(`serve under attack${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let demo: DemoCopy;
  let served: ServeHandle;
  let browser: Browser;

  beforeAll(async () => {
    demo = await makeDemoCopy();
    served = await startServe({ projectDir: demo.dir });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await demo?.cleanup();
  });

  it('answers an absolute-form upgrade with 400 and stays alive', async () => {
    const upgrade = (target: string) =>
      `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`;
    for (const target of ['http://a:b/ws', 'http://[::1/ws', '//evil/ws', '*']) {
      expect(await rawExchange(served.port, upgrade(target)), target).toMatch(/^HTTP\/1\.1 400 /);
    }
    // The same absolute form as a plain request, and bytes that are not HTTP at all.
    expect(await rawExchange(served.port, `GET http://a:b/ HTTP/1.1\r\nHost: 127.0.0.1:${served.port}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 400 /);
    await rawExchange(served.port, '\x16\x03\x01\x00\xa5 not http\r\n\r\n');
    expect(served.process.exitCode).toBeNull();
    const ok = await fetch(served.url);
    expect(ok.status).toBe(200);
  });

  it('prints a warning that the URL is a password, and never prints the token elsewhere', () => {
    const out = served.output();
    expect(out).toMatch(/Keep this URL secret: its token is a password to a shell/);
    expect(out.split(served.token).length - 1).toBe(1);
  });

  it('takes the token out of the address bar, keeps working after a reload, and sets no cookie another local server would get', async () => {
    browser = await launchBrowser();
    const context = await browser.newContext();
    const page = await context.newPage();
    const setCookies: string[] = [];
    page.on('response', (r) => {
      const c = r.headers()['set-cookie'];
      if (c !== undefined) setCookies.push(`${r.url()}: ${c}`);
    });
    await page.goto(`${served.url}#/history`);
    await page.locator('nav.activity-bar').waitFor();
    await expect.poll(() => page.url()).toBe(`${served.origin}/#/history`);
    expect(await page.evaluate(() => sessionStorage.getItem('autoresearch.serveToken'))).toBe(served.token);
    // The Api works over the WebSocket (the runs list arrives), and after a reload without the token too.
    await page.reload();
    expect(page.url()).not.toContain(served.token);
    // The WebSocket still authenticates (the snapshot arrives: the dashboard says what to do).
    await page.evaluate(() => (location.hash = '#/run'));
    await page.getByTestId('dashboard-empty').waitFor({ timeout: 20_000 });
    // The sandbox as shipped: where bubblewrap works the dashboard shows no warning; where it does not (no bwrap
    // outside CI), it says so, plainly.
    if (await findBwrap()) expect(await page.getByTestId('sandbox-warning').count()).toBe(0);
    else await expect(page.getByTestId('sandbox-warning').textContent()).resolves.toMatch(/No sandbox.*full access/);
    expect(setCookies).toEqual([]);
    expect(await context.cookies()).toEqual([]);

    // Without the token the Api refuses the handshake, even from this origin.
    const refused = await page.evaluate(
      (origin) =>
        new Promise<string>((resolve) => {
          const ws = new WebSocket(`${origin.replace('http', 'ws')}/ws`);
          ws.onopen = () => resolve('open');
          ws.onerror = () => resolve('refused');
        }),
      served.origin,
    );
    expect(refused).toBe('refused');

    // Another server on 127.0.0.1 (another port), visited in the same browser, receives nothing of the token.
    const seen: string[] = [];
    const other = http.createServer((req, res) => {
      seen.push(JSON.stringify(req.headers));
      res.end('other');
    });
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    try {
      await page.goto(`http://127.0.0.1:${(other.address() as net.AddressInfo).port}/`);
      expect(seen.length).toBeGreaterThan(0);
      for (const headers of seen) expect(headers).not.toContain(served.token);
      expect(seen.join('\n')).not.toMatch(/cookie/i);
    } finally {
      other.close();
    }
  });
});
