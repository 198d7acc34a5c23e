// The Api over Electron IPC: one invoke channel answered for trusted senders only, and StudioEvents
// pushed to every window. Written against ipcMain-like objects so it is tested without Electron.
import type { Api, StudioEvent } from '../shared/api.js';
import { IPC_EVENT, IPC_INVOKE, type IpcResult } from '../shared/bridge.js';
import { dispatchApiCall } from '../shared/dispatch.js';
import type { InvokeEventLike } from './sender.js';

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

export interface ApiHandlerOptions {
  readonly ipcMain: IpcMainLike;
  readonly api: Api;
  readonly isTrusted: (event: InvokeEventLike) => boolean;
  /** Told about refused calls (logged by main; a refused call is a bug or an attack). */
  readonly onRefused?: (event: InvokeEventLike, method: unknown) => void;
}

/** Register the handler; returns a function that removes it. */
export function registerApiHandler(options: ApiHandlerOptions): () => void {
  options.ipcMain.handle(IPC_INVOKE, async (event, method, args): Promise<IpcResult> => {
    if (!options.isTrusted(event)) {
      options.onRefused?.(event, method);
      return { ok: false, error: { code: 'unauthorized', message: 'This page may not use the Autoresearch Studio Api.' } };
    }
    return dispatchApiCall(options.api, method, args);
  });
  return () => options.ipcMain.removeHandler(IPC_INVOKE);
}

/** Push each event to every live window; returns the unsubscribe function. */
export function relayEvents(onEvent: (listener: (e: StudioEvent) => void) => () => void, targets: () => readonly WebContentsLike[]): () => void {
  return onEvent((event) => {
    for (const wc of targets()) {
      if (wc.isDestroyed()) continue;
      try {
        wc.send(IPC_EVENT, event);
      } catch {
        // A window closing between the check and the send; it reloads from a snapshot if it comes back.
      }
    }
  });
}
