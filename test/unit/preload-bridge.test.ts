// The preload bridge with a fake ipcRenderer and a fake contextBridge: exactly the Api, nothing more;
// calls go through the one channel; errors come back intact through the renderer's client.
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { API_METHODS, ApiError, type StudioEvent } from '../../src/shared/api.js';
import { API_METHOD_NAMES } from '../../src/shared/api-methods.js';
import { IPC_EVENT, IPC_INVOKE, IPC_OPEN_DROPPED } from '../../src/shared/bridge.js';
import { createBridge, type IpcRendererLike } from '../../src/preload/bridge.js';
import { bridgeClient } from '../../src/renderer/api/client.js';
import { registerApiHandler, type IpcMainLike } from '../../src/main/ipc.js';
import type { InvokeEventLike } from '../../src/main/sender.js';
import { createFakeStudio } from '../e2e/helpers/fake-studio.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

function fakeIpcRenderer(invoke: (channel: string, ...args: unknown[]) => Promise<unknown>) {
  const listeners = new Map<string, Set<Listener>>();
  const ipc: IpcRendererLike & { emit(channel: string, payload: unknown): void; count(channel: string): number } = {
    invoke: vi.fn(invoke),
    on(channel, listener) {
      if (!listeners.has(channel)) listeners.set(channel, new Set());
      listeners.get(channel)!.add(listener);
    },
    removeListener(channel, listener) {
      listeners.get(channel)?.delete(listener);
    },
    emit(channel, payload) {
      for (const l of listeners.get(channel) ?? []) l({ sender: 'SECRET-IPC-OBJECT', ports: [] }, payload);
    },
    count: (channel) => listeners.get(channel)?.size ?? 0,
  };
  return ipc;
}

describe('preload bridge', () => {
  it('exposes one function per Api method plus onEvent, and nothing else', () => {
    const bridge = createBridge(fakeIpcRenderer(async () => ({ ok: true, result: null })));
    expect(Object.keys(bridge).sort()).toEqual([...API_METHODS, 'onEvent'].sort());
    for (const key of Object.keys(bridge)) expect(typeof (bridge as Record<string, unknown>)[key]).toBe('function');
    expect(Object.isFrozen(bridge)).toBe(true);
    expect(bridge).not.toHaveProperty('invoke');
    expect(bridge).not.toHaveProperty('ipcRenderer');
    expect(bridge).not.toHaveProperty('send');
  });

  it('keeps its zod-free method list equal to the Api', () => {
    expect([...API_METHOD_NAMES].sort()).toEqual([...API_METHODS].sort());
  });

  it('calls the one invoke channel with the method and args', async () => {
    const ipc = fakeIpcRenderer(async () => ({ ok: true, result: { tag: 'nov24' } }));
    const bridge = createBridge(ipc);
    await expect(bridge.startRun({ tag: 'nov24' })).resolves.toEqual({ ok: true, result: { tag: 'nov24' } });
    await bridge.listRuns(undefined as never);
    expect(ipc.invoke).toHaveBeenNthCalledWith(1, IPC_INVOKE, 'startRun', { tag: 'nov24' });
    expect(ipc.invoke).toHaveBeenNthCalledWith(2, IPC_INVOKE, 'listRuns', {});
  });

  it('turns a failing channel into a failed envelope with the reason', async () => {
    const bridge = createBridge(
      fakeIpcRenderer(async () => {
        throw new Error("No handler registered for 'api:invoke'");
      }),
    );
    await expect(bridge.snapshot({})).resolves.toEqual({ ok: false, error: { code: 'failed', message: "The app did not answer snapshot: No handler registered for 'api:invoke'" } });
  });

  it('passes pushes to listeners without the IPC event object, until they unsubscribe', () => {
    const ipc = fakeIpcRenderer(async () => null);
    const bridge = createBridge(ipc);
    const got: unknown[][] = [];
    const off = bridge.onEvent((...args: unknown[]) => got.push(args));
    const event: StudioEvent = { type: 'recent', recentProjects: ['/p'], seq: 4 };
    ipc.emit(IPC_EVENT, event);
    expect(got).toEqual([[event]]);
    expect(JSON.stringify(got)).not.toContain('SECRET-IPC-OBJECT');
    off();
    expect(ipc.count(IPC_EVENT)).toBe(0);
    ipc.emit(IPC_EVENT, event);
    expect(got).toHaveLength(1);
    expect(() => bridge.onEvent('nope' as never)).toThrow(TypeError);
  });

  it('round-trips through main: results, ApiErrors with codes and field errors, validation before the studio', async () => {
    const studio = createFakeStudio({
      listRuns: () => [],
      getRun: () => {
        throw new ApiError({ code: 'not-found', message: 'No run nov24', fieldErrors: [{ path: 'tag', message: 'unknown' }] });
      },
    });
    let handler: ((event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) | null = null;
    const ipcMain: IpcMainLike = {
      handle: (channel, h) => {
        expect(channel).toBe(IPC_INVOKE);
        handler = h;
      },
      removeHandler: () => (handler = null),
    };
    registerApiHandler({ ipcMain, api: studio.api, isTrusted: () => true });
    const event: InvokeEventLike = { senderFrame: { url: 'file:///app/index.html', parent: null } };
    // Structured clone, as IPC does: nothing but data crosses.
    const ipc = fakeIpcRenderer(async (_channel, ...args) => structuredClone(await handler!(event, ...args)));
    const client = bridgeClient(createBridge(ipc));
    await expect(client.api.listRuns({})).resolves.toEqual([]);
    const err = (await client.api.getRun({ tag: 'nov24' }).catch((e: unknown) => e)) as ApiError;
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('not-found');
    expect(err.fieldErrors).toEqual([{ path: 'tag', message: 'unknown' }]);
    const invalid = (await client.api.getRun({ tag: '../etc' }).catch((e: unknown) => e)) as ApiError;
    expect(invalid.code).toBe('invalid-args');
    expect(studio.calls.filter((c) => c.method === 'getRun')).toHaveLength(1);
  });

  it('index.ts exposes the bridge as window.api through contextBridge, and sends a dropped folder to main', async () => {
    vi.resetModules();
    const exposed: Record<string, unknown> = {};
    const sent: unknown[][] = [];
    const fakeIpc = { ...fakeIpcRenderer(async () => ({ ok: true, result: 'x' })), send: (...args: unknown[]) => sent.push(args) };
    const windowListeners: Record<string, (e: unknown) => void> = {};
    vi.stubGlobal('window', { addEventListener: (type: string, l: (e: unknown) => void) => (windowListeners[type] = l) });
    vi.doMock('electron', () => ({
      contextBridge: { exposeInMainWorld: (key: string, value: unknown) => (exposed[key] = value) },
      ipcRenderer: fakeIpc,
      webUtils: { getPathForFile: (f: { name: string }) => `/home/me/${f.name}` },
    }));
    try {
      await import('../../src/preload/index.js');
    } finally {
      vi.doUnmock('electron');
      vi.unstubAllGlobals();
    }
    expect(Object.keys(exposed)).toEqual(['api']);
    expect(Object.keys(exposed.api as object).sort()).toEqual([...API_METHODS, 'onEvent'].sort());
    windowListeners.drop!({ defaultPrevented: false, dataTransfer: { types: ['Files'], files: [{ name: 'proj' }] }, preventDefault: () => undefined });
    expect(sent).toEqual([[IPC_OPEN_DROPPED, '/home/me/proj']]);
  });

  it('is built as one CommonJS file that requires nothing but electron', async (ctx) => {
    const built = path.resolve('out/preload/index.cjs');
    if (!existsSync(built)) ctx.skip(`${built} is missing: run \`npm run build\` first`);
    const code = await readFile(built, 'utf8');
    const requires = [...code.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect(requires.length).toBeGreaterThan(0);
    // A sandboxed preload cannot require packages: everything else must be bundled in.
    expect(new Set(requires)).toEqual(new Set(['electron']));
    expect(code).not.toMatch(/^\s*(import|export)\s/m);
  });
});
