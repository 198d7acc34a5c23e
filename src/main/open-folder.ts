// Choosing a project folder the way desktop apps do: the native Open dialog (File → Open Folder…, the Start
// screen's button) and a folder dropped onto the window. Written against dialog- and fs-like objects so it
// is tested without Electron.
import { stat } from 'node:fs/promises';

export interface OpenDialogOptionsLike {
  readonly title: string;
  readonly buttonLabel: string;
  readonly properties: ('openDirectory' | 'createDirectory')[];
  readonly defaultPath?: string;
}

/** Electron's dialog.showOpenDialog, already bound to the window it is modal to. */
export type ShowOpenDialog = (options: OpenDialogOptionsLike) => Promise<{ readonly canceled: boolean; readonly filePaths: readonly string[] }>;

/** Ask for one folder; null when the user cancels. Starts where the last project was, when there is one. */
export async function pickFolder(showOpenDialog: ShowOpenDialog, defaultPath?: string | null): Promise<string | null> {
  const result = await showOpenDialog({
    title: 'Open a Project Folder',
    buttonLabel: 'Open',
    properties: ['openDirectory', 'createDirectory'],
    ...(defaultPath ? { defaultPath } : {}),
  });
  const dir = result.filePaths[0];
  return result.canceled || !dir ? null : dir;
}

/**
 * What a drop onto the window opens: the folder itself. A dropped file is refused with what to do instead
 * (opening its folder would surprise someone who meant to drop it into an editor).
 */
export async function droppedFolder(droppedPath: unknown): Promise<{ readonly dir: string } | { readonly error: string }> {
  if (typeof droppedPath !== 'string' || droppedPath.length === 0) return { error: 'Only folders from the file manager can be dropped here.' };
  const info = await stat(droppedPath).catch(() => null);
  if (!info) return { error: `${droppedPath} does not exist any more.` };
  if (!info.isDirectory()) return { error: `${droppedPath} is a file. Drop the project's folder to open it.` };
  return { dir: droppedPath };
}
