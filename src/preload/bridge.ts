// What the preload exposes as `window.api`: one function per Api method and onEvent. Nothing else:
// no ipcRenderer, no generic invoke(channel). It imports nothing that needs zod (a sandboxed preload cannot
// require packages). Written against an injected ipcRenderer so it is testable
// without Electron.
import type { ApiMethod, StudioEvent } from '../shared/api.js';
import { API_METHOD_NAMES } from '../shared/api-methods.js';
import { IPC_EVENT, IPC_INVOKE, type ApiBridge, type IpcResult } from '../shared/bridge.js';

/** The part of Electron's ipcRenderer the bridge uses. */
export interface IpcRendererLike {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

export function createBridge(ipc: IpcRendererLike): ApiBridge {
  const methods: Record<string, (args: unknown) => Promise<IpcResult>> = {};
  for (const method of API_METHOD_NAMES) {
    methods[method] = (args: unknown) => invoke(ipc, method, args);
  }
  const onEvent = (listener: (event: StudioEvent) => void): (() => void) => {
    if (typeof listener !== 'function') throw new TypeError('onEvent needs a function');
    // Only the event reaches the page, never Electron's IpcRendererEvent (it carries `sender`).
    const wrapped = (_event: unknown, payload: unknown) => listener(payload as StudioEvent);
    ipc.on(IPC_EVENT, wrapped);
    return () => {
      ipc.removeListener(IPC_EVENT, wrapped);
    };
  };
  return Object.freeze({ ...methods, onEvent }) as ApiBridge;
}

async function invoke(ipc: IpcRendererLike, method: ApiMethod, args: unknown): Promise<IpcResult> {
  try {
    return (await ipc.invoke(IPC_INVOKE, method, args ?? {})) as IpcResult;
  } catch (err) {
    // Main answers every call with an envelope; a throw means the channel itself failed.
    return { ok: false, error: { code: 'failed', message: `The app did not answer ${method}: ${(err as Error)?.message ?? String(err)}` } };
  }
}
