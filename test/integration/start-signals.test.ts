// `kill <pid of npm start>`: scripts/start.mjs passes SIGTERM, SIGHUP and SIGINT on to what it started (the
// server, or Electron and whatever Electron started) and exits with it; a stop never falls back to serving.
// Real processes throughout: the built CLI's server, and a stand-in Electron (a shell script) with a child.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { pidRunning, waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, REPO_ROOT, tempDir } from '../helpers/project.js';

const built = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/cli/autoresearch.mjs'].every((f) => existsSync(path.join(REPO_ROOT, f)));
const started: ChildProcess[] = [];

/** Pids of live processes whose command line mentions `marker` (a temp folder unique to the test). */
function processesMentioning(marker: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(marker) && pidRunning(Number(name))) pids.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return pids;
}

function startScript(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(ELECTRON_|electron_)/.test(k)));
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'start.mjs'), ...args], { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => out, exited };
}

afterEach(() => {
  for (const c of started.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});
afterAll(() => cleanupTempDirs());

describe.skipIf(!built || process.platform !== 'linux')('npm start stops with its children', () => {
  for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
    it(`${signal} to start.mjs stops the server it started, then start.mjs exits`, async () => {
      const data = tempDir('ar-start-sig-');
      const s = startScript(['--serve'], { AUTORESEARCH_DATA_DIR: data });
      expect(await waitUntil(() => /Listening on 127\.0\.0\.1/.test(s.output()), 60_000), s.output()).toBe(true);
      const server = processesMentioning(path.join(data, 'demo')).filter((p) => p !== s.child.pid);
      expect(server.length, s.output()).toBeGreaterThan(0);

      process.kill(s.child.pid!, signal);
      const code = await s.exited;
      expect(code).toBe({ SIGHUP: 129, SIGINT: 130, SIGTERM: 143 }[signal]);
      expect(await waitUntil(() => server.every((p) => !pidRunning(p)), 20_000), `still running: ${server.filter(pidRunning).join(' ')}`).toBe(true);
      expect(processesMentioning(data)).toEqual([]);
    });
  }

  it('SIGTERM soon after Electron started stops Electron and its helpers, and serves nothing instead', async () => {
    const base = tempDir('ar-start-sig-');
    const dist = path.join(base, 'electron-dist');
    mkdirSync(dist);
    const pathTxt = path.join(REPO_ROOT, 'node_modules', 'electron', 'path.txt');
    const name = existsSync(pathTxt) ? readFileSync(pathTxt, 'utf8').trim() : 'electron';
    // A stand-in Electron: one helper process of its own (as Chromium has), and an exit code that is not 0
    // when terminated, which start.mjs used to take for "Electron cannot start here" and serve instead.
    const bin = path.join(dist, name);
    writeFileSync(bin, `#!/bin/sh\ntrap 'exit 1' TERM\nsleep 300 &\necho "$$ $!" > '${path.join(base, 'pids')}'\nwait\n`);
    chmodSync(bin, 0o755);
    const project = path.join(base, 'project');
    mkdirSync(project);
    const s = startScript([project], { AUTORESEARCH_DATA_DIR: path.join(base, 'data'), ELECTRON_OVERRIDE_DIST_PATH: dist, DISPLAY: ':99' });
    const pidsFile = path.join(base, 'pids');
    expect(await waitUntil(() => existsSync(pidsFile) && readFileSync(pidsFile, 'utf8').trim().split(' ').length === 2, 30_000), s.output()).toBe(true);
    const pids = readFileSync(pidsFile, 'utf8').trim().split(' ').map(Number);
    expect(pids.every(pidRunning)).toBe(true);

    process.kill(s.child.pid!, 'SIGTERM');
    expect(await s.exited).toBe(143);
    expect(await waitUntil(() => pids.every((p) => !pidRunning(p)), 20_000), `still running: ${pids.filter(pidRunning).join(' ')}`).toBe(true);
    expect(s.output()).not.toContain('Serving the same UI');
    expect(processesMentioning(project)).toEqual([]);
  });
});
