// The Api over a WebSocket (`autoresearch serve`). One socket; requests carry an id and are answered
// out of order; pushes carry a StudioEvent. When the socket drops it reconnects with backoff; the store
// (store/studio.ts) then asks eventsSince(lastSeq) so nothing pushed in between is lost.
import { API_METHODS, ApiError, parseApiArgs, type Api, type ApiClient, type ApiMethod, type StudioEvent } from '../../shared/api.js';
import { isWsPush, type WsRequest, type WsServerMessage } from '../../shared/ws-protocol.js';

/** The part of the browser WebSocket this client uses (the `ws` package's client fits it too, for tests). */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface WsClientOptions {
  readonly url: string;
  readonly createSocket?: (url: string) => SocketLike;
  /** First reconnect delay; doubles up to maxBackoffMs. */
  readonly initialBackoffMs?: number;
  readonly maxBackoffMs?: number;
}

export interface WsClient extends ApiClient {
  readonly onConnection: (listener: (connected: boolean) => void) => () => void;
  isConnected(): boolean;
  /** Close for good (no reconnect); pending calls fail. */
  close(): void;
}

const OPEN = 1;

interface Pending {
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: Error) => void;
}

export function createWsClient(options: WsClientOptions): WsClient {
  const createSocket = options.createSocket ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
  const initialBackoff = options.initialBackoffMs ?? 250;
  const maxBackoff = options.maxBackoffMs ?? 5_000;
  const eventListeners = new Set<(event: StudioEvent) => void>();
  const connectionListeners = new Set<(connected: boolean) => void>();
  // Sent but not answered: they fail when the socket drops, because a resend could run a call twice.
  const inFlight = new Map<number, Pending>();
  // Made while disconnected: sent as soon as the socket opens.
  const queue: { request: WsRequest; pending: Pending }[] = [];
  let nextId = 1;
  let socket: SocketLike | null = null;
  let connected = false;
  let closed = false;
  let backoff = initialBackoff;
  let timer: ReturnType<typeof setTimeout> | null = null;

  function setConnected(value: boolean): void {
    if (connected === value) return;
    connected = value;
    for (const l of [...connectionListeners]) l(value);
  }

  function connect(): void {
    if (closed) return;
    let s: SocketLike;
    try {
      s = createSocket(options.url);
    } catch {
      scheduleReconnect();
      return;
    }
    socket = s;
    s.onopen = () => {
      backoff = initialBackoff;
      setConnected(true);
      for (const item of queue.splice(0)) send(item.request, item.pending);
    };
    s.onmessage = (ev) => handleMessage(ev.data);
    s.onerror = () => undefined; // onclose follows and does the work
    s.onclose = () => {
      if (socket !== s) return;
      socket = null;
      const lost = [...inFlight.values()];
      inFlight.clear();
      for (const p of lost) {
        p.reject(new ApiError({ code: 'failed', message: 'The connection to Autoresearch Studio was lost before it answered. Check the result, then try again.' }));
      }
      setConnected(false);
      scheduleReconnect();
    };
  }

  function scheduleReconnect(): void {
    if (closed || timer) return;
    // Jitter keeps several tabs from reconnecting in lockstep after the server restarts.
    const delay = Math.min(maxBackoff, backoff) * (0.75 + Math.random() * 0.5);
    backoff = Math.min(maxBackoff, backoff * 2);
    timer = setTimeout(() => {
      timer = null;
      connect();
    }, delay);
  }

  function handleMessage(data: unknown): void {
    let message: WsServerMessage;
    try {
      message = JSON.parse(typeof data === 'string' ? data : String(data)) as WsServerMessage;
    } catch {
      return; // not ours; the server only sends JSON
    }
    if (isWsPush(message)) {
      const e = message.event as Partial<StudioEvent> | null;
      if (!e || typeof e.seq !== 'number' || typeof e.type !== 'string') return; // not an event: ignore rather than corrupt the store
      for (const l of [...eventListeners]) l(message.event);
      return;
    }
    const pending = inFlight.get(message.id);
    if (!pending) return;
    inFlight.delete(message.id);
    if (message.ok) pending.resolve(message.result);
    else pending.reject(new ApiError(message.error));
  }

  function send(request: WsRequest, pending: Pending): void {
    if (!socket || socket.readyState !== OPEN) {
      queue.push({ request, pending });
      return;
    }
    inFlight.set(request.id, pending);
    try {
      socket.send(JSON.stringify(request));
    } catch (err) {
      inFlight.delete(request.id);
      pending.reject(new ApiError({ code: 'failed', message: `Could not send the request: ${(err as Error).message}` }));
    }
  }

  function call(method: ApiMethod, args: unknown): Promise<unknown> {
    if (closed) return Promise.reject(new ApiError({ code: 'failed', message: 'The connection is closed. Reload the page.' }));
    try {
      // The same schema the server applies: a bad call fails at once, with the same message, and never travels.
      parseApiArgs(method, args);
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise((resolve, reject) => send({ id: nextId++, method, args: args ?? {} }, { resolve, reject }));
  }

  const api = Object.fromEntries(API_METHODS.map((m) => [m, (args: unknown) => call(m, args)])) as unknown as Api;

  connect();

  return {
    api,
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection(listener) {
      connectionListeners.add(listener);
      return () => connectionListeners.delete(listener);
    },
    isConnected: () => connected,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = null;
      const s = socket;
      socket = null;
      s?.close(1000, 'client closed');
      const failed = [...inFlight.values(), ...queue.splice(0).map((q) => q.pending)];
      inFlight.clear();
      for (const p of failed) p.reject(new ApiError({ code: 'failed', message: 'The connection was closed.' }));
      setConnected(false);
    },
  };
}
