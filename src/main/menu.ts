// The application menu: the usual roles (so copy/paste, zoom and full screen work), and a few app items.
// Developer tools are in the menu only when the app runs from a checkout: a packaged app has no use for
// them, and a page with DevTools open can call the whole Api by hand.
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  /** The native folder picker, then open the folder (File → Open Folder…, Ctrl/Cmd+O). */
  readonly openFolder: () => void;
  readonly openDemo: () => void;
  readonly openExternal: (url: string) => void;
}

export interface MenuOptions {
  /** Toggle Developer Tools in the View menu (not in a packaged app). */
  readonly devTools: boolean;
}

export function menuTemplate(platform: NodeJS.Platform, appName: string, actions: MenuActions, options: MenuOptions = { devTools: false }): MenuItemConstructorOptions[] {
  const mac = platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (mac) {
    template.push({
      label: appName,
      submenu: [{ role: 'about' }, { type: 'separator' }, { role: 'services' }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }],
    });
  }
  template.push(
    {
      label: 'File',
      submenu: [
        { label: 'Open Folder…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFolder() },
        { label: 'Open the Demo Project', click: () => actions.openDemo() },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [
        { role: 'reload' },
        ...(options.devTools ? [{ role: 'toggleDevTools' } as const] : []),
        { type: 'separator' },
        { role: 'resetZoom' },
        { role: 'zoomIn' },
        { role: 'zoomOut' },
        { type: 'separator' },
        { role: 'togglefullscreen' },
      ],
    },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [{ label: 'The autoresearch Protocol (karpathy/autoresearch)', click: () => actions.openExternal('https://github.com/karpathy/autoresearch') }],
    },
  );
  return template;
}
