// The first `npm start` fetches Electron's binary: the electron package (≥ 45) has no install script and
// downloads on first use. Two steps, both Electron's own code, so ELECTRON_MIRROR, ELECTRON_CUSTOM_DIR,
// electron_use_remote_checksums, electron_config_cache, force_no_cache, ELECTRON_GET_USE_PROXY and the
// npm_config_electron_* settings all work as Electron documents them:
//   1. @electron/get's downloadArtifact with exactly the arguments node_modules/electron/install.js passes,
//      plus a progress callback, so the user sees the size and how far it got; it verifies the SHA-256
//      checksum and leaves the zip in Electron's cache;
//   2. node_modules/electron/install.js itself, which finds the zip in the cache (checksum verified again),
//      unpacks it into node_modules/electron/dist and writes path.txt.
import { execSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const OFFICIAL = 'https://github.com/electron/electron/releases/download/';

/** Install Electron's binary into <root>/node_modules/electron. Returns null when done, or why it failed (one line). */
export async function installElectron(root, say) {
  const pkgDir = path.join(root, 'node_modules', 'electron');
  const installer = path.join(pkgDir, 'install.js');
  const { version } = JSON.parse(readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
  const { platform, arch } = target();
  const mirror = mirrorSetting() ?? OFFICIAL;
  const remoteChecksums = Boolean(process.env.electron_use_remote_checksums || process.env.npm_config_electron_use_remote_checksums);

  let get;
  try {
    const require = createRequire(installer);
    get = await import(pathToFileURL(require.resolve('@electron/get')).href);
  } catch (err) {
    return `Electron's downloader (@electron/get) could not be loaded (${oneLine(err)}); run npm ci`;
  }

  say(`Downloading Electron ${version} for ${platform}-${arch} from ${mirror} (first start only)…`);
  const progress = progressPrinter(say);
  try {
    await get.downloadArtifact({
      version,
      artifactName: 'electron',
      force: process.env.force_no_cache === 'true',
      cacheRoot: process.env.electron_config_cache,
      checksums: remoteChecksums ? undefined : JSON.parse(readFileSync(path.join(pkgDir, 'checksums.json'), 'utf8')),
      platform,
      arch,
      downloadOptions: { quiet: true, getProgressCallback: progress.update },
    });
  } catch (err) {
    progress.end();
    return `Electron ${version} could not be downloaded (${oneLine(err)}). Check the network or set ELECTRON_MIRROR; the next npm start tries again`;
  }
  progress.end();
  say(`Verified its SHA-256 checksum (${remoteChecksums ? "the mirror's SHASUMS256.txt" : "Electron's checksums.json"}).`);

  say(`Unpacking into ${path.relative(root, path.join(pkgDir, 'dist'))} (node_modules/electron/install.js)…`);
  const r = spawnSync(process.execPath, [installer], { cwd: pkgDir, stdio: ['ignore', 'inherit', 'inherit'] });
  if (r.status !== 0) return `Electron's installer (node_modules/electron/install.js) failed with code ${r.status ?? r.signal} (see above)`;
  say('Electron is installed.');
  return null;
}

/** The same platform and arch install.js picks (including an x64 Node under Rosetta getting arm64). */
function target() {
  const platform = process.env.ELECTRON_INSTALL_PLATFORM || process.env.npm_config_platform || process.platform;
  let arch = process.env.ELECTRON_INSTALL_ARCH || process.env.npm_config_arch || process.arch;
  if (platform === 'darwin' && process.platform === 'darwin' && arch === 'x64' && process.env.npm_config_arch === undefined) {
    try {
      if (execSync('sysctl -in sysctl.proc_translated').toString().trim() === '1') arch = 'arm64';
    } catch {
      // not under Rosetta
    }
  }
  return { platform, arch };
}

/** For the message only; @electron/get reads the same settings itself. */
function mirrorSetting() {
  const e = process.env;
  return e.npm_config_electron_mirror || e.NPM_CONFIG_ELECTRON_MIRROR || e.npm_package_config_electron_mirror || e.ELECTRON_MIRROR || null;
}

/**
 * Progress of the zip (the first download; SHASUMS256.txt follows it and is not shown): a line rewritten in
 * place on a terminal, a line per quarter otherwise (CI logs, npm's piped output).
 */
function progressPrinter(say) {
  const tty = process.stdout.isTTY;
  let done = false;
  let nextQuarter = 0.25;
  let lastDraw = 0;
  return {
    update({ transferred, total, percent }) {
      if (done) return;
      const size = total ? ` of ${mb(total)}` : '';
      if (tty) {
        const now = Date.now();
        if (now - lastDraw >= 100 || percent >= 1) {
          lastDraw = now;
          process.stdout.write(`\r  ${total ? `${Math.floor(percent * 100)}%` : mb(transferred)}${size}   `);
        }
      } else if (total && percent >= nextQuarter) {
        while (percent >= nextQuarter) nextQuarter += 0.25;
        say(`  ${Math.floor(percent * 100)}%${size}`);
      }
      if (percent >= 1) {
        done = true;
        if (tty) process.stdout.write('\n');
        else if (!total) say(`  ${mb(transferred)}`);
      }
    },
    end() {
      if (!done && tty && lastDraw) process.stdout.write('\n');
      done = true;
    },
  };
}

function mb(bytes) {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1e3))} kB`;
}

function oneLine(err) {
  const cause = err?.cause?.code || err?.cause?.message;
  const message = String(err?.message ?? err).split('\n')[0];
  return cause && !message.includes(cause) ? `${message}: ${cause}` : message;
}
