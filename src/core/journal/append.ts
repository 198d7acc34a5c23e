// Append-only journal writer: one JSON event a line, fsync'd before the call returns, so an event that
// was reported is on disk even if the machine loses power right after.
import { mkdir, open, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { JournalEvent } from '../../shared/journal.js';

export interface JournalWriter {
  append(event: JournalEvent): Promise<void>;
  close(): Promise<void>;
}

export async function openJournalWriter(file: string): Promise<JournalWriter> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle: FileHandle = await open(file, 'a');
  // A torn last line (the app was killed mid-write) must not glue itself onto the next event.
  const { size } = await handle.stat();
  if (size > 0) {
    const tail = Buffer.alloc(1);
    const probe = await open(file, 'r');
    try {
      await probe.read(tail, 0, 1, size - 1);
    } finally {
      await probe.close();
    }
    if (tail[0] !== 0x0a) await handle.write('\n');
  }
  // Appends are serialised so lines never interleave, whatever the callers do.
  let chain: Promise<void> = Promise.resolve();
  let closed = false;
  return {
    append(event) {
      if (closed) return Promise.reject(new Error('The journal is closed'));
      const line = JSON.stringify(event) + '\n';
      chain = chain.then(async () => {
        await handle.write(line);
        await handle.datasync();
      });
      return chain;
    },
    async close() {
      if (closed) return;
      closed = true;
      await chain.catch(() => undefined);
      await handle.close();
    },
  };
}
