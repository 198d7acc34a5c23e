// Hash routes (#/setup, #/history/nov24/12). The hash keeps the page's query string intact
// and works the same from file:// in Electron and from `autoresearch serve`.
import { useSyncExternalStore } from 'react';

export type Route =
  | { view: 'start' }
  | { view: 'setup' }
  | { view: 'program' }
  | { view: 'run' }
  | { view: 'history'; tag?: string }
  | { view: 'experiment'; tag: string; id: number }
  | { view: 'compare'; tags: string[] }
  | { view: 'reports'; tag?: string };

const enc = encodeURIComponent;

export function routeHref(route: Route): string {
  switch (route.view) {
    case 'start':
    case 'setup':
    case 'program':
    case 'run':
      return `#/${route.view}`;
    case 'history':
      return route.tag ? `#/history/${enc(route.tag)}` : '#/history';
    case 'experiment':
      return `#/history/${enc(route.tag)}/${route.id}`;
    case 'compare':
      return `#/compare/${route.tags.map(enc).join(',')}`;
    case 'reports':
      return route.tag ? `#/reports/${enc(route.tag)}` : '#/reports';
  }
}

/** Parse a location hash; anything unknown is the start screen. */
export function parseRoute(hash: string): Route {
  const parts = hash
    .replace(/^#\/?/, '')
    .split('/')
    .filter(Boolean)
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        // A malformed %-escape in a typed URL: the segment as typed (the route then finds no such run).
        return p;
      }
    });
  const [view, a, b] = parts;
  switch (view) {
    case 'setup':
    case 'program':
    case 'run':
    case 'start':
      return { view };
    case 'history': {
      if (a && b !== undefined && /^\d+$/.test(b)) return { view: 'experiment', tag: a, id: Number(b) };
      return a ? { view: 'history', tag: a } : { view: 'history' };
    }
    case 'compare':
      return { view: 'compare', tags: (a ?? '').split(',').filter(Boolean) };
    case 'reports':
      return a ? { view: 'reports', tag: a } : { view: 'reports' };
    default:
      return { view: 'start' };
  }
}

export function navigate(route: Route): void {
  const href = routeHref(route);
  if (window.location.hash !== href) window.location.hash = href;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

const getHash = () => window.location.hash;

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, getHash, getHash);
  // parseRoute builds a new object; key it on the hash so consumers see a stable value per URL.
  return cachedParse(hash);
}

let lastHash: string | null = null;
let lastRoute: Route = { view: 'start' };
function cachedParse(hash: string): Route {
  if (hash !== lastHash) {
    lastHash = hash;
    lastRoute = parseRoute(hash);
  }
  return lastRoute;
}
