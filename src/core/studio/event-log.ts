// Numbered pushes with a bounded memory of the recent ones, so a client that reconnects can ask for
// what it missed (eventsSince) and is told to take a fresh snapshot when it missed too much.
import type { StudioEvent, StudioEventBody } from '../../shared/api.js';

export interface EventLog {
  push(body: StudioEventBody): StudioEvent;
  since(seq: number): { events: StudioEvent[]; complete: boolean };
  readonly seq: number;
  subscribe(listener: (e: StudioEvent) => void): () => void;
}

export function createEventLog(capacity = 5000): EventLog {
  const buffer: StudioEvent[] = [];
  const listeners = new Set<(e: StudioEvent) => void>();
  let seq = 0;
  return {
    push(body) {
      seq += 1;
      const event = { ...body, seq } as StudioEvent;
      buffer.push(event);
      if (buffer.length > capacity) buffer.splice(0, buffer.length - capacity);
      for (const l of listeners) {
        try {
          l(event);
        } catch {
          // One broken subscriber (a closed socket) must not starve the others.
        }
      }
      return event;
    },
    since(from) {
      if (from >= seq) return { events: [], complete: true };
      const oldest = buffer[0]?.seq ?? seq + 1;
      if (from + 1 < oldest) return { events: [], complete: false };
      return { events: buffer.filter((e) => e.seq > from), complete: true };
    },
    get seq() {
      return seq;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
