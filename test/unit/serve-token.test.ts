// The serve token in the page: taken from the printed URL's query or fragment into sessionStorage, and out of
// the address bar; a reload finds it in storage. No cookie is involved anywhere.
import { describe, expect, it } from 'vitest';
import { takeServeToken } from '../../src/renderer/api/serve-token.js';

function page(search: string, hash: string) {
  const store = new Map<string, string>();
  const replaced: string[] = [];
  const location = { pathname: '/', search, hash };
  return {
    replaced,
    store,
    location,
    history: { state: null, replaceState: (_s: unknown, _t: string, url: string) => void replaced.push(url) },
    sessionStorage: { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) },
  };
}

describe('takeServeToken', () => {
  it('takes it from the query, keeps the route fragment, and leaves the address bar clean', () => {
    const p = page('?token=abc&x=1', '#/history');
    expect(takeServeToken(p)).toBe('abc');
    expect(p.replaced).toEqual(['/?x=1#/history']);
    expect([...p.store.values()]).toEqual(['abc']);
  });

  it('takes it from a #token= fragment, which never reaches a server', () => {
    const p = page('', '#token=frag');
    expect(takeServeToken(p)).toBe('frag');
    expect(p.replaced).toEqual(['/']);
  });

  it('after a reload (no token in the URL) reads it from sessionStorage; without one, null', () => {
    const p = page('', '#/run');
    expect(takeServeToken(p)).toBeNull();
    p.store.set('autoresearch.serveToken', 'kept');
    expect(takeServeToken(p)).toBe('kept');
    expect(p.replaced).toEqual([]);
  });
});
