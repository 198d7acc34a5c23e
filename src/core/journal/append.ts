// Append-only journal writer: one JSON event a line, fsync'd before the call returns, so an event that
// was reported is on disk even if the machine loses power right after.
//
// A write that fails (a full disk, a quota, an I/O error) is final for this writer: the line it tore is cut
// off again, and every later append is refused with the same JournalWriteError. A journal with a hole in
// it would fold into a different run than the one that happened, so the run must stop instead (run.ts).
import { mkdir, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { JournalEvent } from '../../shared/journal.js';
import { redactEvent } from '../util/redact.js';
import { LinkRefusedError, openNoFollow } from '../util/safe-fs.js';

export interface JournalWriter {
  append(event: JournalEvent): Promise<void>;
  close(): Promise<void>;
}

const CAUSES: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EIO: 'an input/output error',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

/** The journal could not be written: the run cannot go on without losing what it does next. */
export class JournalWriteError extends Error {
  readonly code: string | null;
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    super(
      cause instanceof LinkRefusedError
        ? `Cannot write the run's journal: ${cause.message}`
        : `Cannot write the run's journal ${file}: ${writeCause(cause)}. The run stopped; everything recorded before is kept. Free space (or fix the disk), then resume the run with the same --tag.`,
      { cause },
    );
    this.name = 'JournalWriteError';
    this.code = (cause as NodeJS.ErrnoException | null)?.code ?? null;
  }
}

/** A disk that is full, or an error of the disk itself, as opposed to a permission the user can change. */
export function isDiskProblem(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EIO';
}

/** "the disk is full (ENOSPC)": why a write failed, in words, for one-line messages. */
export function writeCause(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | null)?.code;
  return code ? `${CAUSES[code] ?? (cause as Error).message} (${code})` : String((cause as Error)?.message ?? cause);
}

export async function openJournalWriter(file: string): Promise<JournalWriter> {
  let handle: FileHandle;
  /** Bytes known to be whole lines on disk: a failed append is cut back to here. */
  let offset: number;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    handle = await openNoFollow(file, 'a');
    offset = (await handle.stat()).size;
  } catch (err) {
    throw new JournalWriteError(file, err);
  }
  try {
    // A torn last line (the app was killed mid-write) must not glue itself onto the next event.
    if (offset > 0) {
      const tail = Buffer.alloc(1);
      const probe = await openNoFollow(file, 'r');
      try {
        await probe.read(tail, 0, 1, offset - 1);
      } finally {
        await probe.close();
      }
      if (tail[0] !== 0x0a) {
        await writeAll(handle, Buffer.from('\n'));
        offset += 1;
      }
    }
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw new JournalWriteError(file, err);
  }
  // Group commit: lines are written in the order they were asked for, and every line asked for while a write
  // is on its way goes out with the next write and its one fsync (several slots and proposers record at once;
  // each fsync is milliseconds between two trainer runs). No append returns before its own line is on disk.
  // A failed write is reported to every append of its batch, and the ones after it are refused by `failure`.
  let failure: JournalWriteError | null = null;
  let closed = false;
  let pending: { readonly line: Buffer; readonly resolve: () => void; readonly reject: (err: unknown) => void }[] = [];
  let flushing: Promise<void> | null = null;
  const flush = async () => {
    while (pending.length > 0) {
      const batch = pending;
      pending = [];
      if (failure) {
        for (const b of batch) b.reject(failure);
        continue;
      }
      const bytes = batch.length === 1 ? batch[0]!.line : Buffer.concat(batch.map((b) => b.line));
      try {
        await writeAll(handle, bytes);
        await handle.datasync();
        offset += bytes.length;
      } catch (err) {
        failure = new JournalWriteError(file, err);
        // Cutting a file shorter needs no free space: the journal ends on its last whole event again.
        await handle.truncate(offset).catch(() => undefined);
        for (const b of batch) b.reject(failure);
        continue;
      }
      for (const b of batch) b.resolve();
    }
    flushing = null;
  };
  return {
    append(event) {
      if (closed) return Promise.reject(new Error('The journal is closed'));
      // A failed writer refuses at once: the run is stopping and must not wait behind other appends to hear so.
      if (failure) return Promise.reject(failure);
      // Secrets of the app's environment never reach the journal, whoever put them in the event.
      const line = Buffer.from(JSON.stringify(redactEvent(event)) + '\n');
      return new Promise<void>((resolve, reject) => {
        pending.push({ line, resolve, reject });
        // Started after this tick, so the appends a caller makes together share one write.
        flushing ??= Promise.resolve().then(flush);
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      // After the appends already asked for (whatever became of them).
      while (flushing) await flushing;
      await handle.close();
    },
  };
}

/** write(2) may write part of a buffer (a disk filling up): the rest is written or the error reported. */
async function writeAll(handle: FileHandle, buf: Buffer): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesWritten } = await handle.write(buf, done, buf.length - done);
    if (bytesWritten <= 0) throw Object.assign(new Error('no bytes written'), { code: 'ENOSPC' });
    done += bytesWritten;
  }
}
