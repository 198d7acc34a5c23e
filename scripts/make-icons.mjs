#!/usr/bin/env node
// Draws the app icon and writes the set electron-builder and the window use, into resources/icons/:
//   16x16.png … 512x512.png and 1024x1024.png   (Linux takes the folder; the window takes 512x512.png)
//   icon.icns                                    (macOS: PNG-compressed entries, 16 … 1024)
//   icon.ico                                     (Windows: PNG-compressed entries, 16 … 256)
// The picture: a dark rounded square with a descending step line (a run's best-so-far metric) ending in a
// green dot (the kept experiment). Drawn with plain geometry and 4×4 supersampling; no image library.
//
//   node scripts/make-icons.mjs        (the outputs are committed; run again after changing the drawing)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { crc32, deflateSync } from 'node:zlib';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outDir = path.join(root, 'resources', 'icons');

// ---- the drawing, in a unit square (0..1, y down) ------------------------------------------------------
const BG_TOP = [0x23, 0x2a, 0x3a];
const BG_BOTTOM = [0x12, 0x16, 0x20];
const GRID = [0x3a, 0x44, 0x58];
const LINE = [0x7c, 0xb7, 0xff];
const DOT = [0x4a, 0xde, 0x80];
// Best-so-far after each experiment: only ever steps down.
const STEPS = [
  [0.16, 0.3],
  [0.32, 0.3],
  [0.32, 0.44],
  [0.5, 0.44],
  [0.5, 0.56],
  [0.62, 0.56],
  [0.62, 0.7],
  [0.8, 0.7],
];

function insideRoundedSquare(x, y) {
  const m = 0.06; // margin, as macOS and most Linux themes expect
  const r = 0.2;
  if (x < m || y < m || x > 1 - m || y > 1 - m) return false;
  const cx = Math.min(Math.max(x, m + r), 1 - m - r);
  const cy = Math.min(Math.max(y, m + r), 1 - m - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

function distToSegment(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

/** The colour at a point, or null outside the icon (transparent). */
function colourAt(x, y) {
  if (!insideRoundedSquare(x, y)) return null;
  const [dx, dy] = STEPS.at(-1);
  if (Math.hypot(x - dx, y - dy) <= 0.065) return DOT;
  for (let i = 1; i < STEPS.length; i++) if (distToSegment(x, y, STEPS[i - 1], STEPS[i]) <= 0.032) return LINE;
  // Faint grid lines: where the run is measured against.
  for (const gy of [0.3, 0.5, 0.7]) if (Math.abs(y - gy) <= 0.006 && x > 0.14 && x < 0.86) return GRID;
  const t = (y - 0.06) / 0.88;
  return BG_TOP.map((c, i) => Math.round(c + (BG_BOTTOM[i] - c) * t));
}

function render(size) {
  const ss = 4;
  const rgba = Buffer.alloc(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = colourAt((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const o = (py * size + px) * 4;
      if (a > 0) {
        rgba[o] = Math.round(r / a);
        rgba[o + 1] = Math.round(g / a);
        rgba[o + 2] = Math.round(b / a);
      }
      rgba[o + 3] = Math.round((a / (ss * ss)) * 255);
    }
  }
  return rgba;
}

// ---- encoders -----------------------------------------------------------------------------------------
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** macOS .icns with PNG entries (the OSType per pixel size). */
function icns(pngs) {
  const types = { 16: 'icp4', 32: 'icp5', 64: 'icp6', 128: 'ic07', 256: 'ic08', 512: 'ic09', 1024: 'ic10' };
  const entries = Object.entries(types).map(([size, type]) => {
    const data = pngs.get(Number(size));
    const head = Buffer.alloc(8);
    head.write(type, 0, 'ascii');
    head.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([head, data]);
  });
  const body = Buffer.concat(entries);
  const head = Buffer.alloc(8);
  head.write('icns', 0, 'ascii');
  head.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([head, body]);
}

/** Windows .ico with PNG entries (Vista and later read them; 256 is written as 0). */
function ico(pngs, sizes) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(sizes.length, 4);
  let offset = 6 + 16 * sizes.length;
  const dir = [];
  for (const size of sizes) {
    const data = pngs.get(size);
    const e = Buffer.alloc(16);
    e[0] = size >= 256 ? 0 : size;
    e[1] = size >= 256 ? 0 : size;
    e.writeUInt16LE(1, 4); // planes
    e.writeUInt16LE(32, 6); // bits per pixel
    e.writeUInt32LE(data.length, 8);
    e.writeUInt32LE(offset, 12);
    offset += data.length;
    dir.push(e);
  }
  return Buffer.concat([header, ...dir, ...sizes.map((s) => pngs.get(s))]);
}

const SIZES = [16, 32, 64, 128, 256, 512, 1024];
mkdirSync(outDir, { recursive: true });
const pngs = new Map();
for (const size of SIZES) {
  const data = png(size, render(size));
  pngs.set(size, data);
  writeFileSync(path.join(outDir, `${size}x${size}.png`), data);
}
writeFileSync(path.join(outDir, 'icon.icns'), icns(pngs));
writeFileSync(path.join(outDir, 'icon.ico'), ico(pngs, [16, 32, 64, 128, 256]));
process.stdout.write(`Wrote ${SIZES.map((s) => `${s}x${s}.png`).join(', ')}, icon.icns and icon.ico to ${path.relative(root, outDir)}/\n`);
