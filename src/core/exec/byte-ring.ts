// A fixed-size ring of the most recent bytes: the memory a flood of output may cost is decided up front.

export interface ByteRing {
  push(chunk: Uint8Array): void;
  /** All bytes ever pushed. */
  total(): number;
  /** The last min(total, capacity) bytes, oldest first (a copy). */
  contents(): Buffer;
}

export function createByteRing(capacity: number): ByteRing {
  // Not zero-filled: only bytes written are ever read back (contents() stops at `total` until the ring is full),
  // and zero-filling up to 4 MiB per log touched every page of it for each command the loop runs.
  const buf = Buffer.allocUnsafeSlow(Math.max(0, Math.floor(capacity)));
  let pos = 0; // where the next byte goes; once full, also where the oldest byte is
  let total = 0;
  return {
    push(chunk) {
      total += chunk.length;
      if (buf.length === 0 || chunk.length === 0) return;
      if (chunk.length >= buf.length) {
        buf.set(chunk.subarray(chunk.length - buf.length), 0);
        pos = 0;
        return;
      }
      const first = Math.min(chunk.length, buf.length - pos);
      buf.set(chunk.subarray(0, first), pos);
      if (first < chunk.length) buf.set(chunk.subarray(first), 0);
      pos = (pos + chunk.length) % buf.length;
    },
    total: () => total,
    contents() {
      if (total < buf.length) return Buffer.from(buf.subarray(0, total));
      return Buffer.concat([buf.subarray(pos), buf.subarray(0, pos)]);
    },
  };
}
