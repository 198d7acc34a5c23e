// Packaging: electron-builder (the repo's electron-builder.yml) builds the unpacked Linux app from a
// stand-in Electron zip served by a local mirror, as `npm run dist` would from the real one. The asar must
// hold what the app runs (main, preload, renderer), the CLI bundle and the demo, the demo must also lie
// unpacked for copying, and the production fuses must be flipped in the executable.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFuses, releaseFiles, standInElectronZip, startMirror, type Mirror } from '../helpers/electron-mirror.js';
import { REPO_ROOT } from '../helpers/project.js';

const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(archive: string, options: { isPack: boolean }): string[]; extractFile(archive: string, file: string): Buffer };
const ELECTRON_VERSION = JSON.parse(readFileSync(path.join(REPO_ROOT, 'node_modules', 'electron', 'package.json'), 'utf8')).version as string;
const built = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/cli/autoresearch.mjs'].every((f) => existsSync(path.join(REPO_ROOT, f)));

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

describe.skipIf(process.platform !== 'linux' || !built)('electron-builder --dir --linux against a stand-in Electron', () => {
  let base: string;
  let mirror: Mirror;
  let unpacked: string;
  let result: { code: number | null; output: string };

  beforeAll(async () => {
    base = mkdtempSync(path.join(tmpdir(), 'ar-dist-'));
    mirror = await startMirror({ version: ELECTRON_VERSION, files: releaseFiles(ELECTRON_VERSION, standInElectronZip(ELECTRON_VERSION)) });
    const output = path.join(base, 'dist');
    unpacked = path.join(output, 'linux-unpacked');
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_config_electron|electron_|ELECTRON_)/i.test(k)));
    result = await run(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules', 'electron-builder', 'cli.js'), '--dir', '--linux', `--${process.arch}`, `-c.directories.output=${output}`],
      {
        ...env,
        ELECTRON_MIRROR: mirror.url,
        electron_use_remote_checksums: '1',
        electron_config_cache: path.join(base, 'electron-cache'),
        ELECTRON_BUILDER_CACHE: path.join(base, 'builder-cache'),
        CSC_IDENTITY_AUTO_DISCOVERY: 'false',
      },
      240_000,
    );
  }, 260_000);

  afterAll(async () => {
    await mirror?.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('builds linux-unpacked from the mirror: the executable, app.asar and the unpacked demo', () => {
    expect(result.code, result.output).toBe(0);
    expect(mirror.requests.map((r) => `${r.status} ${r.path}`)).toContain(`200 /v${ELECTRON_VERSION}/electron-v${ELECTRON_VERSION}-linux-${process.arch}.zip`);
    const exe = path.join(unpacked, 'autoresearch-studio');
    expect(statSync(exe).mode & 0o111).not.toBe(0);
    expect(existsSync(path.join(unpacked, 'resources', 'default_app.asar'))).toBe(false);
    expect(readFileSync(path.join(unpacked, 'resources', 'app.asar.unpacked', 'resources', 'demo', 'train.mjs'), 'utf8')).toBe(
      readFileSync(path.join(REPO_ROOT, 'resources', 'demo', 'train.mjs'), 'utf8'),
    );
  });

  it("app.asar holds main, preload, renderer, the CLI bundle, the demo, the icon and the runtime packages, and nothing of the sources", () => {
    const archive = path.join(unpacked, 'resources', 'app.asar');
    const files = new Set(asar.listPackage(archive, { isPack: false }).map((f) => f.split(path.sep).join('/')));
    for (const f of [
      '/package.json',
      '/out/main/index.js',
      '/out/preload/index.cjs',
      '/out/renderer/index.html',
      '/out/cli/autoresearch.mjs',
      '/resources/demo/train.mjs',
      '/resources/demo/prepare.mjs',
      '/resources/demo/program.md',
      '/resources/demo/data/corpus.txt',
      '/resources/icons/512x512.png',
      '/node_modules/zod/package.json',
      '/node_modules/simple-git/package.json',
      '/node_modules/@anthropic-ai/sdk/package.json',
      '/node_modules/ws/package.json',
    ]) {
      expect(files, f).toContain(f);
    }
    expect([...files].some((f) => f.startsWith('/out/renderer/assets/') && f.endsWith('.js'))).toBe(true);
    // The CLI's commands load from chunks beside its entry; a package without them would fail at `run`.
    expect([...files].some((f) => /^\/out\/cli\/chunks\/run-[\w-]+\.mjs$/.test(f))).toBe(true);
    for (const f of files) {
      expect(f, 'sources, tests and source maps stay out').not.toMatch(/^\/(src|test|scripts|bench|docs)\/|\.map$/);
    }
    expect([...files].some((f) => f.startsWith('/node_modules/electron/'))).toBe(false);
    const pkg = JSON.parse(asar.extractFile(archive, 'package.json').toString('utf8')) as { main: string; name: string };
    expect(pkg.main).toBe('out/main/index.js');
  });

  it('flips the production fuses in the executable (RunAsNode stays on for the demo)', () => {
    const fuses = readFuses(readFileSync(path.join(unpacked, 'autoresearch-studio')));
    // RunAsNode on, cookie encryption on, NODE_OPTIONS off, --inspect off, asar integrity on, only app.asar,
    // default V8 snapshot, file:// privileges kept (the page is loaded from file://).
    expect(fuses).toBe('11001101');
  });
});
