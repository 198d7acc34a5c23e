// The token of `autoresearch serve` in the page. It arrives in the URL the server printed (?token=…); the
// page keeps it in sessionStorage (this tab only) for the WebSocket and takes it out of the address bar at
// once, so it does not end up in the history, a bookmark, a screenshot or a shared link. Reloads and assets
// authenticate with the server's HttpOnly cookie, whose name carries the port.
import { TOKEN_PARAM } from '../../shared/ws-protocol.js';

const STORAGE_KEY = 'autoresearch.serveToken';

interface PageLike {
  readonly location: Pick<Location, 'pathname' | 'search' | 'hash'>;
  readonly history: Pick<History, 'replaceState' | 'state'>;
  readonly sessionStorage: Pick<Storage, 'getItem' | 'setItem'>;
}

/** Moves a token from the address bar into sessionStorage; returns the token the page should use, if any. */
export function takeServeToken(page: PageLike): string | null {
  const params = new URLSearchParams(page.location.search);
  const fromUrl = params.get(TOKEN_PARAM);
  if (fromUrl !== null) {
    try {
      page.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage may be disabled; the cookie still authenticates this tab.
    }
    params.delete(TOKEN_PARAM);
    const query = params.toString();
    page.history.replaceState(page.history.state, '', `${page.location.pathname}${query ? `?${query}` : ''}${page.location.hash}`);
    return fromUrl;
  }
  try {
    return page.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
