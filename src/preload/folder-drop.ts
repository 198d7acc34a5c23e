// Dropping a folder onto the window opens it. Only the preload can turn a dropped File into its path
// (webUtils.getPathForFile; File.path is gone since Electron 32), so the drop is handled here and the path
// goes straight to main, never to the page. Drops the page handles itself (the program.md editor) are
// left alone.

/** The parts of a DragEvent read here. */
export interface DropEventLike {
  readonly defaultPrevented: boolean;
  readonly dataTransfer: { readonly types: readonly string[]; readonly files: ArrayLike<unknown> } | null;
  preventDefault(): void;
}

export interface DropTarget {
  addEventListener(type: 'dragover' | 'drop', listener: (event: DropEventLike) => void): void;
}

export function installFolderDrop(target: DropTarget, pathOf: (file: unknown) => string, open: (path: string) => void): void {
  const carriesFiles = (e: DropEventLike) => Boolean(e.dataTransfer?.types.includes('Files'));
  // Without this the browser refuses the drop (and would navigate to the file, which main blocks anyway).
  target.addEventListener('dragover', (e) => {
    if (!e.defaultPrevented && carriesFiles(e)) e.preventDefault();
  });
  target.addEventListener('drop', (e) => {
    if (e.defaultPrevented || !carriesFiles(e)) return;
    const file = e.dataTransfer!.files[0];
    if (!file) return;
    e.preventDefault();
    const path = pathOf(file);
    if (path) open(path);
  });
}
