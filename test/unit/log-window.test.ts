import { describe, expect, it } from 'vitest';
import { LOG_ROW_PX, MAX_SCROLL_PX, contentHeight, firstLineAt, lruGet, lruSet, pagesFor, rowTop, scrollTopForLine } from '../../src/renderer/history/log-window.js';

describe('log viewer window', () => {
  it('maps one row per 18 px for ordinary logs', () => {
    expect(contentHeight(1000)).toBe(18_000);
    expect(firstLineAt(180, 360, 1000)).toBe(10);
    expect(scrollTopForLine(10, 360, 1000)).toBe(180);
    // Never past the last screenful.
    expect(firstLineAt(1e9, 360, 1000)).toBe(1000 - 20);
  });

  it('scales the scrollbar for millions of lines, reaching both ends exactly', () => {
    const total = 5_000_000;
    const view = 540;
    expect(contentHeight(total)).toBe(MAX_SCROLL_PX);
    expect(firstLineAt(0, view, total)).toBe(0);
    const end = MAX_SCROLL_PX - view;
    expect(firstLineAt(end, view, total)).toBeCloseTo(total - view / LOG_ROW_PX, 6);
    // Round trip: the scroll position for a line shows that line at the top.
    for (const line of [1, 12_345, 2_500_000, 4_999_000]) {
      const top = scrollTopForLine(line, view, total);
      expect(firstLineAt(top, view, total)).toBeCloseTo(line, 3);
    }
  });

  it('positions rows relative to the scroll position so scaled scrolling still shows whole rows', () => {
    expect(rowTop(105, 1000, 100.5)).toBe(1000 + 4.5 * 18);
  });

  it('lists the pages covering a range of lines', () => {
    expect(pagesFor(0, 1, 1000)).toEqual([0]);
    expect(pagesFor(950, 1050, 1000)).toEqual([0, 1]);
    expect(pagesFor(3000, 3000, 1000)).toEqual([]);
  });

  it('evicts the least recently used page first', () => {
    const cache = new Map<number, string>();
    lruSet(cache, 1, 'a', 2);
    lruSet(cache, 2, 'b', 2);
    expect(lruGet(cache, 1)).toBe('a'); // 1 is now the most recent
    lruSet(cache, 3, 'c', 2);
    expect([...cache.keys()].sort()).toEqual([1, 3]);
  });
});
