// The WebSocket protocol of `autoresearch serve`.
//
// Transport: one WebSocket at ws://127.0.0.1:PORT/ws on the same origin as the page. The upgrade is
// authorised (see auth.ts) by the token in its `token` query parameter (the page keeps it in sessionStorage;
// no cookie exists, since a cookie would go to every port of 127.0.0.1), a Host of 127.0.0.1:PORT or
// localhost:PORT, and an Origin (browsers always send one on upgrades) equal to the page's origin. Every Api
// call travels on that authorised socket.
//
// Messages are JSON text frames; the shapes live in src/shared/ws-protocol.ts.
//   client → server  {id, method, args}              one Api call; id is the client's, > 0, unique per socket
//   server → client  {id, ok: true, result}           the call's result
//                    {id, ok: false, error}           error = ApiErrorPayload {message, code, fieldErrors?};
//                                                     a frame that is not a valid request is answered with
//                                                     id 0 (or its id when it had one) and code 'invalid-args'
//   server → client  {event}                          a StudioEvent push (each carries a seq)
// Calls run concurrently and may be answered out of order. Pushes are sent to every open socket in seq
// order. A client that reconnects asks eventsSince({seq: lastSeqSeen}); complete=false means the server
// no longer holds events that old and the client takes a new snapshot. A client that reads too slowly
// (its send buffer passes MAX_BUFFERED_BYTES) is disconnected with code 1013 and catches up the same way,
// so pushes are never silently dropped.
import type { ApiMethod } from '../../shared/api.js';
import { dispatchApiCall } from '../../shared/dispatch.js';
import type { WsResponse } from '../../shared/ws-protocol.js';
import { WsRequestSchema } from '../../shared/ws-protocol.js';
import type { Studio } from '../../core/studio/studio.js';

/** Largest frame accepted from a client (a pasted log for testMetric may be ~10 MB). */
export const MAX_MESSAGE_BYTES = 32 * 1024 * 1024;
/** A socket whose unsent pushes exceed this is closed so it reconnects and catches up. */
export const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;
export const CLOSE_TOO_SLOW = 1013;

/** One incoming text frame → the response to send. */
export async function handleFrame(studio: Pick<Studio, 'api'>, frame: string): Promise<WsResponse> {
  let raw: unknown;
  try {
    raw = JSON.parse(frame);
  } catch {
    return { id: 0, ok: false, error: { code: 'invalid-args', message: 'The message is not JSON; send {"id": 1, "method": "snapshot", "args": {}}' } };
  }
  const envelope = WsRequestSchema.safeParse(raw);
  if (!envelope.success) {
    const id = typeof (raw as { id?: unknown })?.id === 'number' && Number.isSafeInteger((raw as { id: number }).id) ? (raw as { id: number }).id : 0;
    const detail = envelope.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message)).join('; ');
    return { id, ok: false, error: { code: 'invalid-args', message: `Not a valid request (${detail}); send {"id", "method", "args"}` } };
  }
  const { id, method, args } = envelope.data;
  const outcome = await dispatchApiCall(studio.api, method as ApiMethod, args);
  return outcome.ok ? { id, ok: true, result: outcome.result } : { id, ok: false, error: outcome.error };
}
