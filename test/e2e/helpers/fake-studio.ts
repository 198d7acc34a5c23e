// A small stand-in for the engine's Studio, for transport tests (the WebSocket server, the preload
// bridge, the IPC handler): every Api method records its call and answers from `handlers`, or fails
// with ApiError('failed', 'fake: <method> not implemented'). emit() pushes a StudioEvent with the next seq.
import { API_METHODS, ApiError, type Api, type ApiMethod, type Snapshot, type StudioEvent, type StudioEventBody } from '../../../src/shared/api.js';
import type { Studio } from '../../../src/core/studio/studio.js';

export type FakeHandlers = Partial<Record<ApiMethod, (args: any) => unknown>>;

export interface FakeStudio extends Studio {
  readonly calls: { method: ApiMethod; args: unknown }[];
  /** Push an event to every listener; returns it with its seq. */
  emit(body: StudioEventBody): StudioEvent;
  readonly events: StudioEvent[];
  disposed: boolean;
  running: boolean;
  listenerCount(): number;
}

export function fakeSnapshot(seq = 0): Snapshot {
  return {
    seq,
    app: { version: '0.0.0-test', host: 'serve', platform: 'linux' },
    project: null,
    runs: [],
    live: null,
    gpus: [],
    recentProjects: [],
    apiKey: { set: false, source: null, warning: null, endpoint: { host: 'api.anthropic.com', error: null } },
  };
}

export function createFakeStudio(handlers: FakeHandlers = {}): FakeStudio {
  const listeners = new Set<(e: StudioEvent) => void>();
  const events: StudioEvent[] = [];
  const calls: { method: ApiMethod; args: unknown }[] = [];
  const defaults: FakeHandlers = {
    snapshot: () => fakeSnapshot(events.at(-1)?.seq ?? 0),
    eventsSince: ({ seq }: { seq: number }) => ({ events: events.filter((e) => e.seq > seq), complete: true }),
  };
  const api = Object.fromEntries(
    API_METHODS.map((method) => [
      method,
      async (args: unknown) => {
        calls.push({ method, args });
        const h = handlers[method] ?? defaults[method];
        if (!h) throw new ApiError({ code: 'failed', message: `fake: ${method} not implemented` });
        return h(args);
      },
    ]),
  ) as unknown as Api;
  const studio: FakeStudio = {
    api,
    calls,
    events,
    disposed: false,
    running: false,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    isRunning: () => studio.running,
    async dispose() {
      studio.disposed = true;
    },
    emit(body) {
      const event = { ...body, seq: (events.at(-1)?.seq ?? 0) + 1 } as StudioEvent;
      events.push(event);
      for (const l of [...listeners]) l(event);
      return event;
    },
    listenerCount: () => listeners.size,
  };
  return studio;
}
