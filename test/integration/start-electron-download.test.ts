// The first `npm start` on a machine: Electron's binary is not there yet, so scripts/start.mjs runs
// Electron's own downloader and installer against a mirror served here (a stand-in `electron` that records
// how it was launched), verifies the checksum from the mirror's SHASUMS256.txt, and launches it with the
// project. When the download fails it says why in one line and serves the browser UI instead.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { releaseFiles, standInElectronZip, startMirror, STANDIN_SCRIPT, type Mirror } from '../helpers/electron-mirror.js';
import { REPO_ROOT } from '../helpers/project.js';

const ELECTRON_VERSION = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version as string;
const built = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/cli/autoresearch.mjs'].every((f) => existsSync(path.join(REPO_ROOT, f)));

/**
 * What `npm start` needs, in a temp folder: the scripts, the built app (linked), and node_modules made of links
 * to the real packages except electron, which is a real copy without its binary (so the install lands here).
 */
function appCopy(base: string): string {
  const root = path.join(base, 'app');
  mkdirSync(path.join(root, 'node_modules'), { recursive: true });
  // Their times kept: npm start builds again when a source is newer than the build (build-fresh.mjs).
  cpSync(path.join(REPO_ROOT, 'scripts'), path.join(root, 'scripts'), { recursive: true, preserveTimestamps: true });
  cpSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'), { preserveTimestamps: true });
  symlinkSync(path.join(REPO_ROOT, 'out'), path.join(root, 'out'));
  symlinkSync(path.join(REPO_ROOT, 'bin'), path.join(root, 'bin'));
  const modules = path.join(REPO_ROOT, 'node_modules');
  for (const name of readdirSync(modules)) {
    if (name !== 'electron') symlinkSync(path.join(modules, name), path.join(root, 'node_modules', name));
  }
  const electron = path.join(modules, 'electron');
  cpSync(electron, path.join(root, 'node_modules', 'electron'), {
    recursive: true,
    filter: (src) => !['dist', 'path.txt'].includes(path.relative(electron, src).split(path.sep)[0]!),
  });
  return root;
}

interface Started {
  readonly child: ChildProcess;
  output(): string;
  waitFor(re: RegExp, ms?: number): Promise<RegExpExecArray>;
  exited: Promise<number | null>;
}

function start(root: string, args: string[], env: Record<string, string>): Started {
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(npm_config_electron|npm_package_config_electron|electron_|ELECTRON_|force_no_cache)/i.test(k)),
  );
  const child = spawn(process.execPath, [path.join(root, 'scripts', 'start.mjs'), ...args], {
    cwd: root,
    env: { ...clean, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const w of waiters) w();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    waitFor: (re, ms = 60_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(m);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`npm start never printed ${re}; it printed:\n${out}`));
        }, ms);
        waiters.add(check);
        void exited.then(() => setTimeout(() => {
          if (waiters.has(check)) {
            waiters.delete(check);
            clearTimeout(timer);
            reject(new Error(`npm start exited without printing ${re}; it printed:\n${out}`));
          }
        }, 50));
        check();
      }),
  };
}

async function finish(s: Started, ms = 60_000): Promise<number | null> {
  const timer = setTimeout(() => s.child.kill('SIGKILL'), ms);
  const code = await s.exited;
  clearTimeout(timer);
  return code;
}

describe.skipIf(process.platform === 'win32' || !built)('npm start on a machine without the Electron binary', () => {
  let base: string;
  let mirror: Mirror | null = null;
  const running: Started[] = [];

  beforeAll(() => {
    base = mkdtempSync(path.join(tmpdir(), 'ar-start-'));
  });
  afterEach(async () => {
    for (const s of running.splice(0)) {
      if (s.child.exitCode === null && s.child.signalCode === null) {
        s.child.kill('SIGTERM');
        await finish(s, 15_000);
      }
    }
    await mirror?.close();
    mirror = null;
  });
  afterAll(() => rmSync(base, { recursive: true, force: true }));

  function envFor(dir: string, m: Mirror): Record<string, string> {
    return {
      ELECTRON_MIRROR: m.url,
      electron_use_remote_checksums: '1',
      electron_config_cache: path.join(dir, 'cache'),
      ELECTRON_STANDIN_RECORD: path.join(dir, 'launched.txt'),
      AUTORESEARCH_DATA_DIR: path.join(dir, 'data'),
      DISPLAY: ':99',
    };
  }

  it('downloads Electron from the mirror, verifies its checksum, launches it with the project, and starts at once the second time', async () => {
    const dir = mkdtempSync(path.join(base, 'ok-'));
    const root = appCopy(dir);
    const project = path.join(dir, 'my project');
    mkdirSync(project);
    const zip = standInElectronZip(ELECTRON_VERSION);
    mirror = await startMirror({ version: ELECTRON_VERSION, files: releaseFiles(ELECTRON_VERSION, zip) });
    const env = envFor(dir, mirror);

    const first = start(root, [project], env);
    running.push(first);
    expect(await finish(first)).toBe(0);
    const out = first.output();
    expect(out).toContain(`Downloading Electron ${ELECTRON_VERSION} for ${process.platform}-${process.arch} from ${mirror.url}`);
    expect(out).toMatch(/100% of 1 kB/);
    expect(out).toContain("Verified its SHA-256 checksum (the mirror's SHASUMS256.txt)");
    expect(out).toContain('Electron is installed.');
    expect(out).toContain(`Starting Autoresearch Studio on ${project}`);
    expect(out).not.toContain('cannot start');

    const zipName = `electron-v${ELECTRON_VERSION}-${process.platform}-${process.arch}.zip`;
    expect(mirror.requests).toContainEqual({ path: `/v${ELECTRON_VERSION}/${zipName}`, status: 200 });
    expect(mirror.requests).toContainEqual({ path: `/v${ELECTRON_VERSION}/SHASUMS256.txt`, status: 200 });
    // Installed where Electron's own index.js looks for it, from the verified zip in the given cache.
    const pkg = path.join(root, 'node_modules', 'electron');
    expect(readFileSync(path.join(pkg, 'path.txt'), 'utf8')).toBe('electron');
    expect(readFileSync(path.join(pkg, 'dist', 'electron'), 'utf8')).toBe(STANDIN_SCRIPT);
    expect(readdirSync(path.join(dir, 'cache')).length).toBe(1);

    const launched = readFileSync(path.join(dir, 'launched.txt'), 'utf8').trim().split('\n');
    expect(launched.slice(0, 2)).toEqual(['.', `--project=${project}`]);
    expect(launched.at(-1)).toBe(`cwd=${root}`);

    // The second start finds the binary: no download, straight to the window.
    rmSync(path.join(dir, 'launched.txt'));
    const requestsBefore = mirror.requests.length;
    const second = start(root, [project], env);
    running.push(second);
    expect(await finish(second)).toBe(0);
    expect(second.output()).not.toContain('Downloading');
    expect(second.output()).toContain(`Starting Autoresearch Studio on ${project}`);
    expect(mirror.requests.length).toBe(requestsBefore);
    expect(readFileSync(path.join(dir, 'launched.txt'), 'utf8')).toContain(`--project=${project}`);

    // After an upgrade of the electron package the old binary does not do: the wanted one is installed
    // again (from Electron's cache, checked against the mirror's checksums once more).
    writeFileSync(path.join(pkg, 'dist', 'version'), '44.0.0');
    const third = start(root, [project], env);
    running.push(third);
    expect(await finish(third)).toBe(0);
    expect(third.output()).toContain(`Downloading Electron ${ELECTRON_VERSION}`);
    expect(third.output()).toContain('Electron is installed.');
    expect(readFileSync(path.join(pkg, 'dist', 'version'), 'utf8').trim()).toBe(ELECTRON_VERSION);
    expect(mirror.requests.filter((r) => r.path.endsWith('.zip'))).toHaveLength(1);
  });

  it('says in one line why when the mirror answers 404, and serves the browser UI instead', async () => {
    const dir = mkdtempSync(path.join(base, 'missing-'));
    const root = appCopy(dir);
    const project = path.join(dir, 'project');
    mkdirSync(project);
    mirror = await startMirror({ version: ELECTRON_VERSION, files: {}, missing: true });
    const s = start(root, [project], envFor(dir, mirror));
    running.push(s);
    const [line] = await s.waitFor(/^The desktop app cannot start here: .*$/m);
    expect(line).toContain(`Electron ${ELECTRON_VERSION} could not be downloaded (Response code 404 (Not Found) for ${mirror.url}v${ELECTRON_VERSION}/`);
    expect(line).toContain('set ELECTRON_MIRROR');
    const [url] = await s.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]+/);
    const page = await fetch(url);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<div id="root">');
    expect(existsSync(path.join(root, 'node_modules', 'electron', 'path.txt'))).toBe(false);
    expect(existsSync(path.join(dir, 'launched.txt'))).toBe(false);
  });

  it('refuses a zip whose checksum does not match SHASUMS256.txt, and serves the browser UI', async () => {
    const dir = mkdtempSync(path.join(base, 'tampered-'));
    const root = appCopy(dir);
    const project = path.join(dir, 'project');
    mkdirSync(project);
    const files = releaseFiles(ELECTRON_VERSION, standInElectronZip(ELECTRON_VERSION));
    const zipName = Object.keys(files).find((n) => n.endsWith('.zip'))!;
    // The mirror serves another zip than the one its checksums describe.
    const tampered = { ...files, [zipName]: standInElectronZip(`${ELECTRON_VERSION}-tampered`) };
    mirror = await startMirror({ version: ELECTRON_VERSION, files: tampered });
    const s = start(root, [project], envFor(dir, mirror));
    running.push(s);
    const [line] = await s.waitFor(/^The desktop app cannot start here: .*$/m);
    expect(line).toMatch(/could not be downloaded \(.*checksum/i);
    await s.waitFor(/http:\/\/127\.0\.0\.1:\d+\/\?token=/);
    expect(existsSync(path.join(root, 'node_modules', 'electron', 'dist', 'electron'))).toBe(false);
    expect(existsSync(path.join(dir, 'launched.txt'))).toBe(false);
  });
});
