// The renderer's studio store: snapshot, pushes applied once and in order, catch-up after a reconnect
// (eventsSince, or a new snapshot when the server no longer holds the events).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ApiClient, Snapshot, StudioEvent } from '../../src/shared/api.js';
import { applyStudioEvent, connectStudio, resetStudio, subscribeStudioEvents, useStudio } from '../../src/renderer/store/studio.js';
import { createFakeStudio, fakeSnapshot } from '../e2e/helpers/fake-studio.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

/** An ApiClient over a fake studio, with a switchable connection and controllable snapshot timing. */
function fakeClient(opts: { snapshot?: () => Promise<Snapshot>; eventsSince?: (seq: number) => Promise<{ events: StudioEvent[]; complete: boolean }> }) {
  const studio = createFakeStudio({
    snapshot: opts.snapshot ? () => opts.snapshot!() : undefined,
    eventsSince: opts.eventsSince ? ({ seq }: { seq: number }) => opts.eventsSince!(seq) : undefined,
  });
  const eventListeners = new Set<(e: StudioEvent) => void>();
  const connListeners = new Set<(c: boolean) => void>();
  const client: ApiClient = {
    api: studio.api,
    onEvent: (l) => (eventListeners.add(l), () => eventListeners.delete(l)),
    onConnection: (l) => (connListeners.add(l), () => connListeners.delete(l)),
  };
  return {
    client,
    studio,
    push: (e: StudioEvent) => eventListeners.forEach((l) => l(e)),
    setConnected: (c: boolean) => connListeners.forEach((l) => l(c)),
  };
}

const recent = (seq: number, dirs: string[]): StudioEvent => ({ type: 'recent', recentProjects: dirs, seq });

describe('studio store', () => {
  let disconnect: (() => void) | null = null;
  beforeEach(() => resetStudio());
  afterEach(() => {
    disconnect?.();
    disconnect = null;
  });

  it('applies an event only when its seq is newer', () => {
    const s0 = { ...useStudio.getState(), seq: 5 };
    expect(applyStudioEvent(s0, recent(5, ['/a']))).toBe(s0);
    expect(applyStudioEvent(s0, recent(3, ['/a']))).toBe(s0);
    const s1 = applyStudioEvent(s0, recent(6, ['/a']));
    expect(s1.recentProjects).toEqual(['/a']);
    expect(s1.seq).toBe(6);
    const s2 = applyStudioEvent(s1, { type: 'log', project: '/p', tag: 't', id: 1, text: 'x', seq: 7 });
    expect(s2.seq).toBe(7);
    expect(s2.recentProjects).toBe(s1.recentProjects);
  });

  it('holds pushes that arrive before the snapshot, then applies only the newer ones in order', async () => {
    const snap = deferred<Snapshot>();
    const f = fakeClient({ snapshot: () => snap.promise });
    const seen: number[] = [];
    const off = subscribeStudioEvents((e) => seen.push(e.seq));
    disconnect = connectStudio(f.client);
    f.setConnected(true);
    f.push(recent(12, ['/c']));
    f.push(recent(10, ['/old']));
    f.push(recent(11, ['/b']));
    expect(useStudio.getState().loaded).toBe(false);
    snap.resolve({ ...fakeSnapshot(10), recentProjects: ['/snap'] });
    await flush();
    const s = useStudio.getState();
    expect(s.loaded).toBe(true);
    expect(s.seq).toBe(12);
    expect(s.recentProjects).toEqual(['/c']);
    expect(seen).toEqual([11, 12]);
    f.push(recent(12, ['/dup']));
    expect(useStudio.getState().recentProjects).toEqual(['/c']);
    off();
  });

  it('catches up with eventsSince after a reconnect, holding live pushes until the replay is applied', async () => {
    const since = deferred<{ events: StudioEvent[]; complete: boolean }>();
    const asked: number[] = [];
    const f = fakeClient({
      snapshot: async () => fakeSnapshot(3),
      eventsSince: (seq) => {
        asked.push(seq);
        return since.promise;
      },
    });
    disconnect = connectStudio(f.client);
    f.setConnected(true);
    await flush();
    expect(useStudio.getState().seq).toBe(3);
    f.setConnected(false);
    expect(useStudio.getState().connected).toBe(false);
    f.setConnected(true);
    f.push(recent(6, ['/live'])); // arrives before the replay of 4 and 5
    since.resolve({ events: [recent(4, ['/four']), { type: 'apiKey', apiKey: { set: true, source: 'env', warning: null, endpoint: { host: 'api.anthropic.com', error: null } }, seq: 5 }], complete: true });
    await flush();
    await flush();
    const s = useStudio.getState();
    expect(asked).toEqual([3]);
    expect(s.seq).toBe(6);
    expect(s.apiKey.set).toBe(true);
    expect(s.recentProjects).toEqual(['/live']);
    expect(s.connected).toBe(true);
  });

  it('takes a new snapshot when the server no longer holds the missed events', async () => {
    let snapshots = 0;
    const f = fakeClient({
      snapshot: async () => ({ ...fakeSnapshot(snapshots++ === 0 ? 2 : 500), recentProjects: [`/s${snapshots}`] }),
      eventsSince: async () => ({ events: [], complete: false }),
    });
    disconnect = connectStudio(f.client);
    f.setConnected(true);
    await flush();
    const v1 = useStudio.getState().snapshotVersion;
    f.setConnected(false);
    f.setConnected(true);
    await flush();
    await flush();
    const s = useStudio.getState();
    expect(s.seq).toBe(500);
    expect(s.recentProjects).toEqual(['/s2']);
    expect(s.snapshotVersion).toBe(v1 + 1);
  });

  it('retries the first snapshot on reconnect when it failed, and says why meanwhile', async () => {
    let fail = true;
    const f = fakeClient({
      snapshot: async () => {
        if (fail) throw new Error('connection lost');
        return fakeSnapshot(1);
      },
    });
    disconnect = connectStudio(f.client);
    f.setConnected(true);
    await flush();
    expect(useStudio.getState().loadError).toBe('connection lost');
    fail = false;
    f.setConnected(false);
    f.setConnected(true);
    await flush();
    expect(useStudio.getState().loaded).toBe(true);
    expect(useStudio.getState().loadError).toBeNull();
  });

  it('is connected at once over a transport without connection reports (Electron IPC)', async () => {
    const studio = createFakeStudio();
    disconnect = connectStudio({ api: studio.api, onEvent: (l) => studio.onEvent(l) });
    expect(useStudio.getState().connected).toBe(true);
    await flush();
    studio.emit({ type: 'recent', recentProjects: ['/ipc'] });
    expect(useStudio.getState().recentProjects).toEqual(['/ipc']);
  });
});
