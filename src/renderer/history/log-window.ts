// The arithmetic of the log viewer's virtual scrolling. A 100 MB log can have millions of lines, more
// than a browser can give one element in pixels, so past MAX_SCROLL_PX the scrollbar maps to lines
// proportionally instead of one row per 18 px. Pages of lines are fetched on demand and kept in a small
// LRU cache.

export const LOG_ROW_PX = 18;
/** Well below the ~16.7M px some browsers cap an element at. */
export const MAX_SCROLL_PX = 8_000_000;
export const LOG_PAGE_LINES = 1000;

export function contentHeight(totalLines: number, row = LOG_ROW_PX): number {
  return Math.min(totalLines * row, MAX_SCROLL_PX);
}

function isScaled(totalLines: number, row: number): boolean {
  return totalLines * row > MAX_SCROLL_PX;
}

/** The (fractional) line at the top of the viewport for a scroll position. */
export function firstLineAt(scrollTop: number, viewportPx: number, totalLines: number, row = LOG_ROW_PX): number {
  if (totalLines <= 0) return 0;
  const visible = viewportPx / row;
  const maxFirst = Math.max(0, totalLines - visible);
  if (!isScaled(totalLines, row)) return Math.min(maxFirst, Math.max(0, scrollTop / row));
  const range = Math.max(1, contentHeight(totalLines, row) - viewportPx);
  return Math.min(maxFirst, Math.max(0, (scrollTop / range) * maxFirst));
}

/** The scroll position that puts `line` at the top of the viewport (clamped to the end). */
export function scrollTopForLine(line: number, viewportPx: number, totalLines: number, row = LOG_ROW_PX): number {
  const visible = viewportPx / row;
  const maxFirst = Math.max(0, totalLines - visible);
  const first = Math.min(maxFirst, Math.max(0, line));
  if (!isScaled(totalLines, row)) return first * row;
  const range = Math.max(1, contentHeight(totalLines, row) - viewportPx);
  return maxFirst === 0 ? 0 : (first / maxFirst) * range;
}

/** Pixel offset (inside the scroll content) of a line's row, given the current scroll position. */
export function rowTop(line: number, scrollTop: number, firstLine: number, row = LOG_ROW_PX): number {
  return scrollTop + (line - firstLine) * row;
}

/** Page numbers covering lines [from, to). */
export function pagesFor(from: number, to: number, pageLines = LOG_PAGE_LINES): readonly number[] {
  if (to <= from) return [];
  const first = Math.floor(Math.max(0, from) / pageLines);
  const last = Math.floor((to - 1) / pageLines);
  const pages: number[] = [];
  for (let p = first; p <= last; p++) pages.push(p);
  return pages;
}

/** Insert or refresh a cache entry and evict the least recently used beyond `max`. Mutates `cache`. */
export function lruSet<K, V>(cache: Map<K, V>, key: K, value: V, max: number): void {
  cache.delete(key);
  cache.set(key, value);
  while (cache.size > max) {
    const oldest = cache.keys().next().value as K;
    cache.delete(oldest);
  }
}

/** Read an entry and mark it recently used. */
export function lruGet<K, V>(cache: Map<K, V>, key: K): V | undefined {
  const v = cache.get(key);
  if (v !== undefined) {
    cache.delete(key);
    cache.set(key, v);
  }
  return v;
}
