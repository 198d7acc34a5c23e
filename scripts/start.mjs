#!/usr/bin/env node
// `npm start`: the desktop app on the demo project. Builds first when out/ is missing or older than a source
// file (build-fresh.mjs), creates the demo
// once in the app's data folder, downloads Electron's binary on the first start (install-electron.mjs),
// then launches Electron; where Electron cannot start (the download failed, no display, it crashed at
// once) it says why in one line and serves the same UI to a browser instead.
//
//   npm start              desktop app (or the browser fallback)
//   npm start -- --serve   always the browser UI (autoresearch serve)
//   npm start -- DIR       open DIR instead of the demo
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { changedSinceBuild } from './build-fresh.mjs';
import { installElectron } from './install-electron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'autoresearch.mjs');
const say = (line) => process.stdout.write(`${line}\n`);

// Every child runs in a process group of its own, so a signal aimed at this script (`kill <pid>`, a closed
// terminal, Ctrl+C) is passed on exactly once, to the child and whatever it started (Electron's helpers, the
// server): a child in our own group would get a terminal's Ctrl+C twice (ours forwarded plus its own), which
// the server reads as "stop without waiting". While a child runs, a signal is forwarded and this script
// exits when the child has; with no child (the download) it exits at once.
let current = null;
let stopping = null;
const SIGNAL_CODES = { SIGHUP: 129, SIGINT: 130, SIGTERM: 143 };

function onSignal(signal) {
  stopping ??= signal;
  if (!current) process.exit(SIGNAL_CODES[signal]);
  try {
    process.kill(-current.pid, signal);
  } catch {
    // The group is gone already; its exit handler ends this script.
  }
}
for (const signal of Object.keys(SIGNAL_CODES)) process.on(signal, onSignal);

/** Starts a child in its own process group and tracks it for onSignal. */
function startChild(bin, args, options) {
  const child = spawn(bin, args, { ...options, detached: true });
  current = child;
  const forget = () => {
    if (current === child) current = null;
  };
  child.once('exit', forget);
  child.once('error', forget);
  return child;
}

/** Resolves with the exit status of a child; a signal to this script ends the script once the child has. */
function finished(child) {
  return new Promise((resolve) => {
    child.once('error', (err) => resolve({ code: null, error: err }));
    child.once('exit', (code, signal) => {
      if (stopping) process.exit(SIGNAL_CODES[stopping]);
      resolve({ code, signal });
    });
  });
}

function built() {
  return ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/cli/autoresearch.mjs'].every((f) => existsSync(path.join(root, f)));
}

async function build() {
  say('Building the app (npm run build)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = await finished(startChild(npm, ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' }));
  if (r.code !== 0) {
    say('The build failed (see above). Fix it, then run `npm start` again.');
    process.exit(r.code ?? 1);
  }
}

function dataDir() {
  return path.resolve(process.env.AUTORESEARCH_DATA_DIR?.trim() || path.join(homedir(), '.autoresearch-studio'));
}

async function ensureDemo() {
  const dir = path.join(dataDir(), 'demo');
  if (existsSync(path.join(dir, '.autoresearch', 'config.json'))) return dir;
  const r = await finished(startChild(process.execPath, [cli, 'demo', dir], { stdio: ['ignore', 'ignore', 'inherit'] }));
  if (r.code !== 0) {
    say(`Could not create the demo project in ${dir} (see above).`);
    process.exit(r.code ?? 1);
  }
  say(`Created the demo project in ${dir}`);
  return dir;
}

/**
 * The Electron binary, or why there is none (`download: true` when fetching it would help). Never
 * require('electron') here: its index.js throws when the binary is missing.
 */
function findElectron() {
  const pkg = path.join(root, 'node_modules', 'electron');
  const pathFile = path.join(pkg, 'path.txt');
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null;
  // Electron's own override for a binary kept elsewhere (its index.js honours it the same way).
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const bin = path.join(override, name || (process.platform === 'win32' ? 'electron.exe' : 'electron'));
    return existsSync(bin) ? { bin } : { why: `ELECTRON_OVERRIDE_DIST_PATH is set but ${bin} does not exist` };
  }
  if (!existsSync(pkg)) return { why: "Electron is not installed (node_modules/electron is missing; run npm ci)" };
  if (!name) return { why: "Electron's binary is not installed", download: true };
  const bin = path.join(pkg, 'dist', name);
  if (!existsSync(bin)) return { why: `Electron's binary is not installed (node_modules/electron/dist/${name} is missing)`, download: true };
  // After an upgrade of the electron package the old binary is still there: fetch the one it wants.
  const wanted = JSON.parse(readFileSync(path.join(pkg, 'package.json'), 'utf8')).version;
  const versionFile = path.join(pkg, 'dist', 'version');
  const have = existsSync(versionFile) ? readFileSync(versionFile, 'utf8').trim().replace(/^v/, '') : null;
  if (have && have !== wanted) return { why: `Electron's binary is version ${have}, the electron package wants ${wanted}`, download: true };
  return { bin };
}

function noDisplay() {
  if (process.platform !== 'linux') return null;
  if (process.env.DISPLAY || process.env.WAYLAND_DISPLAY) return null;
  return 'there is no display (neither DISPLAY nor WAYLAND_DISPLAY is set)';
}

async function serve(dir) {
  say(`Serving the same UI for your browser instead (autoresearch serve ${dir}):\n`);
  // stdin is not passed on: a process group that is not the terminal's foreground one may not read it.
  const r = await finished(startChild(process.execPath, [cli, 'serve', dir], { stdio: ['ignore', 'inherit', 'inherit'] }));
  process.exit(r.code ?? (r.signal ? 0 : 1));
}

async function launchElectron(bin, dir) {
  const args = ['.', `--project=${dir}`];
  // Chromium refuses to run as root without this; the renderer is still context-isolated and has no Node.
  if (process.platform === 'linux' && process.getuid?.() === 0) args.push('--no-sandbox');
  say(`Starting Autoresearch Studio on ${dir}`);
  const started = Date.now();
  const child = startChild(bin, args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined } });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    process.stderr.write(d);
  });
  const r = await finished(child);
  if (r.error) {
    say(`Electron could not start: ${r.error.message}.`);
    return serve(dir);
  }
  // A crash within seconds is a missing library or a broken display, not a user quitting. (A stop asked for
  // by a signal never gets here: finished() has ended this script, so no server is started after it.)
  if (r.code !== 0 && !r.signal && Date.now() - started < 15_000) {
    const last = stderr.trim().split('\n').at(-1) ?? '';
    say(`Electron exited at once with code ${r.code}${last ? ` (${last})` : ''}.`);
    return serve(dir);
  }
  process.exit(r.code ?? 0);
}

async function main(argv) {
  const forceServe = argv.includes('--serve');
  const dirArg = argv.find((a) => !a.startsWith('-'));
  if (!built()) await build();
  else {
    const changed = changedSinceBuild(root);
    if (changed) {
      say(`${changed} changed since the app was last built.`);
      await build();
    }
  }
  const dir = dirArg ? path.resolve(dirArg) : await ensureDemo();
  if (forceServe) return serve(dir);
  // Without a display the window cannot open, so the download would be wasted.
  let why = noDisplay();
  let electron = why ? null : findElectron();
  if (electron?.download) {
    why = await installElectron(root, say);
    if (!why) electron = findElectron();
  }
  why ??= electron?.why;
  if (why || !electron?.bin) {
    say(`The desktop app cannot start here: ${why}.`);
    return serve(dir);
  }
  launchElectron(electron.bin, dir);
}

await main(process.argv.slice(2));
