// The JSON messages of the WebSocket transport (`autoresearch serve`). The protocol itself is described
// at the top of src/cli/serve/protocol.ts; these are the shapes both ends import.
import { z } from 'zod';
import type { ApiErrorPayload, ApiMethod, StudioEvent } from './api.js';

/** Path of the WebSocket endpoint on the serve origin. */
export const WS_PATH = '/ws';
/** Query parameter that carries the access token (page URL and WebSocket URL). */
export const TOKEN_PARAM = 'token';

/** Client → server: one Api call. `id` is chosen by the client and echoed in the response. */
export interface WsRequest {
  readonly id: number;
  readonly method: ApiMethod;
  readonly args: unknown;
}

/** Server → client: the answer to one request. */
export type WsResponse =
  | { readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly id: number; readonly ok: false; readonly error: ApiErrorPayload };

/** Server → client: a StudioEvent, pushed as it happens. */
export interface WsPush {
  readonly event: StudioEvent;
}

export type WsServerMessage = WsResponse | WsPush;

/** The envelope check the server applies before anything else (the args are checked per method later). */
export const WsRequestSchema = z
  .object({
    id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    method: z.string().min(1).max(64),
    args: z.unknown().optional(),
  })
  .strict();

export function isWsPush(message: WsServerMessage): message is WsPush {
  return typeof message === 'object' && message !== null && 'event' in message;
}
