// The Electron transport's contract: what the preload exposes as `window.api`, and the IPC channels
// behind it. The renderer imports the type; src/preload builds the object; src/main answers the channel.
import type { ApiArgs, ApiErrorPayload, ApiMethod, StudioEvent } from './api.js';

/** The one request channel (ipcMain.handle / ipcRenderer.invoke): args are (method, args). */
export const IPC_INVOKE = 'api:invoke';
/** The one push channel (webContents.send / ipcRenderer.on): one StudioEvent per message. */
export const IPC_EVENT = 'api:event';
/**
 * A folder dropped onto the window (ipcRenderer.send from the preload, which alone can read a dropped
 * file's path): main opens it as the project. The page never sees the path.
 */
export const IPC_OPEN_DROPPED = 'app:open-dropped';

/**
 * What a call answers, as data. Errors cannot be thrown across IPC or the contextBridge intact (both keep
 * only the message), so the code and field errors travel in the envelope and the renderer's client
 * turns `ok: false` back into an ApiError.
 */
export type IpcResult = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: ApiErrorPayload };

/** `window.api` in the desktop app: exactly one function per Api method, plus a subscription to pushes. */
export type ApiBridge = {
  readonly [M in ApiMethod]: (args: ApiArgs<M>) => Promise<IpcResult>;
} & {
  readonly onEvent: (listener: (event: StudioEvent) => void) => () => void;
};
