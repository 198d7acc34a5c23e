// The one ApiClient of this page: window.api in the desktop app (the preload bridge), otherwise the
// WebSocket client of `autoresearch serve` on the same origin.
import { API_METHODS, ApiError, parseApiArgs, type Api, type ApiClient } from '../../shared/api.js';
import type { ApiBridge } from '../../shared/bridge.js';
import { TOKEN_PARAM, WS_PATH } from '../../shared/ws-protocol.js';
import { takeServeToken } from './serve-token.js';
import { createWsClient } from './ws-client.js';

declare global {
  interface Window {
    readonly api?: ApiBridge;
  }
}

let client: ApiClient | null = null;

export function getClient(): ApiClient {
  if (!client) client = window.api ? bridgeClient(window.api) : createWsClient({ url: wsUrl(window.location, takeServeToken(window)) });
  return client;
}

/** For tests and stories: use this client instead of picking one. */
export function setClient(next: ApiClient): void {
  client = next;
}

/** The preload bridge answers with result envelopes; turn them back into results and ApiErrors. */
export function bridgeClient(bridge: ApiBridge): ApiClient {
  const api = Object.fromEntries(
    API_METHODS.map((method) => [
      method,
      async (args: unknown) => {
        parseApiArgs(method, args); // fail fast with the schema's message; main checks again
        const reply = await (bridge[method] as (a: unknown) => Promise<unknown>)(args ?? {});
        if (!reply || typeof reply !== 'object' || !('ok' in reply)) {
          throw new ApiError({ code: 'failed', message: `The app answered ${method} with something unexpected` });
        }
        const r = reply as { ok: boolean; result?: unknown; error?: ConstructorParameters<typeof ApiError>[0] };
        if (r.ok) return r.result;
        throw new ApiError(r.error ?? { code: 'failed', message: `${method} failed` });
      },
    ]),
  ) as unknown as Api;
  return { api, onEvent: (listener) => bridge.onEvent(listener) };
}

/** ws://same-host/ws?token=... — the handshake carries the token (browsers cannot set headers on it; no cookie exists). */
export function wsUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>, token: string | null = new URLSearchParams(location.search).get(TOKEN_PARAM)): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${WS_PATH}${token ? `?${TOKEN_PARAM}=${encodeURIComponent(token)}` : ''}`;
}
