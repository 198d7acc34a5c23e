// The desktop app: one Studio bound to one window over IPC, with the OS services the engine asks for
// (secret store, sleep inhibitor, notifications), a single instance, and a careful quit.
import path from 'node:path';
import { app, BrowserWindow, dialog, ipcMain, Menu, Notification, powerSaveBlocker, safeStorage, shell } from 'electron';
import type { Studio, StudioDeps } from '../core/studio/studio.js';
import { IPC_OPEN_DROPPED } from '../shared/bridge.js';
import { dataDir as cliDataDir } from '../core/gpu/lease.js';
import { appPaths } from './app-paths.js';
import { projectArg } from './args.js';
import { registerApiHandler, relayEvents } from './ipc.js';
import { menuTemplate } from './menu.js';
import { externalUrl } from './navigation.js';
import { droppedFolder, pickFolder, type ShowOpenDialog } from './open-folder.js';
import { createQuitGuard } from './quit-guard.js';
import { createSafeSecretStore } from './secret-store.js';
import { isTrustedSender, type AppPage } from './sender.js';
import { createSleepInhibitor } from './sleep-inhibitor.js';
import { createMainWindow, installCsp } from './window.js';

export type CreateStudio = (deps: StudioDeps) => Promise<Studio>;

export function startDesktop(createStudio: CreateStudio): void {
  if (!app.requestSingleInstanceLock()) {
    // Another instance owns the projects' locks and the window; it gets our argv through 'second-instance'.
    app.quit();
    return;
  }
  let win: BrowserWindow | null = null;
  let studio: Studio | null = null;
  const { appRoot, resourcesRoot, iconPath } = appPaths(app.getAppPath(), app.isPackaged);
  const devTools = !app.isPackaged;
  const page: AppPage = process.env.ELECTRON_RENDERER_URL
    ? { kind: 'dev', url: process.env.ELECTRON_RENDERER_URL }
    : { kind: 'file', indexPath: path.join(appRoot, 'out', 'renderer', 'index.html') };

  const openWindow = () => {
    win = createMainWindow({ page, preloadPath: path.join(appRoot, 'out', 'preload', 'index.cjs'), iconPath, devTools });
    win.on('closed', () => (win = null));
  };

  const showError = (message: string, detail: string) => {
    const options = { type: 'error' as const, message, detail };
    void (win ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
  };

  const openProject = (dir: string) => {
    void studio?.api.openProject({ dir }).catch((err: unknown) => showError(`Could not open ${dir}`, (err as Error).message));
  };

  // Modal to the window when there is one; starts in the open project's parent folder.
  const showOpenDialog: ShowOpenDialog = (options) => (win ? dialog.showOpenDialog(win, options) : dialog.showOpenDialog(options));
  let lastDir: string | null = null;
  const chooseFolder = () => pickFolder(showOpenDialog, lastDir ? path.dirname(lastDir) : null);

  app.on('second-instance', (_event, argv, workingDirectory) => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
    const dir = projectArg(argv, workingDirectory);
    if (dir) openProject(dir);
  });

  app.on(
    'before-quit',
    createQuitGuard({
      isRunning: () => studio?.isRunning() ?? false,
      confirmStop: async () => {
        const options = {
          type: 'question' as const,
          buttons: ['Stop the Run and Quit', 'Keep Running'],
          defaultId: 1,
          cancelId: 1,
          message: 'A run is in progress. Stop it and quit?',
          detail: 'Experiments in progress are stopped and recorded as interrupted; the run can be resumed later from the same tag.',
        };
        const { response } = win ? await dialog.showMessageBox(win, options) : await dialog.showMessageBox(options);
        return response === 0;
      },
      shutdown: async () => {
        await studio?.dispose();
      },
      quit: () => app.quit(),
    }),
  );

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  void app.whenReady().then(start).catch((err: unknown) => {
    // Without the engine there is nothing to show: say why instead of leaving a process with no window.
    dialog.showErrorBox('Autoresearch Studio could not start', (err as Error)?.message ?? String(err));
    app.exit(1);
  });

  async function start(): Promise<void> {
    installCsp();
    const inhibitor = createSleepInhibitor(powerSaveBlocker);
    studio = await createStudio({
      app: { version: app.getVersion(), host: 'electron', platform: process.platform },
      dataDir: app.getPath('userData'),
      trustDataDir: cliDataDir(process.env),
      appRoot: resourcesRoot,
      secrets: createSafeSecretStore({
        safeStorage,
        file: path.join(app.getPath('userData'), 'anthropic-api-key.bin'),
        platform: process.platform,
        env: process.env,
      }),
      sleepInhibitor: inhibitor,
      notify: (title, body) => {
        if (Notification.isSupported()) new Notification({ title, body }).show();
      },
      env: process.env,
      // Run commands such as the demo's `"${AUTORESEARCH_NODE:-node}" train.mjs` on the app's own Node.
      nodePath: process.execPath,
      nodeEnv: { ELECTRON_RUN_AS_NODE: '1' },
      chooseFolder,
    });
    studio.onEvent((e) => {
      if (e.type === 'project' && e.project) lastDir = e.project.dir;
    });
    const windows = new Set<unknown>();
    const isTrusted = (event: Parameters<typeof isTrustedSender>[0]) => isTrustedSender(event, page, (sender) => windows.has(sender));
    registerApiHandler({
      ipcMain,
      api: studio.api,
      isTrusted,
      onRefused: (event, method) => console.warn(`Refused an Api call (${String(method)}) from ${event.senderFrame?.url ?? 'a destroyed frame'}`),
    });
    ipcMain.on(IPC_OPEN_DROPPED, (event, dropped: unknown) => {
      if (!isTrusted(event)) return;
      void droppedFolder(dropped).then((r) => ('dir' in r ? openProject(r.dir) : showError('Drop a folder to open it', r.error)));
    });
    relayEvents(
      (l) => studio!.onEvent(l),
      () => BrowserWindow.getAllWindows().map((w) => w.webContents),
    );
    Menu.setApplicationMenu(
      Menu.buildFromTemplate(
        menuTemplate(
          process.platform,
          app.getName(),
          {
            openFolder: () => void studio?.api.chooseProject({}).catch((err: unknown) => showError('Could not open the folder', (err as Error).message)),
            openDemo: () => void studio?.api.createDemo({}).catch((err: unknown) => dialog.showErrorBox('Could not open the demo', (err as Error).message)),
            openExternal: (url) => {
              const safe = externalUrl(url);
              if (safe) void shell.openExternal(safe);
            },
          },
          { devTools },
        ),
      ),
    );
    const dir = projectArg(process.argv, process.cwd());
    if (dir) openProject(dir);
    openWindow();
    windows.add(win!.webContents);
    app.on('activate', () => {
      if (BrowserWindow.getAllWindows().length === 0) {
        openWindow();
        windows.add(win!.webContents);
      }
    });
  }
}
