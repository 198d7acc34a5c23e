// Who may talk to `autoresearch serve`: someone who has the token printed in the URL, through a Host
// name that is this loopback server (defeats DNS rebinding), from a page of this origin (defeats other
// sites' pages reaching a server on localhost).
//
// No cookie: browsers send a cookie to every port of a host, so one for 127.0.0.1 would reach any other
// local server. The token lives in the page (sessionStorage) and goes with the WebSocket handshake, which is
// where the Api is. The page and its assets are the app's own code and hold nothing of the user's, so they
// are served without the token (a module script cannot carry one), still only to this Host and Origin.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { TOKEN_PARAM } from '../../shared/ws-protocol.js';

/** 256 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first keeps the time independent of the lengths too. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

export type AuthResult =
  | { readonly ok: true; readonly via: 'query' | 'none' }
  | { readonly ok: false; readonly status: 400 | 401 | 403 | 421; readonly message: string };

/**
 * The path and query of a request target. Only the origin form (`/ws?token=…`) is accepted: an absolute
 * form (`http://a:b/ws`) or anything else URL parsing would choke on is answered 400, never thrown.
 */
export function requestTarget(target: string | undefined): URL | null {
  const t = target ?? '/';
  if (!t.startsWith('/') || t.startsWith('//')) return null;
  try {
    return new URL(t, 'http://127.0.0.1');
  } catch {
    return null;
  }
}

export interface AuthPolicy {
  readonly token: string;
  readonly port: number;
}

export function allowedHosts(port: number): readonly string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`];
}

/**
 * Check one request. `need`: 'token' for the WebSocket upgrade (the Api), 'page' for the page and its assets,
 * which need no token, though a wrong one is still refused (the user opened a stale URL and should know).
 * A cookie is never read: an old one from before this change gives nothing.
 */
export function authorize(req: Pick<IncomingMessage, 'headers' | 'url'>, policy: AuthPolicy, need: 'token' | 'page' = 'token'): AuthResult {
  const hosts = allowedHosts(policy.port);
  const host = (req.headers.host ?? '').toLowerCase();
  if (!hosts.includes(host)) {
    return {
      ok: false,
      status: 421,
      message: `This server answers only to ${hosts.join(' or ')} (got Host: ${host || 'none'}). Open the URL that \`autoresearch serve\` printed; through an SSH tunnel, forward the same port number.`,
    };
  }
  const origin = req.headers.origin;
  if (origin !== undefined && !hosts.some((h) => origin.toLowerCase() === `http://${h}`)) {
    return { ok: false, status: 403, message: `Requests from ${origin} are refused; only pages served by this server may call it.` };
  }
  const url = requestTarget(req.url);
  if (!url) return { ok: false, status: 400, message: 'Bad request target; ask for a path such as /.' };
  const fromQuery = url.searchParams.get(TOKEN_PARAM);
  if (fromQuery !== null) {
    if (tokensEqual(fromQuery, policy.token)) return { ok: true, via: 'query' };
    return { ok: false, status: 401, message: 'Wrong token. Open the exact URL that `autoresearch serve` printed (it ends with ?token=...).' };
  }
  if (need === 'page') return { ok: true, via: 'none' };
  return { ok: false, status: 401, message: 'A token is required. Open the exact URL that `autoresearch serve` printed (it ends with ?token=...).' };
}
