// A stand-in Electron release served from 127.0.0.1, for the first-start download and packaging tests.
//
// The zip holds an `electron` shell script that records its arguments and working folder in the file named
// by $ELECTRON_STANDIN_RECORD and exits, laid out like a real Electron zip (version, LICENSE,
// resources/default_app.asar). The mirror answers like GitHub's release folder: /v<version>/<zip> and
// /v<version>/SHASUMS256.txt, and records every request so a test can see what was fetched.
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { crc32 } from 'node:zlib';

export interface ZipEntry {
  readonly name: string;
  readonly data: Buffer | string;
  /** Unix permission bits, e.g. 0o755 for an executable. */
  readonly mode?: number;
}

/** A zip of stored (uncompressed) entries with Unix modes, enough for any unzip (and Electron's extractor). */
export function makeZip(entries: readonly ZipEntry[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(0, 8); // stored
    local.writeUInt32LE(0, 10); // time/date
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    locals.push(local, name, data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE((3 << 8) | 20, 4); // made by Unix, so the external attributes carry the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(0, 10);
    central.writeUInt32LE(0, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt16LE(0, 30);
    central.writeUInt16LE(0, 32);
    central.writeUInt16LE(0, 34);
    central.writeUInt16LE(0, 36);
    central.writeUInt32LE((((entry.mode ?? 0o644) | 0o100000) << 16) >>> 0, 38); // regular file + mode
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + data.length;
  }
  const centralSize = centrals.reduce((n, b) => n + b.length, 0);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(centralSize, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, ...centrals, end]);
}

/** Electron's fuse wire marker (@electron/fuses finds the wire right after it). */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';
/** Electron 45's default fuses, in @electron/fuses' order: RunAsNode … GrantFileProtocolExtraPrivileges. */
export const DEFAULT_FUSES = '10110001';

/**
 * The stand-in's script: one argument per line, then `cwd=<folder>`, into $ELECTRON_STANDIN_RECORD. It carries
 * a fuse wire (sentinel, version 1, length 8, the fuse states) in a comment, as the real binary does, so
 * electron-builder's fuse flipping works on it and a test can read the result.
 */
export const STANDIN_SCRIPT = `#!/bin/sh
# Stand-in for the Electron binary in tests: record how it was launched, then exit.
# fuses: ${FUSE_SENTINEL}\x01\x08${DEFAULT_FUSES}
out="\${ELECTRON_STANDIN_RECORD:-/dev/null}"
: > "$out"
for a in "$@"; do printf '%s\\n' "$a" >> "$out"; done
printf 'cwd=%s\\n' "$(pwd)" >> "$out"
exit 0
`;

/** The fuse states ('0' off, '1' on) in a binary carrying the wire, or null without one. */
export function readFuses(binary: Buffer): string | null {
  const at = binary.indexOf(FUSE_SENTINEL);
  if (at < 0) return null;
  const wire = at + FUSE_SENTINEL.length;
  return binary.subarray(wire + 2, wire + 2 + binary[wire + 1]!).toString('latin1');
}

export function standInElectronZip(version: string): Buffer {
  return makeZip([
    { name: 'electron', data: STANDIN_SCRIPT, mode: 0o755 },
    { name: 'version', data: version },
    { name: 'LICENSE', data: 'Stand-in for tests, not Electron.\n' },
    { name: 'LICENSES.chromium.html', data: '<p>Stand-in for tests.</p>\n' },
    { name: 'resources/default_app.asar', data: 'stand-in' },
  ]);
}

export interface Mirror {
  /** For ELECTRON_MIRROR: ends with a slash. */
  readonly url: string;
  /** Paths requested so far, with their answer status. */
  readonly requests: { readonly path: string; readonly status: number }[];
  close(): Promise<void>;
}

export interface MirrorOptions {
  readonly version: string;
  /** Files of the release folder by name; anything else (or everything, with `missing`) answers 404. */
  readonly files: Readonly<Record<string, Buffer>>;
  readonly missing?: boolean;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The release folder for `version`: the zip under Electron's file name for this platform, and its SHASUMS256.txt. */
export function releaseFiles(version: string, zip: Buffer, platform = process.platform, arch = process.arch): Record<string, Buffer> {
  const name = `electron-v${version}-${platform}-${arch}.zip`;
  return { [name]: zip, 'SHASUMS256.txt': Buffer.from(`${sha256(zip)} *${name}\n`) };
}

export async function startMirror(options: MirrorOptions): Promise<Mirror> {
  const requests: { path: string; status: number }[] = [];
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const prefix = `/v${options.version}/`;
    const file = url.pathname.startsWith(prefix) ? options.files[decodeURIComponent(url.pathname.slice(prefix.length))] : undefined;
    const status = file && !options.missing ? 200 : 404;
    requests.push({ path: url.pathname, status });
    if (status !== 200 || !file) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(file.length) }).end(file);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
