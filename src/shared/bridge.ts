// The Electron transport's contract: what the preload exposes as `window.api`, and the IPC channels
// behind it. The renderer imports the type; src/preload builds the object; src/main answers the channel.
import type { Api, ApiErrorPayload, StudioEvent } from './api.js';

/** The one request channel (ipcMain.handle / ipcRenderer.invoke). */
export const IPC_INVOKE = 'api:invoke';
/** The one push channel (webContents.send / ipcRenderer.on). */
export const IPC_EVENT = 'api:event';

/** `window.api` in the desktop app: exactly one function per Api method, plus a subscription to pushes. */
export type ApiBridge = Api & {
  readonly onEvent: (listener: (event: StudioEvent) => void) => () => void;
};

/**
 * What main answers on IPC_INVOKE. Errors travel as data because Electron flattens a thrown Error into
 * a message string ("Error invoking remote method ..."), which would lose the code and field errors.
 */
export type IpcResult = { readonly ok: true; readonly result: unknown } | { readonly ok: false; readonly error: ApiErrorPayload };
