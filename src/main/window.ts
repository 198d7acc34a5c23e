// The one window: isolated, sandboxed, no Node in the page, strict CSP, no navigation, no popups.
import { BrowserWindow, session, shell } from 'electron';
import { CONTENT_SECURITY_POLICY, CSP_HEADER_EXTRA } from '../shared/csp.js';
import { externalUrl, mayNavigate } from './navigation.js';
import type { AppPage } from './sender.js';

export interface WindowOptions {
  readonly page: AppPage;
  readonly preloadPath: string;
  readonly iconPath?: string;
  /** DevTools can be opened (not in a packaged app). */
  readonly devTools: boolean;
}

/** Once per session: the CSP as a response header too (the page's meta tag covers file://, this covers dev). */
export function installCsp(): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: {
        ...details.responseHeaders,
        'Content-Security-Policy': [`${CONTENT_SECURITY_POLICY}; ${CSP_HEADER_EXTRA}`],
      },
    });
  });
  // The app asks for no permission (camera, notifications from the page, ...); desktop notifications come from main.
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
}

export function createMainWindow(options: WindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1360,
    height: 880,
    minWidth: 900,
    minHeight: 560,
    show: false,
    backgroundColor: '#1e1e1e',
    title: 'Autoresearch Studio',
    icon: options.iconPath,
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: false,
      devTools: options.devTools,
    },
  });
  win.once('ready-to-show', () => win.show());

  const openOutside = (url: string) => {
    const safe = externalUrl(url);
    if (safe) void shell.openExternal(safe);
  };
  win.webContents.on('will-navigate', (event, url) => {
    if (mayNavigate(url, options.page)) return;
    event.preventDefault();
    openOutside(url);
  });
  win.webContents.on('will-redirect', (event, url) => {
    if (!mayNavigate(url, options.page)) event.preventDefault();
  });
  win.webContents.on('will-attach-webview', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(({ url }) => {
    openOutside(url);
    return { action: 'deny' };
  });

  if (options.page.kind === 'dev') void win.loadURL(options.page.url);
  else void win.loadFile(options.page.indexPath);
  return win;
}
