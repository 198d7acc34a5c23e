// E2E helpers: start `autoresearch serve` on a project in a temp folder, and launch the system Chromium.
//
//   const demo = await makeDemoCopy();                  // a fresh demo project (git repo) in os.tmpdir()
//   const served = await startServe({ projectDir: demo.dir });
//   const browser = await launchBrowser();
//   const page = await browser.newPage();
//   await page.goto(served.url);                        // http://127.0.0.1:PORT/?token=...
//   ...
//   await screenshot(page, 'my-test-step');             // → test-results/my-test-step.png
//   await browser.close(); await served.stop(); await demo.cleanup();
//
// Needs `npm run build` first (out/cli and out/renderer); `requireBuild()` says so when they are missing.
// The server runs with AUTORESEARCH_DATA_DIR in its own temp folder, so recent projects and demo copies
// never touch the user's home. Chromium is /usr/bin/chromium (override with CHROMIUM_PATH).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { TEST_TMP } from '../../helpers/project.js';
import { linkTestTrust } from '../../helpers/trust.js';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

export const APP_ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
export const CLI = path.join(APP_ROOT, 'bin', 'autoresearch.mjs');
export const RESULTS_DIR = path.join(APP_ROOT, 'test-results');
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/**
 * Why the e2e tests cannot run here, or null when they can (use with `describe.skipIf`).
 * Under CI (CI=true) nothing is skipped: .ci/run installs Chromium and builds, so a missing piece must
 * fail loudly instead of turning the UI tests into silent skips.
 */
export function e2eUnavailable(): string | null {
  const why = e2eMissing();
  if (why && process.env.CI === 'true') throw new Error(`The e2e tests cannot run under CI: ${why}. .ci/run should have provided it.`);
  return why;
}

function e2eMissing(): string | null {
  if (!existsSync(path.join(APP_ROOT, 'out', 'cli', 'autoresearch.mjs'))) return 'the CLI is not built (run `npm run build`)';
  if (!existsSync(path.join(APP_ROOT, 'out', 'renderer', 'index.html'))) return 'the renderer is not built (run `npm run build`)';
  if (!existsSync(CHROMIUM_PATH)) return `Chromium is not installed at ${CHROMIUM_PATH} (apt-get install chromium, or set CHROMIUM_PATH)`;
  return null;
}

export interface ServeHandle {
  /** http://127.0.0.1:PORT/?token=... as printed. */
  readonly url: string;
  readonly origin: string;
  readonly token: string;
  readonly port: number;
  readonly dataDir: string;
  readonly process: ChildProcess;
  /** Everything the server printed so far (stdout + stderr). */
  output(): string;
  /** SIGTERM and wait for a clean exit (SIGKILL after the timeout); returns the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
}

export interface StartServeOptions {
  readonly projectDir: string;
  readonly port?: number;
  readonly env?: Readonly<Record<string, string>>;
  readonly timeoutMs?: number;
}

const URL_RE = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([A-Za-z0-9_-]+)/;

export async function startServe(options: StartServeOptions): Promise<ServeHandle> {
  const dataDir = await mkdtemp(path.join(TEST_TMP, 'ar-serve-data-'));
  // Projects the test helpers trusted (and demo copies `autoresearch demo` trusted) are trusted by this server too.
  linkTestTrust(dataDir);
  const child = spawn(process.execPath, [CLI, 'serve', options.projectDir, '--port', String(options.port ?? 0)], {
    cwd: options.projectDir,
    env: { ...process.env, AUTORESEARCH_DATA_DIR: dataDir, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`autoresearch serve printed no URL within ${options.timeoutMs ?? 30_000} ms. Output:\n${out}`)), options.timeoutMs ?? 30_000);
    const check = () => {
      const m = URL_RE.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`autoresearch serve exited with ${code} before printing its URL. Output:\n${out}`));
    });
  });
  const port = Number(match[1]);
  let stopped: Promise<number | null> | null = null;
  return {
    url: match[0],
    origin: `http://127.0.0.1:${port}`,
    token: match[2]!,
    port,
    dataDir,
    process: child,
    output: () => out,
    stop(timeoutMs = 30_000) {
      stopped ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
        const code = await exited;
        clearTimeout(timer);
        await rm(dataDir, { recursive: true, force: true });
        return code;
      })();
      return stopped;
    },
  };
}

export interface DemoCopy {
  readonly dir: string;
  cleanup(): Promise<void>;
}

/** A fresh copy of the bundled demo (a git repository with its config), made by `autoresearch demo`. */
export async function makeDemoCopy(): Promise<DemoCopy> {
  const parent = await mkdtemp(path.join(TEST_TMP, 'ar-e2e-'));
  const dir = path.join(parent, 'demo');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'demo', dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`autoresearch demo failed (${code}): ${err}`))));
  });
  return { dir, cleanup: () => rm(parent, { recursive: true, force: true }) };
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

/** Save a full-page screenshot as test-results/<name>.png (kept as a test artifact). */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(RESULTS_DIR, { recursive: true });
  const file = path.join(RESULTS_DIR, `${name.replace(/[^A-Za-z0-9._-]+/g, '-')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Collect console errors and page errors, to assert a screen loaded cleanly. */
export function watchPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}
