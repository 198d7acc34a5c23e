// An experiment's log file with a size cap and flat memory: the head goes straight to disk, then only
// the most recent bytes are kept in a fixed ring, and at the end the ring follows an omission marker.
// So a trainer that prints 200 MB still leaves a log with its start and its final summary block.
import type { FileHandle } from 'node:fs/promises';
import { openNoFollow } from '../util/safe-fs.js';
import type { WriteStream } from 'node:fs';
import { createByteRing } from './byte-ring.js';
import { createStreamRedactor } from '../util/redact.js';

export const MAX_TAIL_BYTES = 4 * 1024 * 1024;

export const omissionMarker = (bytes: number) => `\n[autoresearch: ${bytes} bytes of output omitted here]\n`;

export interface CappedLog {
  /** false: the file is behind; wait for onDrain before writing more (backpressure up to the child). */
  write(chunk: Buffer): boolean;
  onDrain(listener: () => void): void;
  /** Writes the kept tail, closes the file. Never rejects. */
  finish(): Promise<{ readonly droppedBytes: number; readonly error: string | null }>;
}

/** Bytes kept at the end of an over-long log. */
export const tailBytesFor = (maxBytes: number) => Math.min(MAX_TAIL_BYTES, Math.floor(maxBytes / 4));

/** Creates (truncates) the file; rejects only when it cannot be opened. */
export async function openCappedLog(file: string, maxBytes: number): Promise<CappedLog> {
  // Never through a link planted at the log's name: that would write the trainer's output anywhere.
  const handle: FileHandle = await openNoFollow(file, 'w');
  const stream: WriteStream = handle.createWriteStream();
  const tailBytes = tailBytesFor(maxBytes);
  const headLimit = Math.max(0, maxBytes - tailBytes);
  const ring = createByteRing(tailBytes);
  // The app's secrets never reach the log, even when a chunk ends in the middle of one.
  const redactor = createStreamRedactor();
  let headWritten = 0;
  let error: string | null = null;
  let closed = false;
  const drainListeners: Array<() => void> = [];
  const closedPromise = new Promise<void>((resolve) => stream.once('close', resolve)).then(() => {
    closed = true;
  });

  stream.on('drain', () => drainListeners.forEach((fn) => fn()));
  stream.on('error', (err) => {
    // A full disk must not stall or fail the experiment: stop writing, report it, and let waiters go on.
    error ??= `Could not write the log ${file}: ${err.message}`;
    drainListeners.forEach((fn) => fn());
  });

  const put = (chunk: Buffer): boolean => {
    if (chunk.length === 0) return true;
    if (headWritten < headLimit) {
      const n = Math.min(chunk.length, headLimit - headWritten);
      headWritten += n;
      if (n < chunk.length) ring.push(chunk.subarray(n));
      if (error !== null || stream.destroyed) return true;
      return stream.write(n === chunk.length ? chunk : chunk.subarray(0, n));
    }
    ring.push(chunk);
    return true;
  };
  return {
    write(chunk) {
      return put(redactor.push(chunk));
    },
    onDrain(listener) {
      drainListeners.push(listener);
    },
    async finish() {
      put(redactor.end());
      const afterHead = ring.total();
      const dropped = Math.max(0, afterHead - tailBytes);
      if (error === null && !stream.destroyed) {
        if (dropped > 0) stream.write(omissionMarker(dropped));
        if (afterHead > 0) stream.write(ring.contents());
        stream.end();
      } else if (!stream.destroyed) {
        stream.destroy();
      }
      if (!closed) await closedPromise;
      return { droppedBytes: dropped, error };
    },
  };
}
