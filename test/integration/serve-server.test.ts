// The HTTP + WebSocket server of `autoresearch serve` against a fake Studio: auth (token, Host, Origin),
// static files (MIME, traversal, listings), the protocol and push relay, loopback-only listening.
import http from 'node:http';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { networkInterfaces, tmpdir } from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { ApiError } from '../../src/shared/api.js';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp.js';
import { startServer, type RunningServer } from '../../src/cli/serve/server.js';
import { createFakeStudio, type FakeStudio } from '../e2e/helpers/fake-studio.js';

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, pathName: string, headers: Record<string, string> = {}, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: pathName, method, headers: { host: `127.0.0.1:${port}`, ...headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Connect a ws client; resolves with the socket when open, rejects with the HTTP status when refused. */
function connectWs(url: string, headers: Record<string, string> = {}): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => {
      reject(Object.assign(new Error(`refused with ${res.statusCode}`), { status: res.statusCode }));
      ws.terminate();
    });
    ws.once('error', reject);
  });
}

function nextMessage(ws: WebSocket, predicate: (m: any) => boolean = () => true): Promise<any> {
  return new Promise((resolve) => {
    const on = (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString());
      if (predicate(m)) {
        ws.off('message', on);
        resolve(m);
      }
    };
    ws.on('message', on);
  });
}

async function call(ws: WebSocket, id: number, method: string, args: unknown): Promise<any> {
  const reply = nextMessage(ws, (m) => m.id === id);
  ws.send(JSON.stringify({ id, method, args }));
  return reply;
}

describe('autoresearch serve: HTTP and WebSocket server', () => {
  let dir: string;
  let rendererDir: string;
  let studio: FakeStudio;
  let server: RunningServer;
  let origin: string;
  const TOKEN = 'test-token-' + 'x'.repeat(32);

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ar-serve-'));
    rendererDir = path.join(dir, 'renderer');
    await mkdir(path.join(rendererDir, 'assets', 'sub'), { recursive: true });
    await writeFile(path.join(rendererDir, 'index.html'), '<!doctype html><title>ui</title>');
    await writeFile(path.join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    await writeFile(path.join(rendererDir, 'assets', 'app.css'), 'body{}');
    await writeFile(path.join(rendererDir, 'assets', 'sub', 'x.txt'), 'x');
    await writeFile(path.join(dir, 'secret.txt'), 'SECRET');
    await symlink(path.join(dir, 'secret.txt'), path.join(rendererDir, 'assets', 'link.txt'));
    studio = createFakeStudio({
      listRuns: () => [],
      openProject: () => {
        throw new ApiError({ code: 'not-found', message: 'No such folder', fieldErrors: [{ path: 'dir', message: 'missing' }] });
      },
      closeProject: () => {
        const err = new Error('disk on fire');
        err.stack = 'Error: disk on fire\n    at secretFunction (/home/me/secret.ts:1:1)';
        throw err;
      },
      saveProgram: () => undefined,
    });
    server = await startServer({ studio, rendererDir, port: 0, token: TOKEN });
    origin = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints a loopback URL that carries the token', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/?token=${TOKEN}`);
    expect(server.port).toBeGreaterThan(0);
  });

  it('generates a fresh 256-bit token when none is given', async () => {
    const other = await startServer({ studio: createFakeStudio(), rendererDir, port: 0 });
    try {
      const token = new URL(other.url).searchParams.get('token')!;
      expect(Buffer.from(token, 'base64url')).toHaveLength(32);
      expect(token).not.toBe(TOKEN);
      expect((await request(other.port, `/?token=${token}`)).status).toBe(200);
    } finally {
      await other.close();
    }
  });

  it('serves the page and assets without a token, refuses a wrong one, and never sets a cookie', async () => {
    const none = await request(server.port, '/');
    expect(none.status).toBe(200);
    expect(none.body).toContain('<title>ui</title>');
    const asset = await request(server.port, '/assets/app.js');
    expect(asset.status).toBe(200);
    expect(asset.body).toBe('console.log(1)');
    const wrong = await request(server.port, '/?token=nope');
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatch(/Wrong token/);
    const almost = await request(server.port, `/?token=${TOKEN.slice(0, -1)}y`);
    expect(almost.status).toBe(401);
    // A cookie would go to every port of 127.0.0.1: none is ever set, and one from an older version gives nothing.
    for (const r of [none, asset, wrong, await request(server.port, `/?token=${TOKEN}`), await request(server.port, `/assets/app.css?token=${TOKEN}`)]) {
      expect(r.headers['set-cookie']).toBeUndefined();
    }
  });

  it('serves the page with the CSP and security headers', async () => {
    const ok = await request(server.port, `/?token=${TOKEN}`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('<title>ui</title>');
    expect(ok.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(ok.headers['content-security-policy']).toContain(CONTENT_SECURITY_POLICY);
    expect(ok.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(ok.headers['x-content-type-options']).toBe('nosniff');
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    for (const host of ['evil.example:' + server.port, `127.0.0.1:${server.port + 1}`, 'localhost', '0.0.0.0:' + server.port]) {
      const r = await request(server.port, `/?token=${TOKEN}`, { host });
      expect(r.status, host).toBe(421);
      expect(r.body).toMatch(/answers only to/);
    }
    const viaLocalhost = await request(server.port, `/?token=${TOKEN}`, { host: `localhost:${server.port}` });
    expect(viaLocalhost.status).toBe(200);
  });

  it('refuses a foreign Origin and accepts its own', async () => {
    const evil = await request(server.port, `/?token=${TOKEN}`, { origin: 'http://evil.example' });
    expect(evil.status).toBe(403);
    const sibling = await request(server.port, `/?token=${TOKEN}`, { origin: `http://127.0.0.1:${server.port + 1}` });
    expect(sibling.status).toBe(403);
    const own = await request(server.port, `/?token=${TOKEN}`, { origin });
    expect(own.status).toBe(200);
  });

  it('serves only files inside the renderer folder, with no listings', async () => {
    const q = `?token=${TOKEN}`;
    expect((await request(server.port, `/assets/app.css${q}`)).headers['content-type']).toBe('text/css; charset=utf-8');
    for (const p of ['/../secret.txt', '/assets/../../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/assets/..%5c..%5csecret.txt', '/assets/link.txt', '/assets/', '/assets', '/assets/sub', '/nope.js', '/%00', '/%E0%A4%A']) {
      const r = await request(server.port, `${p}${q}`);
      expect([400, 404], p).toContain(r.status);
      expect(r.body).not.toContain('SECRET');
      expect(r.body).not.toContain('app.js');
    }
  });

  it('allows only GET and HEAD', async () => {
    const post = await request(server.port, `/?token=${TOKEN}`, {}, 'POST');
    expect(post.status).toBe(405);
    const head = await request(server.port, `/?token=${TOKEN}`, {}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });

  it('explains a missing UI build with 503', async () => {
    const other = await startServer({ studio: createFakeStudio(), rendererDir: path.join(dir, 'not-built'), port: 0, token: TOKEN });
    try {
      const r = await request(other.port, `/?token=${TOKEN}`);
      expect(r.status).toBe(503);
      expect(r.body).toMatch(/npm run build/);
    } finally {
      await other.close();
    }
  });

  it('listens on 127.0.0.1 only', async () => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      const reached = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: external.address, port: server.port });
        s.once('connect', () => {
          s.destroy();
          resolve(true);
        });
        s.once('error', () => resolve(false));
      });
      expect(reached).toBe(false);
    }
    const loop = await new Promise<boolean>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: server.port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    expect(loop).toBe(true);
  });

  it('refuses WebSocket upgrades without the token, with a foreign Origin or Host, or on another path', async () => {
    const base = `ws://127.0.0.1:${server.port}`;
    await expect(connectWs(`${base}/ws`, { origin })).rejects.toMatchObject({ status: 401 });
    await expect(connectWs(`${base}/ws?token=wrong`, { origin })).rejects.toMatchObject({ status: 401 });
    await expect(connectWs(`${base}/ws?token=${TOKEN}`, { origin: 'http://evil.example' })).rejects.toMatchObject({ status: 403 });
    await expect(connectWs(`${base}/ws?token=${TOKEN}`, { origin, host: `evil.example:${server.port}` })).rejects.toMatchObject({ status: 421 });
    await expect(connectWs(`${base}/other?token=${TOKEN}`, { origin })).rejects.toMatchObject({ status: 404 });
    expect(server.connections()).toBe(0);
  });

  it('refuses the upgrade that carries the token only in a cookie (cookies reach every port of 127.0.0.1)', async () => {
    const base = `ws://127.0.0.1:${server.port}`;
    await expect(connectWs(`${base}/ws`, { origin, cookie: `autoresearch_token_${server.port}=${TOKEN}` })).rejects.toMatchObject({ status: 401 });
    const ws = await connectWs(`${base}/ws?token=${TOKEN}`, { origin });
    const reply = await call(ws, 1, 'listRuns', {});
    expect(reply).toEqual({ id: 1, ok: true, result: [] });
    ws.close();
  });

  describe('over a connected socket', () => {
    let ws: WebSocket;
    beforeAll(async () => {
      ws = await connectWs(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`, { origin });
    });
    afterAll(() => ws.close());

    it('answers a call with its result', async () => {
      const reply = await call(ws, 7, 'snapshot', {});
      expect(reply.id).toBe(7);
      expect(reply.ok).toBe(true);
      expect(reply.result.app.host).toBe('serve');
    });

    it('turns undefined into null', async () => {
      expect(await call(ws, 8, 'saveProgram', { text: 'hi' })).toEqual({ id: 8, ok: true, result: null });
    });

    it('validates args with the shared schema before the studio sees them', async () => {
      const before = studio.calls.length;
      const reply = await call(ws, 9, 'steer', { note: '   ' });
      expect(reply.ok).toBe(false);
      expect(reply.error.code).toBe('invalid-args');
      expect(reply.error.fieldErrors).toEqual([{ path: 'note', message: 'Write a note for the agent' }]);
      const extra = await call(ws, 10, 'listRuns', { sneaky: 1 });
      expect(extra.error.code).toBe('invalid-args');
      expect(studio.calls.length).toBe(before);
    });

    it('refuses unknown methods, prototype names and malformed frames', async () => {
      expect((await call(ws, 11, 'deleteEverything', {})).error).toMatchObject({ code: 'invalid-args', message: 'Unknown method "deleteEverything"' });
      expect((await call(ws, 12, 'constructor', {})).error.code).toBe('invalid-args');
      expect((await call(ws, 13, '__proto__', {})).error.code).toBe('invalid-args');
      const notJson = nextMessage(ws, (m) => m.id === 0);
      ws.send('{not json');
      expect((await notJson).error.message).toMatch(/not JSON/);
      const noMethod = nextMessage(ws, (m) => m.id === 14);
      ws.send(JSON.stringify({ id: 14, args: {} }));
      expect((await noMethod).error.code).toBe('invalid-args');
    });

    it('keeps an ApiError code and field errors, and never sends a stack', async () => {
      const apiErr = await call(ws, 20, 'openProject', { dir: '/nope' });
      expect(apiErr).toEqual({ id: 20, ok: false, error: { code: 'not-found', message: 'No such folder', fieldErrors: [{ path: 'dir', message: 'missing' }] } });
      const plain = await call(ws, 21, 'closeProject', {});
      expect(plain).toEqual({ id: 21, ok: false, error: { code: 'failed', message: 'disk on fire' } });
      expect(JSON.stringify(plain)).not.toContain('secretFunction');
    });

    it('relays pushes to every socket, in order', async () => {
      const second = await connectWs(`ws://127.0.0.1:${server.port}/ws?token=${TOKEN}`, { origin });
      const got1: any[] = [];
      const got2: any[] = [];
      const done = Promise.all([
        new Promise<void>((r) => ws.on('message', (d) => (JSON.parse(d.toString()).event && got1.push(JSON.parse(d.toString()).event), got1.length === 3 && r()))),
        new Promise<void>((r) => second.on('message', (d) => (JSON.parse(d.toString()).event && got2.push(JSON.parse(d.toString()).event), got2.length === 3 && r()))),
      ]);
      const a = studio.emit({ type: 'notice', level: 'info', message: 'one' });
      studio.emit({ type: 'recent', recentProjects: ['/a'] });
      studio.emit({ type: 'log', project: '/p', tag: 't', id: 1, text: 'line\n' });
      await done;
      expect(got1.map((e) => e.seq)).toEqual([a.seq, a.seq + 1, a.seq + 2]);
      expect(got2).toEqual(got1);
      expect(got1[0]).toEqual({ type: 'notice', level: 'info', message: 'one', seq: a.seq });
      second.close();
    });
  });

  it('closes sockets and stops listening on close(), without disposing the studio', async () => {
    const s2 = createFakeStudio();
    const other = await startServer({ studio: s2, rendererDir, port: 0, token: TOKEN });
    const ws = await connectWs(`ws://127.0.0.1:${other.port}/ws?token=${TOKEN}`, { origin: `http://127.0.0.1:${other.port}` });
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    expect(s2.listenerCount()).toBe(1);
    await other.close();
    expect(await closed).toBe(1001);
    expect(s2.listenerCount()).toBe(0);
    expect(s2.disposed).toBe(false);
    await expect(request(other.port, `/?token=${TOKEN}`)).rejects.toThrow();
  });
});
