// `autoresearch serve` and `npm start` as real processes: arguments, refusals, the printed URL, a clean
// stop on SIGTERM (a live run included), and start.mjs choosing between Electron and the browser.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { APP_ROOT, CLI, e2eUnavailable, makeDemoCopy, startServe, type DemoCopy } from '../e2e/helpers/serve.js';
import { linkTestTrust } from '../helpers/trust.js';

// These tests spawn the built CLI; Chromium is not needed.
const unavailable = e2eUnavailable()?.includes('Chromium') ? null : e2eUnavailable();

interface Result {
  code: number | null;
  out: string;
}

function run(args: string[], opts: { env?: NodeJS.ProcessEnv; cwd?: string; untilOutput?: RegExp; thenSignal?: NodeJS.Signals; timeoutMs?: number } = {}): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(process.execPath, args, { cwd: opts.cwd ?? APP_ROOT, env: opts.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let signalled = false;
    const onData = (d: Buffer) => {
      out += d.toString();
      if (opts.untilOutput && !signalled && opts.untilOutput.test(out)) {
        signalled = true;
        child.kill(opts.thenSignal ?? 'SIGTERM');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`timed out; output so far:\n${out}`));
    }, opts.timeoutMs ?? 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe.skipIf(unavailable !== null)(`autoresearch serve and npm start as processes${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let demo: DemoCopy;
  let scratch: string;
  const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, AUTORESEARCH_DATA_DIR: linkTestTrust(path.join(scratch, 'data')), ...extra });

  beforeAll(async () => {
    demo = await makeDemoCopy();
    scratch = await mkdtemp(path.join(tmpdir(), 'ar-serve-cli-'));
  }, 60_000);
  afterAll(async () => {
    await demo?.cleanup();
    await rm(scratch, { recursive: true, force: true });
  });

  it('prints its usage', async () => {
    const r = await run([CLI, 'serve', '--help'], { env: env() });
    expect(r.code).toBe(0);
    expect(r.out).toContain('Usage: autoresearch serve [DIR] [--port N]');
    expect(r.out).toContain('ssh -N -L');
  });

  it('refuses a missing folder, a bad port and unknown options with a clear message', async () => {
    const missing = await run([CLI, 'serve', path.join(scratch, 'nope')], { env: env() });
    expect(missing.code).toBe(2);
    expect(missing.out).toMatch(/does not exist/);
    const file = path.join(scratch, 'a-file');
    await writeFile(file, 'x');
    const notDir = await run([CLI, 'serve', file], { env: env() });
    expect(notDir.code).toBe(2);
    expect(notDir.out).toMatch(/is a file/);
    const port = await run([CLI, 'serve', demo.dir, '--port', 'abc'], { env: env() });
    expect(port.code).toBe(2);
    expect(port.out).toMatch(/--port needs a number/);
    const opt = await run([CLI, 'serve', demo.dir, '--host', '0.0.0.0'], { env: env() });
    expect(opt.code).toBe(2);
    expect(opt.out).toMatch(/Unknown option --host/);
  });

  it('says so when the port is taken', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await run([CLI, 'serve', demo.dir, '--port', String(port)], { env: env() });
      expect(r.code).toBe(2);
      expect(r.out).toContain(`Port ${port} is in use`);
    } finally {
      blocker.close();
    }
  });

  it('serves and stops cleanly on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const r = await run([CLI, 'serve', demo.dir], { env: env(), untilOutput: /Press Ctrl\+C/, thenSignal: signal });
      expect(r.code, r.out).toBe(0);
      expect(r.out).toMatch(/Open: http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}\n/);
      expect(r.out).toContain(`${signal}: stopping`);
      expect(r.out).toContain('Stopped.');
    }
  });

  it('stops a live run cleanly on SIGTERM: the journal ends with run-stop', async () => {
    const copy = await makeDemoCopy();
    const served = await startServe({ projectDir: copy.dir });
    try {
      const ws = new WebSocket(`ws://127.0.0.1:${served.port}/ws?token=${served.token}`, { headers: { origin: served.origin } });
      await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
      const started = new Promise<any>((r) => ws.on('message', (d) => JSON.parse(d.toString()).id === 1 && r(JSON.parse(d.toString()))));
      const firstExperiment = new Promise<void>((r) => ws.on('message', (d) => JSON.parse(d.toString()).event?.type === 'experiment' && r()));
      ws.send(JSON.stringify({ id: 1, method: 'startRun', args: { tag: 'sigterm' } }));
      expect(await started).toMatchObject({ ok: true, result: { tag: 'sigterm' } });
      await firstExperiment;
      const code = await served.stop();
      expect(code, served.output()).toBe(0);
      expect(served.output()).toContain('stopping the run and the server');
      const lines = (await readFile(path.join(copy.dir, '.autoresearch', 'runs', 'sigterm', 'journal.jsonl'), 'utf8')).trim().split('\n');
      const last = JSON.parse(lines.at(-1)!);
      expect(last).toMatchObject({ type: 'run-stop', reason: 'signal' });
      ws.terminate();
    } finally {
      await served.stop();
      await copy.cleanup();
    }
  }, 120_000);

  describe('npm start (scripts/start.mjs)', () => {
    const start = path.join(APP_ROOT, 'scripts', 'start.mjs');
    const noDisplay = { DISPLAY: '', WAYLAND_DISPLAY: '' };

    it('creates the demo once, says why Electron cannot start, and serves the UI instead', async () => {
      const fakeDist = path.join(scratch, 'no-electron-here');
      // A display is set so that the missing binary, not the missing display, is the reason given.
      const r = await run([start], { env: env({ ELECTRON_OVERRIDE_DIST_PATH: fakeDist, DISPLAY: ':99' }), untilOutput: /Press Ctrl\+C/ });
      // Stopped by the test's SIGTERM, which start.mjs passes on and then reports as a shell does (128 + 15).
      expect(r.code, r.out).toBe(143);
      expect(r.out).toContain(`Created the demo project in ${path.join(scratch, 'data', 'demo')}`);
      expect(r.out).toMatch(/The desktop app cannot start here: ELECTRON_OVERRIDE_DIST_PATH is set but .* does not exist/);
      expect(r.out).toMatch(/Open: http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      const again = await run([start, '--serve'], { env: env(noDisplay), untilOutput: /Press Ctrl\+C/ });
      expect(again.out).not.toContain('Created the demo project');
      expect(again.out).toContain(`serving ${path.join(scratch, 'data', 'demo')}`);
    });

    it('launches Electron on the demo when the binary and a display are there', async () => {
      const dist = await mkdtemp(path.join(scratch, 'dist-'));
      const argsFile = path.join(dist, 'args.txt');
      await writeFile(path.join(dist, 'electron'), `#!/bin/sh\necho "$@" > "${argsFile}"\necho fake-electron-ran\n`);
      await chmod(path.join(dist, 'electron'), 0o755);
      const r = await run([start], { env: env({ ELECTRON_OVERRIDE_DIST_PATH: dist, DISPLAY: ':99' }) });
      expect(r.code, r.out).toBe(0);
      expect(r.out).toContain('fake-electron-ran');
      const args = (await readFile(argsFile, 'utf8')).trim();
      expect(args.startsWith(`. --project=${path.join(scratch, 'data', 'demo')}`)).toBe(true);
    });

    it('says there is no display on Linux without DISPLAY or WAYLAND_DISPLAY', async (ctx) => {
      if (process.platform !== 'linux') ctx.skip('Linux only');
      const dist = await mkdtemp(path.join(scratch, 'dist-'));
      await writeFile(path.join(dist, 'electron'), '#!/bin/sh\necho should-not-run\n');
      await chmod(path.join(dist, 'electron'), 0o755);
      const r = await run([start], { env: env({ ELECTRON_OVERRIDE_DIST_PATH: dist, ...noDisplay }), untilOutput: /Press Ctrl\+C/ });
      expect(r.out).toContain('there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)');
      expect(r.out).not.toContain('should-not-run');
    });

    it('falls back to the browser when Electron dies at once', async () => {
      const dist = await mkdtemp(path.join(scratch, 'dist-'));
      await writeFile(path.join(dist, 'electron'), '#!/bin/sh\necho "error while loading shared libraries: libgtk-3.so.0" >&2\nexit 127\n');
      await chmod(path.join(dist, 'electron'), 0o755);
      const r = await run([start], { env: env({ ELECTRON_OVERRIDE_DIST_PATH: dist, DISPLAY: ':99' }), untilOutput: /Press Ctrl\+C/ });
      expect(r.out).toContain('Electron exited at once with code 127 (error while loading shared libraries: libgtk-3.so.0)');
      expect(r.out).toMatch(/Open: http:\/\/127\.0\.0\.1:\d+\/\?token=/);
      expect(r.code).toBe(143); // the test's SIGTERM, passed on to the server
    });
  });
});
