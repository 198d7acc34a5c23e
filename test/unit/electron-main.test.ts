// The pieces of the Electron main process that need no Electron at run time: sender checks, the IPC
// handler, navigation rules, the safeStorage secret store, the sleep inhibitor, the quit guard, argv,
// the menu, and the CSP kept equal in the page and the headers.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../src/shared/api.js';
import { IPC_EVENT, IPC_INVOKE } from '../../src/shared/bridge.js';
import { CONTENT_SECURITY_POLICY } from '../../src/shared/csp.js';
import { projectArg } from '../../src/main/args.js';
import { registerApiHandler, relayEvents, type IpcMainLike, type WebContentsLike } from '../../src/main/ipc.js';
import { menuTemplate } from '../../src/main/menu.js';
import { externalUrl, mayNavigate } from '../../src/main/navigation.js';
import { createQuitGuard } from '../../src/main/quit-guard.js';
import { createSafeSecretStore, type SafeStorageLike } from '../../src/main/secret-store.js';
import { isAppPageUrl, isTrustedSender, type AppPage, type InvokeEventLike } from '../../src/main/sender.js';
import { createSleepInhibitor } from '../../src/main/sleep-inhibitor.js';
import { createFakeStudio } from '../e2e/helpers/fake-studio.js';

const indexPath = path.resolve('/opt/app/out/renderer/index.html');
const filePage: AppPage = { kind: 'file', indexPath };
const devPage: AppPage = { kind: 'dev', url: 'http://localhost:5173/' };
const appUrl = pathToFileURL(indexPath).href;

describe('sender and navigation checks', () => {
  it('accepts the app page (any route) and nothing else', () => {
    expect(isAppPageUrl(appUrl, filePage)).toBe(true);
    expect(isAppPageUrl(`${appUrl}#/history/nov24/3`, filePage)).toBe(true);
    expect(isAppPageUrl(pathToFileURL('/opt/app/out/renderer/other.html').href, filePage)).toBe(false);
    expect(isAppPageUrl(pathToFileURL('/tmp/evil/index.html').href, filePage)).toBe(false);
    expect(isAppPageUrl('file:///opt/app/out/renderer/../../../tmp/index.html', filePage)).toBe(false);
    expect(isAppPageUrl('file://evil.host/opt/app/out/renderer/index.html', filePage)).toBe(false);
    expect(isAppPageUrl('https://evil.example/index.html', filePage)).toBe(false);
    expect(isAppPageUrl('not a url', filePage)).toBe(false);
    expect(isAppPageUrl(null, filePage)).toBe(false);
    expect(isAppPageUrl('http://localhost:5173/#/setup', devPage)).toBe(true);
    expect(isAppPageUrl('http://localhost:5174/', devPage)).toBe(false);
    expect(isAppPageUrl('http://127.0.0.1:5173/', devPage)).toBe(false);
  });

  it('trusts only the top frame of our own window showing the app page', () => {
    const ours = { id: 1 };
    const owns = (s: unknown) => s === ours;
    const top: InvokeEventLike = { senderFrame: { url: appUrl, parent: null }, sender: ours };
    expect(isTrustedSender(top, filePage, owns)).toBe(true);
    expect(isTrustedSender({ ...top, senderFrame: null }, filePage, owns)).toBe(false);
    expect(isTrustedSender({ ...top, senderFrame: { url: appUrl, parent: {} } }, filePage, owns)).toBe(false);
    expect(isTrustedSender({ ...top, sender: { id: 2 } }, filePage, owns)).toBe(false);
    expect(isTrustedSender({ ...top, senderFrame: { url: 'https://evil.example/', parent: null } }, filePage, owns)).toBe(false);
  });

  it('allows navigation only within the app page, and opens only plain web links outside', () => {
    expect(mayNavigate(`${appUrl}#/run`, filePage)).toBe(true);
    expect(mayNavigate('https://example.com/', filePage)).toBe(false);
    expect(externalUrl('https://docs.anthropic.com/x')).toBe('https://docs.anthropic.com/x');
    expect(externalUrl('http://example.com')).toBe('http://example.com/');
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'https://user:pw@example.com/', 'nonsense']) {
      expect(externalUrl(bad), bad).toBeNull();
    }
  });
});

describe('IPC handler', () => {
  function fakeIpcMain() {
    let handler: ((event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>) | null = null;
    const ipcMain: IpcMainLike & { call: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>; registered: () => boolean } = {
      handle(channel, h) {
        expect(channel).toBe(IPC_INVOKE);
        handler = h;
      },
      removeHandler(channel) {
        expect(channel).toBe(IPC_INVOKE);
        handler = null;
      },
      call: (event, ...args) => handler!(event, ...args),
      registered: () => handler !== null,
    };
    return ipcMain;
  }
  const trusted: InvokeEventLike = { senderFrame: { url: appUrl, parent: null } };
  const untrusted: InvokeEventLike = { senderFrame: { url: 'https://evil.example/', parent: null } };

  it('refuses untrusted senders before the studio sees anything', async () => {
    const studio = createFakeStudio({ stopRun: () => null });
    const ipcMain = fakeIpcMain();
    const refused: unknown[] = [];
    registerApiHandler({ ipcMain, api: studio.api, isTrusted: (e) => isTrustedSender(e, filePage), onRefused: (_e, m) => refused.push(m) });
    expect(await ipcMain.call(untrusted, 'stopRun', {})).toEqual({ ok: false, error: { code: 'unauthorized', message: 'This page may not use the Autoresearch Studio Api.' } });
    expect(refused).toEqual(['stopRun']);
    expect(studio.calls).toHaveLength(0);
    expect(await ipcMain.call(trusted, 'stopRun', {})).toEqual({ ok: true, result: null });
    expect(studio.calls).toHaveLength(1);
  });

  it('validates method names and args, and maps errors to payloads without stacks', async () => {
    const studio = createFakeStudio({
      listRuns: () => [],
      gitInit: () => {
        throw new Error('git is not installed');
      },
      getRun: () => {
        throw new ApiError({ code: 'not-found', message: 'No run x' });
      },
    });
    const ipcMain = fakeIpcMain();
    const off = registerApiHandler({ ipcMain, api: studio.api, isTrusted: () => true });
    expect(await ipcMain.call(trusted, 'listRuns', {})).toEqual({ ok: true, result: [] });
    expect(await ipcMain.call(trusted, 'toString', {})).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
    expect(await ipcMain.call(trusted, 'hasOwnProperty', {})).toMatchObject({ ok: false, error: { code: 'invalid-args' } });
    const bad = (await ipcMain.call(trusted, 'readLogLines', { tag: 't', id: 1, start: -1, count: 99999 })) as any;
    expect(bad.error.code).toBe('invalid-args');
    expect(bad.error.fieldErrors.map((f: { path: string }) => f.path).sort()).toEqual(['count', 'start']);
    expect(await ipcMain.call(trusted, 'gitInit', {})).toEqual({ ok: false, error: { code: 'failed', message: 'git is not installed' } });
    expect(await ipcMain.call(trusted, 'getRun', { tag: 'x' })).toEqual({ ok: false, error: { code: 'not-found', message: 'No run x' } });
    off();
    expect(ipcMain.registered()).toBe(false);
  });

  it('relays events to every live window and skips destroyed ones', () => {
    const studio = createFakeStudio();
    const sent: [string, string, unknown][] = [];
    const wc = (name: string, destroyed = false): WebContentsLike => ({ send: (ch, ev) => sent.push([name, ch, ev]), isDestroyed: () => destroyed });
    const throwing: WebContentsLike = {
      send: () => {
        throw new Error('Render frame was disposed');
      },
      isDestroyed: () => false,
    };
    const windows = [wc('a'), wc('gone', true), throwing, wc('b')];
    const off = relayEvents((l) => studio.onEvent(l), () => windows);
    const e = studio.emit({ type: 'recent', recentProjects: [] });
    expect(sent).toEqual([
      ['a', IPC_EVENT, e],
      ['b', IPC_EVENT, e],
    ]);
    off();
    studio.emit({ type: 'recent', recentProjects: [] });
    expect(sent).toHaveLength(2);
  });
});

describe('safeStorage secret store', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ar-secrets-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** Reversible stand-in for OS encryption: enough to prove the file never holds the plain key. */
  function fakeSafeStorage(opts: { available?: boolean; backend?: string; reEncrypt?: boolean } = {}): SafeStorageLike & { encrypts: number } {
    const s = {
      encrypts: 0,
      isAsyncEncryptionAvailable: async () => opts.available ?? true,
      encryptStringAsync: async (text: string) => {
        s.encrypts += 1;
        return Buffer.from(`ENC:${Buffer.from(text).toString('base64').split('').reverse().join('')}`);
      },
      decryptStringAsync: async (b: Buffer) => {
        const t = b.toString();
        if (!t.startsWith('ENC:')) throw new Error('Error while decrypting the ciphertext');
        return { shouldReEncrypt: opts.reEncrypt ?? false, result: Buffer.from(t.slice(4).split('').reverse().join(''), 'base64').toString() };
      },
      getSelectedStorageBackend: () => opts.backend ?? 'gnome_libsecret',
    };
    return s;
  }

  it('stores the key encrypted, reads it back, clears it', async () => {
    const file = path.join(dir, 'nested', 'key.bin');
    const store = createSafeSecretStore({ safeStorage: fakeSafeStorage(), file, platform: 'linux', env: {} });
    expect(store.fromEnv).toBe(false);
    expect(await store.getApiKey()).toBeNull();
    await store.setApiKey('sk-ant-test-123456');
    const raw = await readFile(file, 'utf8');
    expect(raw).not.toContain('sk-ant-test-123456');
    if (process.platform !== 'win32') expect((await stat(file)).mode & 0o077).toBe(0);
    // A fresh store (the app restarted) finds it.
    const again = createSafeSecretStore({ safeStorage: fakeSafeStorage(), file, platform: 'linux', env: {} });
    expect(await again.getApiKey()).toBe('sk-ant-test-123456');
    expect(await again.warning()).toBeNull();
    await again.clearApiKey();
    expect(await again.getApiKey()).toBeNull();
    await again.clearApiKey(); // clearing twice is fine
  });

  it('falls back to ANTHROPIC_API_KEY and prefers a key set in the app', async () => {
    const file = path.join(dir, 'key.bin');
    const store = createSafeSecretStore({ safeStorage: fakeSafeStorage(), file, platform: 'darwin', env: { ANTHROPIC_API_KEY: 'sk-from-env-000' } });
    expect(store.fromEnv).toBe(true);
    expect(await store.getApiKey()).toBe('sk-from-env-000');
    expect(await store.keySource!()).toBe('env');
    await store.setApiKey('sk-from-app-111');
    expect(await store.getApiKey()).toBe('sk-from-app-111');
    expect(await store.keySource!()).toBe('store');
    await store.clearApiKey();
    expect(await store.getApiKey()).toBe('sk-from-env-000');
    expect(await store.keySource!()).toBe('env');
  });

  it('warns on Linux without a keyring (basic_text)', async () => {
    const store = createSafeSecretStore({ safeStorage: fakeSafeStorage({ backend: 'basic_text' }), file: path.join(dir, 'k'), platform: 'linux', env: {} });
    expect(await store.warning()).toMatch(/No system keyring/);
    const mac = createSafeSecretStore({ safeStorage: fakeSafeStorage({ backend: 'basic_text' }), file: path.join(dir, 'k'), platform: 'darwin', env: {} });
    expect(await mac.warning()).toBeNull();
  });

  it('keeps the key in memory, and says so, when no encryption is available', async () => {
    const file = path.join(dir, 'key.bin');
    const store = createSafeSecretStore({ safeStorage: fakeSafeStorage({ available: false }), file, platform: 'linux', env: {} });
    await store.setApiKey('sk-memory-only-1');
    expect(await store.getApiKey()).toBe('sk-memory-only-1');
    expect(await store.warning()).toMatch(/in memory/);
    await expect(stat(file)).rejects.toThrow();
  });

  it('explains a key that can no longer be decrypted, without deleting it', async () => {
    const file = path.join(dir, 'key.bin');
    await writeFile(file, 'garbage from another keyring');
    const store = createSafeSecretStore({ safeStorage: fakeSafeStorage(), file, platform: 'linux', env: {} });
    expect(await store.getApiKey()).toBeNull();
    expect(await store.warning()).toMatch(/could not be decrypted/);
    expect(await readFile(file, 'utf8')).toBe('garbage from another keyring');
  });

  it('says when the saved key cannot be read, rather than reporting no key', async () => {
    const file = path.join(dir, 'key.bin');
    await mkdir(file); // a folder where the key's file belongs: reading it fails (EISDIR), even as root
    const store = createSafeSecretStore({ safeStorage: fakeSafeStorage(), file, platform: 'linux', env: {} });
    expect(await store.getApiKey()).toBeNull();
    expect(await store.warning()).toMatch(/^The saved API key \(.*key\.bin\) could not be read: EISDIR.*Check the file's permissions, or set the key again\.$/);
  });

  it('re-encrypts when safeStorage asks for it', async () => {
    const file = path.join(dir, 'key.bin');
    const ss = fakeSafeStorage({ reEncrypt: true });
    const store = createSafeSecretStore({ safeStorage: ss, file, platform: 'linux', env: {} });
    await store.setApiKey('sk-rotate-me-1');
    expect(ss.encrypts).toBe(1);
    expect(await store.getApiKey()).toBe('sk-rotate-me-1');
    expect(ss.encrypts).toBe(2);
  });
});

describe('sleep inhibitor', () => {
  it('holds one prevent-app-suspension blocker while anything is acquired', () => {
    const started: string[] = [];
    const live = new Set<number>();
    let next = 1;
    const blocker = {
      start: (type: string) => (started.push(type), live.add(next), next++),
      stop: (id: number) => live.delete(id),
      isStarted: (id: number) => live.has(id),
    };
    const s = createSleepInhibitor(blocker);
    s.acquire();
    s.acquire();
    expect(started).toEqual(['prevent-app-suspension']);
    s.release();
    expect(live.size).toBe(1);
    s.release();
    expect(live.size).toBe(0);
    expect(s.held()).toBe(false);
    s.release(); // more releases than acquires are harmless
    expect(live.size).toBe(0);
  });
});

describe('quit guard', () => {
  const tick = () => new Promise((r) => setTimeout(r, 0));
  function setup(running: boolean, answer: boolean) {
    const log: string[] = [];
    const guard = createQuitGuard({
      isRunning: () => running,
      confirmStop: async () => (log.push('ask'), answer),
      shutdown: async () => void log.push('shutdown'),
      quit: () => log.push('quit'),
    });
    const event = () => {
      let prevented = false;
      return { preventDefault: () => (prevented = true), get prevented() { return prevented; } };
    };
    return { log, guard, event };
  }

  it('asks during a run; "keep running" cancels the quit', async () => {
    const { log, guard, event } = setup(true, false);
    const e = event();
    guard(e);
    await tick();
    expect(e.prevented).toBe(true);
    expect(log).toEqual(['ask']);
  });

  it('stops the studio before quitting when the user agrees, and asks only once', async () => {
    const { log, guard, event } = setup(true, true);
    guard(event());
    guard(event()); // a second Cmd+Q while the dialog is up
    await tick();
    await tick();
    expect(log).toEqual(['ask', 'shutdown', 'quit']);
    const final = event();
    guard(final); // the quit that follows goes through
    expect(final.prevented).toBe(false);
  });

  it('shuts down without asking when nothing runs', async () => {
    const { log, guard, event } = setup(false, false);
    guard(event());
    await tick();
    await tick();
    expect(log).toEqual(['shutdown', 'quit']);
  });
});

describe('argv, menu and CSP', () => {
  it('reads --project from the command line', () => {
    expect(projectArg(['electron', '.', '--project=/tmp/demo'], '/x')).toBe(path.resolve('/tmp/demo'));
    expect(projectArg(['app', '--project', 'rel/dir'], '/base')).toBe(path.resolve('/base/rel/dir'));
    expect(projectArg(['app', '--project'], '/base')).toBeNull();
    expect(projectArg(['app', '/tmp/demo'], '/base')).toBeNull();
  });

  it('builds menus with the standard roles on each platform', () => {
    const opened: string[] = [];
    const actions = { openFolder: () => opened.push('folder'), openDemo: () => opened.push('demo'), openExternal: (u: string) => opened.push(u) };
    const linux = menuTemplate('linux', 'Autoresearch Studio', actions, { devTools: true });
    const roles = JSON.stringify(linux);
    for (const role of ['editMenu', 'windowMenu', 'reload', 'toggleDevTools', 'quit', 'help']) expect(roles).toContain(`"${role}"`);
    expect(roles).not.toContain('"hideOthers"');
    // A packaged app has no Developer Tools item (and the window is created with devTools: false).
    const production = JSON.stringify(menuTemplate('linux', 'Autoresearch Studio', actions, { devTools: false }));
    expect(production).not.toContain('toggleDevTools');
    expect(production).toContain('"reload"');
    expect(JSON.stringify(menuTemplate('linux', 'Autoresearch Studio', actions))).not.toContain('toggleDevTools');
    const mac = menuTemplate('darwin', 'Autoresearch Studio', { openFolder: () => undefined, openDemo: () => undefined, openExternal: () => undefined }, { devTools: false });
    expect(mac[0]?.label).toBe('Autoresearch Studio');
    const file = linux.find((m) => m.label === 'File')!;
    const demo = (file.submenu as { label?: string; click?: () => void }[]).find((i) => i.label?.includes('Demo'))!;
    demo.click!();
    expect(opened).toEqual(['demo']);
  });

  it('keeps the page meta CSP equal to the one main and serve send', async () => {
    const html = await readFile(path.resolve('src/renderer/index.html'), 'utf8');
    const meta = /http-equiv="Content-Security-Policy"\s+content="([^"]+)"/.exec(html)?.[1];
    expect(meta).toBe(CONTENT_SECURITY_POLICY);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:\/\/(?!127\.0\.0\.1|localhost)/);
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    // No connections to other local servers from the window: serve's own WebSocket is covered by 'self'.
    expect(CONTENT_SECURITY_POLICY).toContain("connect-src 'self';");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/wss?:/);
  });
});
