// Follows a file another machine writes (a Slurm job's output on shared storage): each read returns the
// bytes appended since the last one. The file may not exist yet (the job is queued) or be truncated.
import { open, type FileHandle } from 'node:fs/promises';

const CHUNK = 256 * 1024;

export interface FileFollower {
  /** New bytes since the last call (possibly none); calls (and awaits) `each` chunk by chunk, so memory stays flat. */
  read(each: (chunk: Buffer) => void | Promise<void>): Promise<number>;
  close(): Promise<void>;
}

export function followFile(file: string): FileFollower {
  let handle: FileHandle | null = null;
  let offset = 0;
  const buf = Buffer.alloc(CHUNK);
  return {
    async read(each) {
      if (!handle) {
        // Not written yet: nothing to read this time; the next poll tries again.
        handle = await open(file, 'r').catch(() => null);
        if (!handle) return 0;
      }
      const { size } = await handle.stat();
      if (size < offset) offset = 0;
      let total = 0;
      while (offset < size) {
        const { bytesRead } = await handle.read(buf, 0, Math.min(CHUNK, size - offset), offset);
        if (bytesRead <= 0) break;
        offset += bytesRead;
        total += bytesRead;
        await each(Buffer.from(buf.subarray(0, bytesRead)));
      }
      return total;
    },
    async close() {
      // Read-only handle: closing it cannot lose data.
      await handle?.close().catch(() => undefined);
      handle = null;
    },
  };
}
