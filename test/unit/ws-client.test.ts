// The renderer's WebSocket client against the real serve server (fake Studio behind it): calls, errors,
// pushes, and what happens when the connection drops and comes back.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { ApiError, type StudioEvent } from '../../src/shared/api.js';
import { startServer, type RunningServer } from '../../src/cli/serve/server.js';
import { createWsClient, type SocketLike, type WsClient } from '../../src/renderer/api/ws-client.js';
import { wsUrl } from '../../src/renderer/api/client.js';
import { createFakeStudio, type FakeStudio } from '../e2e/helpers/fake-studio.js';

const TOKEN = 'client-test-token-0123456789abcdef';

function waitFor(predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const start = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - start > timeoutMs) return reject(new Error('timed out waiting'));
      setTimeout(tick, 10);
    };
    tick();
  });
}

const CLOSED = 3;

/** Like waitFor, for a test on a fake clock: polls between I/O turns (setImmediate), which the fake leaves real. */
async function waitForIo(predicate: () => boolean, turns = 100_000): Promise<void> {
  for (let i = 0; i < turns; i++) {
    if (predicate()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error('timed out waiting');
}

describe('WebSocket client', () => {
  let dir: string;
  let studio: FakeStudio;
  let server: RunningServer;
  let client: WsClient | null = null;
  const sockets: SocketLike[] = [];

  const makeClient = (port: number) =>
    createWsClient({
      url: `ws://127.0.0.1:${port}/ws?token=${TOKEN}`,
      initialBackoffMs: 20,
      maxBackoffMs: 100,
      createSocket: (url) => {
        const s = new WebSocket(url, { headers: { origin: `http://127.0.0.1:${port}` } }) as unknown as SocketLike;
        sockets.push(s);
        return s;
      },
    });

  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ar-wsclient-'));
    await writeFile(path.join(dir, 'index.html'), 'x');
    studio = createFakeStudio({
      listRuns: () => [],
      steer: () => null,
      getRun: ({ tag }: { tag: string }) => {
        throw new ApiError({ code: 'not-found', message: `No run ${tag}` });
      },
      pauseRun: () => new Promise(() => undefined), // never answers
    });
    server = await startServer({ studio, rendererDir: dir, port: 0, token: TOKEN });
  });

  afterEach(async () => {
    vi.useRealTimers();
    client?.close();
    client = null;
    sockets.length = 0;
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('builds the socket URL from the page location, keeping the token', () => {
    expect(wsUrl({ protocol: 'http:', host: '127.0.0.1:5555', search: '?token=abc%2Bd' })).toBe('ws://127.0.0.1:5555/ws?token=abc%2Bd');
    expect(wsUrl({ protocol: 'http:', host: 'localhost:1', search: '' })).toBe('ws://localhost:1/ws');
  });

  it('calls methods, including ones made before the socket opened', async () => {
    client = makeClient(server.port);
    const early = client.api.listRuns({});
    expect(client.isConnected()).toBe(false);
    await expect(early).resolves.toEqual([]);
    expect(client.isConnected()).toBe(true);
    const snap = await client.api.snapshot({});
    expect(snap.app.host).toBe('serve');
    expect(studio.calls.map((c) => c.method)).toEqual(['listRuns', 'snapshot']);
  });

  it('rejects with an ApiError that keeps the code and field errors', async () => {
    client = makeClient(server.port);
    const notFound = await client.api.getRun({ tag: 'nov24' }).catch((e: unknown) => e);
    expect(notFound).toBeInstanceOf(ApiError);
    expect(notFound).toMatchObject({ code: 'not-found', message: 'No run nov24' });
    const before = studio.calls.length;
    const invalid = (await client.api.steer({ note: '' }).catch((e: unknown) => e)) as ApiError;
    expect(invalid.code).toBe('invalid-args');
    expect(invalid.fieldErrors[0]?.path).toBe('note');
    // Checked before sending: the server never saw it.
    expect(studio.calls.length).toBe(before);
  });

  it('ignores pushes that are not events', async () => {
    client = makeClient(server.port);
    await client.api.listRuns({});
    const got: StudioEvent[] = [];
    client.onEvent((e) => got.push(e));
    // Reach behind the studio: a malformed push straight onto the socket.
    const raw = sockets.at(-1) as unknown as { onmessage: (ev: { data: unknown }) => void };
    raw.onmessage({ data: JSON.stringify({ event: { type: 'recent' } }) });
    raw.onmessage({ data: JSON.stringify({ event: null }) });
    raw.onmessage({ data: 'not json' });
    studio.emit({ type: 'recent', recentProjects: [] });
    await waitFor(() => got.length === 1);
    expect(got[0]?.seq).toBe(1);
  });

  it('delivers pushes to listeners until they unsubscribe', async () => {
    client = makeClient(server.port);
    await client.api.listRuns({});
    const got: StudioEvent[] = [];
    const off = client.onEvent((e) => got.push(e));
    studio.emit({ type: 'recent', recentProjects: ['/x'] });
    await waitFor(() => got.length === 1);
    expect(got[0]).toMatchObject({ type: 'recent', recentProjects: ['/x'], seq: 1 });
    off();
    studio.emit({ type: 'recent', recentProjects: [] });
    await client.api.listRuns({}); // a round trip: the push was sent before this answer
    expect(got).toHaveLength(1);
  });

  it('fails calls in flight when the connection drops, reconnects, and reports both', async () => {
    client = makeClient(server.port);
    const states: boolean[] = [];
    client.onConnection((c) => states.push(c));
    await client.api.listRuns({});
    const hanging = client.api.pauseRun({}).catch((e: unknown) => e);
    await waitFor(() => studio.calls.some((c) => c.method === 'pauseRun'));
    // Drop the socket from the server side (as a restart or a network blip would).
    const port = server.port;
    await server.close();
    const err = (await hanging) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.message).toMatch(/connection .* was lost/);
    expect(client.isConnected()).toBe(false);
    // A call made while down waits for the next connection instead of failing.
    const queued = client.api.listRuns({});
    server = await startServer({ studio, rendererDir: dir, port, token: TOKEN });
    await expect(queued).resolves.toEqual([]);
    expect(states).toEqual([true, false, true]);
    expect(sockets.length).toBeGreaterThanOrEqual(2);
  });

  it('keeps retrying while the server is down, with backoff that doubles up to its cap', async () => {
    const port = server.port;
    await server.close();
    // A fake clock for the client's reconnect timer: each delay it chose is read off the clock, never waited.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    client = makeClient(port);
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 7; attempt++) {
      // The refused socket closes (real I/O), and the client schedules its next try.
      await waitForIo(() => sockets.length === attempt && sockets[attempt - 1]!.readyState === CLOSED && vi.getTimerCount() === 1);
      const before = Date.now();
      vi.advanceTimersToNextTimer();
      delays.push(Date.now() - before);
      expect(sockets).toHaveLength(attempt + 1);
    }
    // 20 ms doubling, capped at 100 ms, each ±25 % jitter.
    const nominal = [20, 40, 80, 100, 100, 100, 100];
    delays.forEach((d, i) => {
      expect(d, `delay ${i}: ${delays.join(', ')}`).toBeGreaterThanOrEqual(nominal[i]! * 0.75 - 1);
      expect(d, `delay ${i}: ${delays.join(', ')}`).toBeLessThanOrEqual(nominal[i]! * 1.25 + 1);
    });
    // Back up: the next try connects (its timer is on the fake clock, so the clock moves past it).
    await waitForIo(() => sockets[7]!.readyState === CLOSED && vi.getTimerCount() === 1);
    server = await startServer({ studio, rendererDir: dir, port, token: TOKEN });
    vi.advanceTimersByTime(200);
    vi.useRealTimers();
    expect(sockets).toHaveLength(9);
    await waitFor(() => client!.isConnected());
  });

  it('fails pending calls and stops reconnecting on close()', async () => {
    const port = server.port;
    await server.close();
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    client = makeClient(port);
    const pending = client.api.listRuns({});
    client.close();
    await expect(pending).rejects.toThrow(/closed/);
    // Its socket has closed (the moment a reconnect would be scheduled); running every timer there is starts none.
    await waitForIo(() => sockets.length === 1 && sockets[0]!.readyState === CLOSED);
    vi.runAllTimers();
    expect(sockets).toHaveLength(1);
    vi.useRealTimers();
    server = await startServer({ studio, rendererDir: dir, port: 0, token: TOKEN });
  });
});
