#!/usr/bin/env node
// `npm start`: the desktop app on the demo project. Builds first when out/ is missing, creates the demo
// once in the app's data folder, downloads Electron's binary on the first start (install-electron.mjs),
// then launches Electron; where Electron cannot start (the download failed, no display, it crashed at
// once) it says why in one line and serves the same UI to a browser instead.
//
//   npm start              desktop app (or the browser fallback)
//   npm start -- --serve   always the browser UI (autoresearch serve)
//   npm start -- DIR       open DIR instead of the demo
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { installElectron } from './install-electron.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const cli = path.join(root, 'bin', 'autoresearch.mjs');
const say = (line) => process.stdout.write(`${line}\n`);

function built() {
  return ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/cli/autoresearch.mjs'].every((f) => existsSync(path.join(root, f)));
}

function build() {
  say('Building the app (npm run build)…');
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const r = spawnSync(npm, ['run', 'build'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  if (r.status !== 0) {
    say('The build failed (see above). Fix it, then run `npm start` again.');
    process.exit(r.status ?? 1);
  }
}

function dataDir() {
  return path.resolve(process.env.AUTORESEARCH_DATA_DIR?.trim() || path.join(homedir(), '.autoresearch-studio'));
}

function ensureDemo() {
  const dir = path.join(dataDir(), 'demo');
  if (existsSync(path.join(dir, '.autoresearch', 'config.json'))) return dir;
  const r = spawnSync(process.execPath, [cli, 'demo', dir], { stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) {
    say(`Could not create the demo project in ${dir} (see above).`);
    process.exit(r.status ?? 1);
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

function serve(dir) {
  say(`Serving the same UI for your browser instead (autoresearch serve ${dir}):\n`);
  const child = spawn(process.execPath, [cli, 'serve', dir], { stdio: 'inherit' });
  forwardSignals(child);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
}

function forwardSignals(child) {
  // Ctrl+C reaches the whole foreground process group, the child included: only wait for it. A SIGTERM
  // aimed at this script alone is passed on.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
}

function launchElectron(bin, dir) {
  const args = ['.', `--project=${dir}`];
  // Chromium refuses to run as root without this; the renderer is still context-isolated and has no Node.
  if (process.platform === 'linux' && process.getuid?.() === 0) args.push('--no-sandbox');
  say(`Starting Autoresearch Studio on ${dir}`);
  const started = Date.now();
  const child = spawn(bin, args, { cwd: root, stdio: ['ignore', 'inherit', 'pipe'], env: { ...process.env, ELECTRON_RUN_AS_NODE: undefined } });
  let stderr = '';
  child.stderr.on('data', (d) => {
    stderr += d;
    process.stderr.write(d);
  });
  forwardSignals(child);
  child.on('error', (err) => {
    say(`Electron could not start: ${err.message}.`);
    serve(dir);
  });
  child.on('exit', (code, signal) => {
    // A crash within seconds is a missing library or a broken display, not a user quitting.
    if (code !== 0 && !signal && Date.now() - started < 15_000) {
      const last = stderr.trim().split('\n').at(-1) ?? '';
      say(`Electron exited at once with code ${code}${last ? ` (${last})` : ''}.`);
      serve(dir);
      return;
    }
    process.exit(code ?? 0);
  });
}

async function main(argv) {
  const forceServe = argv.includes('--serve');
  const dirArg = argv.find((a) => !a.startsWith('-'));
  if (!built()) build();
  const dir = dirArg ? path.resolve(dirArg) : ensureDemo();
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
