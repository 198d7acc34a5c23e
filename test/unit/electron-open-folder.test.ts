// Opening a project the desktop way, without Electron at run time: the native Open dialog's answer reaches
// the engine's openProject (through File → Open Folder… and through the Start screen's Api call over the IPC
// handler), a cancelled dialog changes nothing, serve says there is no picker, a dropped folder opens and a
// dropped file is refused, and the packaged app finds the unpacked demo.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvSecretStore, createStudio } from '../../src/core/studio/index.js';
import type { Studio } from '../../src/core/studio/studio.js';
import type { StudioEvent } from '../../src/shared/api.js';
import { IPC_INVOKE } from '../../src/shared/bridge.js';
import { appPaths } from '../../src/main/app-paths.js';
import { registerApiHandler, type IpcMainLike } from '../../src/main/ipc.js';
import { menuTemplate } from '../../src/main/menu.js';
import { droppedFolder, pickFolder, type OpenDialogOptionsLike, type ShowOpenDialog } from '../../src/main/open-folder.js';
import { isTrustedSender, type AppPage, type InvokeEventLike } from '../../src/main/sender.js';
import { installFolderDrop, type DropEventLike } from '../../src/preload/folder-drop.js';
import { cleanupTempDirs, makeRepo, REPO_ROOT, tempDir } from '../helpers/project.js';
import { linkTestTrust } from '../helpers/trust.js';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.dispose();
  studio = null;
  cleanupTempDirs();
});

/** A stand-in for dialog.showOpenDialog: answers the next queued result and records what it was asked. */
function fakeDialog(...answers: { canceled: boolean; filePaths: string[] }[]) {
  const asked: OpenDialogOptionsLike[] = [];
  const show: ShowOpenDialog = async (options) => {
    asked.push(options);
    const next = answers.shift();
    if (!next) throw new Error('the dialog was shown more often than the test expected');
    return next;
  };
  return { show, asked };
}

async function desktopStudio(show: ShowOpenDialog | null) {
  const events: StudioEvent[] = [];
  studio = await createStudio({
    app: { version: 'test', host: show ? 'electron' : 'serve', platform: process.platform },
    dataDir: linkTestTrust(tempDir('ar-data-')),
    appRoot: REPO_ROOT,
    secrets: createEnvSecretStore({}),
    env: { ...process.env, ANTHROPIC_API_KEY: '' },
    // What src/main/desktop.ts passes: the native picker.
    ...(show ? { chooseFolder: () => pickFolder(show) } : {}),
  });
  studio.onEvent((e) => events.push(e));
  return { studio, events };
}

describe('the native Open dialog', () => {
  it('File → Open Folder… (Ctrl/Cmd+O) asks for a folder and the chosen one reaches openProject', async () => {
    const project = makeRepo({ 'train.py': 'print("val_bpb: 1.0")\n', 'prepare.py': '# eval\n' });
    const dialog = fakeDialog({ canceled: false, filePaths: [project] });
    const { studio, events } = await desktopStudio(dialog.show);
    let pending: Promise<unknown> | null = null;
    const menu = menuTemplate('linux', 'Autoresearch Studio', {
      openFolder: () => (pending = studio.api.chooseProject({})),
      openDemo: () => undefined,
      openExternal: () => undefined,
    });
    const item = (menu.find((m) => m.label === 'File')!.submenu as { label?: string; accelerator?: string; click?: () => void }[]).find((i) => i.label === 'Open Folder…')!;
    expect(item.accelerator).toBe('CmdOrCtrl+O');
    item.click!();
    const opened = (await pending) as unknown as { dir: string; layout: string };

    expect(dialog.asked).toHaveLength(1);
    expect(dialog.asked[0]!.properties).toContain('openDirectory');
    expect(opened.dir).toBe(project);
    expect(opened.layout).toBe('autoresearch');
    const snap = await studio.api.snapshot({});
    expect(snap.project?.dir).toBe(project);
    expect(snap.recentProjects[0]).toBe(project);
    expect(events.some((e) => e.type === 'project' && e.project?.dir === project)).toBe(true);
  });

  it("the Start screen's button (chooseProject over IPC) opens the chosen folder; a cancelled dialog changes nothing", async () => {
    const first = makeRepo({ 'bench.sh': 'echo "METRIC s=1"\n' });
    const dialog = fakeDialog({ canceled: false, filePaths: [first] }, { canceled: true, filePaths: [] });
    const { studio } = await desktopStudio(dialog.show);
    let handler: ((event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) | null = null;
    const ipcMain: IpcMainLike = {
      handle: (channel, h) => {
        expect(channel).toBe(IPC_INVOKE);
        handler = h;
      },
      removeHandler: () => undefined,
    };
    const page: AppPage = { kind: 'file', indexPath: path.resolve('/opt/app/out/renderer/index.html') };
    registerApiHandler({ ipcMain, api: studio.api, isTrusted: (e) => isTrustedSender(e, page) });
    const fromPage: InvokeEventLike = { senderFrame: { url: pathToFileURL(page.indexPath).href, parent: null } };

    const answer = (await handler!(fromPage, 'chooseProject', {})) as { ok: boolean; result: { dir: string } | null };
    expect(answer.ok).toBe(true);
    expect(answer.result?.dir).toBe(first);

    // Cancelled: null, and the open project stays; the dialog starts where nothing was given.
    expect(await handler!(fromPage, 'chooseProject', {})).toEqual({ ok: true, result: null });
    expect((await studio.api.snapshot({})).project?.dir).toBe(first);
    expect(dialog.asked).toHaveLength(2);
  });

  it('starts in the given folder, and answers null when no folder came back', async () => {
    const dialog = fakeDialog({ canceled: false, filePaths: [] });
    expect(await pickFolder(dialog.show, '/home/me/projects')).toBeNull();
    expect(dialog.asked[0]).toEqual({ title: 'Open a Project Folder', buttonLabel: 'Open', properties: ['openDirectory', 'createDirectory'], defaultPath: '/home/me/projects' });
  });

  it('under serve there is no picker: the call says to type the path, and nothing opens', async () => {
    const { studio } = await desktopStudio(null);
    await expect(studio.api.chooseProject({})).rejects.toThrow(/no folder picker in the browser\. Type the folder path/);
    expect((await studio.api.snapshot({})).project).toBeNull();
  });
});

describe('completing a typed path (serve)', () => {
  it('lists the folders in a folder, not files or hidden ones, and says what to do with a relative or missing path', async () => {
    const dir = makeRepo({ 'a.txt': 'x\n', 'zeta/x': '', 'alpha/y': '', '.hidden/z': '' });
    const { studio } = await desktopStudio(null);
    await expect(studio.api.listFolders({ dir })).resolves.toEqual({ dir, folders: ['alpha', 'zeta'] });
    await expect(studio.api.listFolders({ dir: 'relative/path' })).rejects.toThrow(/Type a full path/);
    await expect(studio.api.listFolders({ dir: path.join(dir, 'a.txt') })).rejects.toThrow(/is not a folder that can be read/);
  });
});

describe('dropping onto the window', () => {
  it('opens a dropped folder and refuses a file or a path that is gone, saying what to do', async () => {
    const dir = makeRepo({ 'a.txt': 'x\n' });
    const file = path.join(dir, 'a.txt');
    expect(await droppedFolder(dir)).toEqual({ dir });
    expect(await droppedFolder(file)).toEqual({ error: `${file} is a file. Drop the project's folder to open it.` });
    expect(await droppedFolder(path.join(dir, 'gone'))).toEqual({ error: `${path.join(dir, 'gone')} does not exist any more.` });
    expect(await droppedFolder(42)).toEqual({ error: 'Only folders from the file manager can be dropped here.' });
  });

  it('the preload sends the path of a dropped file-manager item to main, and leaves drops the page handled alone', () => {
    const listeners: Record<string, (e: DropEventLike) => void> = {};
    const sent: string[] = [];
    installFolderDrop({ addEventListener: (type, l) => (listeners[type] = l) }, (f) => `/path/of/${String(f)}`, (p) => sent.push(p));
    const event = (opts: { types?: string[]; files?: unknown[]; handled?: boolean }) => {
      let prevented = opts.handled ?? false;
      const e: DropEventLike = {
        get defaultPrevented() {
          return prevented;
        },
        dataTransfer: { types: opts.types ?? ['Files'], files: opts.files ?? [] },
        preventDefault: () => (prevented = true),
      };
      return e;
    };
    const over = event({});
    listeners.dragover!(over);
    expect(over.defaultPrevented).toBe(true); // accepts the drop instead of navigating to the file
    const text = event({ types: ['text/plain'] });
    listeners.dragover!(text);
    expect(text.defaultPrevented).toBe(false);

    const drop = event({ files: ['proj'] });
    listeners.drop!(drop);
    expect(drop.defaultPrevented).toBe(true);
    listeners.drop!(event({ files: ['editor-file'], handled: true })); // the program.md editor took it
    listeners.drop!(event({ types: ['text/plain'], files: [] }));
    expect(sent).toEqual(['/path/of/proj']);
  });
});

describe('app paths', () => {
  it('points the engine at the unpacked demo in a packaged app, and at the checkout otherwise', () => {
    const packaged = appPaths('/opt/Autoresearch Studio/resources/app.asar', true);
    expect(packaged.appRoot).toBe('/opt/Autoresearch Studio/resources/app.asar');
    expect(packaged.resourcesRoot).toBe('/opt/Autoresearch Studio/resources/app.asar.unpacked');
    expect(packaged.iconPath).toBe(path.join('/opt/Autoresearch Studio/resources/app.asar', 'resources', 'icons', '512x512.png'));
    const dev = appPaths(REPO_ROOT, false);
    expect(dev.resourcesRoot).toBe(REPO_ROOT);
    // The icon the window uses exists in the checkout (generated by scripts/make-icons.mjs).
    expect(existsSync(dev.iconPath)).toBe(true);
  });
});
