// Random access to the lines of a log that may be 100 MB and still growing: a sparse index of the byte
// offset of every 1000th line, built once by streaming and extended as the file grows. A page of lines
// is read by seeking to the nearest indexed line, never by loading the file.
import { stat } from 'node:fs/promises';
import { openNoFollow } from '../util/safe-fs.js';

const STRIDE = 1000;
const MAX_LINE_CHARS = 10_000;
const CHUNK = 1 << 20;

interface LineIndex {
  /** offsets[k] = byte offset of line k * STRIDE. */
  offsets: number[];
  /** Complete lines seen so far and the byte offset after the last complete line. */
  lines: number;
  scanned: number;
  /** Whether the file ended without a newline after `scanned` (a partial last line exists). */
  partial: boolean;
  size: number;
  mtimeMs: number;
}

const cache = new Map<string, LineIndex>();

async function indexOf(file: string): Promise<LineIndex> {
  const info = await stat(file);
  let idx = cache.get(file);
  // A file that shrank or was replaced is indexed from scratch; a grown one is extended.
  if (!idx || info.size < idx.size || (info.size === idx.size && info.mtimeMs !== idx.mtimeMs && info.size < idx.scanned)) {
    idx = { offsets: [0], lines: 0, scanned: 0, partial: false, size: 0, mtimeMs: 0 };
  }
  if (info.size > idx.scanned) {
    const fh = await openNoFollow(file, 'r');
    try {
      const buf = Buffer.alloc(CHUNK);
      let pos = idx.scanned;
      while (pos < info.size) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, info.size - pos), pos);
        if (bytesRead === 0) break;
        for (let i = 0; i < bytesRead; i++) {
          if (buf[i] === 0x0a) {
            idx.lines += 1;
            idx.scanned = pos + i + 1;
            if (idx.lines % STRIDE === 0) idx.offsets.push(idx.scanned);
          }
        }
        pos += bytesRead;
      }
      idx.partial = pos > idx.scanned;
    } finally {
      await fh.close();
    }
  }
  idx.size = info.size;
  idx.mtimeMs = info.mtimeMs;
  cache.set(file, idx);
  return idx;
}

/** What a terminal would show for a line: the text after its last carriage return. */
export function collapseCarriageReturns(line: string): string {
  if (!line.includes('\r')) return line;
  const parts = line.split('\r');
  for (let i = parts.length - 1; i >= 0; i--) if (parts[i] !== '') return parts[i]!;
  return '';
}

export interface LogStats {
  readonly bytes: number;
  readonly lines: number;
}

export async function logStats(file: string): Promise<LogStats> {
  const idx = await indexOf(file);
  return { bytes: idx.size, lines: idx.lines + (idx.partial ? 1 : 0) };
}

export async function readLogLines(file: string, start: number, count: number): Promise<{ lines: string[]; totalLines: number }> {
  const idx = await indexOf(file);
  const total = idx.lines + (idx.partial ? 1 : 0);
  if (start >= total) return { lines: [], totalLines: total };
  const k = Math.floor(start / STRIDE);
  let line = k * STRIDE;
  let pos = idx.offsets[k] ?? 0;
  const out: string[] = [];
  const fh = await openNoFollow(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    const take = () => {
      const bytes = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      let text = bytes.toString('utf8');
      if (text.length > MAX_LINE_CHARS) text = `${text.slice(0, MAX_LINE_CHARS)} … [${text.length - MAX_LINE_CHARS} more characters]`;
      return collapseCarriageReturns(text);
    };
    outer: while (pos < idx.size) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, idx.size - pos), pos);
      if (bytesRead === 0) break;
      let from = 0;
      for (let i = 0; i < bytesRead; i++) {
        if (buf[i] !== 0x0a) continue;
        if (line >= start) {
          if (pendingBytes + (i - from) <= MAX_LINE_CHARS * 4) pending.push(Buffer.from(buf.subarray(from, i)));
          pendingBytes += Math.min(i - from, MAX_LINE_CHARS * 4);
          out.push(take());
          if (out.length >= count) break outer;
        }
        line += 1;
        from = i + 1;
      }
      if (line >= start && from < bytesRead && pendingBytes < MAX_LINE_CHARS * 4) {
        const piece = buf.subarray(from, Math.min(bytesRead, from + MAX_LINE_CHARS * 4 - pendingBytes));
        pending.push(Buffer.from(piece));
        pendingBytes += piece.length;
      }
      pos += bytesRead;
    }
    if (out.length < count && pendingBytes > 0 && line >= start) out.push(take());
  } finally {
    await fh.close();
  }
  return { lines: out, totalLines: total };
}

/** The last `maxBytes` of a file as text (for a crash tail or a metric test on the last log). */
export async function readTail(file: string, maxBytes: number): Promise<string> {
  const info = await stat(file);
  const from = Math.max(0, info.size - maxBytes);
  const fh = await openNoFollow(file, 'r');
  try {
    const buf = Buffer.alloc(info.size - from);
    await fh.read(buf, 0, buf.length, from);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}
