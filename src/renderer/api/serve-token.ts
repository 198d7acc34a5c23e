// The token of `autoresearch serve` in the page. It arrives in the URL the server printed (?token=…, or
// #token=… which never reaches any server); the page keeps it in sessionStorage (this tab only, and it
// survives a reload) for the WebSocket handshake, and takes it out of the address bar at once, so it does not
// end up in the history, a bookmark, a screenshot or a shared link. There is no cookie: browsers send cookies
// to every port of a host, so one would reach any other server on 127.0.0.1.
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
  const fragment = new URLSearchParams(page.location.hash.replace(/^#/, ''));
  const fromUrl = params.get(TOKEN_PARAM) ?? fragment.get(TOKEN_PARAM);
  if (fromUrl !== null) {
    try {
      page.sessionStorage.setItem(STORAGE_KEY, fromUrl);
    } catch {
      // Storage may be disabled: this load still works, a reload then needs the printed URL again.
    }
    params.delete(TOKEN_PARAM);
    const query = params.toString();
    const hash = fragment.has(TOKEN_PARAM) ? '' : page.location.hash;
    page.history.replaceState(page.history.state, '', `${page.location.pathname}${query ? `?${query}` : ''}${hash}`);
    return fromUrl;
  }
  try {
    return page.sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null;
  }
}
