// The full log of an experiment, virtualized: only the lines on screen exist in the DOM and only their
// pages are fetched (readLogLines), so a 100 MB log opens as fast as a small one. Lines are shown as a
// terminal would (\r progress rewrites collapse to their final text). It follows a growing log while the
// view sits at the bottom, jumps to a line or the end, and searches forward/backward page by page.
import { useCallback, useEffect, useLayoutEffect, useReducer, useRef, useState, type JSX } from 'react';
import type { LogInfo } from '../../shared/api.js';
import { useApi, useStudioEvent } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';
import { formatBytes } from '../components/format.js';
import { renderTerminalLine } from '../run/terminal.js';
import { LOG_PAGE_LINES, LOG_ROW_PX, contentHeight, firstLineAt, lruGet, lruSet, pagesFor, rowTop, scrollTopForLine } from './log-window.js';

const MAX_PAGES = 48;
const SEARCH_CHUNK = 5000;
const OVERSCAN = 20;

export interface LogViewerProps {
  readonly tag: string;
  readonly id: number;
  /** 0 = the first run; confirmation runs are 1, 2, ... */
  readonly run?: number;
  /** The experiment is still running: poll for growth. */
  readonly live?: boolean;
  readonly height?: number | string;
}

type InfoState = { readonly state: 'loading' } | { readonly state: 'ready'; readonly info: LogInfo } | { readonly state: 'error'; readonly error: string };

export function LogViewer(props: LogViewerProps): JSX.Element {
  const { tag, id } = props;
  const run = props.run ?? 0;
  const api = useApi();
  const [infoState, setInfoState] = useState<InfoState>({ state: 'loading' });
  const total = infoState.state === 'ready' ? infoState.info.lines : 0;
  const growing = infoState.state === 'ready' && (infoState.info.growing || !!props.live);
  const scrollRef = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(400);
  const cache = useRef(new Map<number, readonly string[]>());
  const pending = useRef(new Set<number>());
  const [, bump] = useReducer((n: number) => n + 1, 0);
  const [follow, setFollow] = useState(true);
  const [hitLine, setHitLine] = useState<number | null>(null);
  const [query, setQuery] = useState('');
  const [search, setSearch] = useState<{ readonly at: number; readonly message: string } | null>(null);
  const searchToken = useRef(0);
  const [gotoText, setGotoText] = useState('');
  const [fetchError, setFetchError] = useState<string | null>(null);
  const totalRef = useRef(0);
  totalRef.current = total;

  const refreshInfo = useCallback(async () => {
    try {
      const info = await api.logInfo({ tag, id, run });
      setInfoState((prev) => {
        if (prev.state === 'ready' && (prev.info.lines !== info.lines || prev.info.bytes !== info.bytes)) {
          // The log grew: its last page (and its last line, still being written, e.g. a \r progress
          // line) is stale. Fetch it again.
          const from = Math.floor(Math.max(0, prev.info.lines - 1) / LOG_PAGE_LINES);
          for (const p of [...cache.current.keys()]) if (p >= from) cache.current.delete(p);
        }
        return { state: 'ready', info };
      });
    } catch (err) {
      setInfoState((prev) => (prev.state === 'ready' ? prev : { state: 'error', error: (err as Error)?.message ?? String(err) }));
    }
  }, [api, tag, id, run]);

  useEffect(() => {
    cache.current.clear();
    pending.current.clear();
    setInfoState({ state: 'loading' });
    setFollow(true);
    setHitLine(null);
    void refreshInfo();
  }, [refreshInfo]);

  // A growing log: refresh on each pushed batch for this experiment (≤ 4/s), and slowly as a fallback.
  const lastPush = useRef(0);
  useStudioEvent((e) => {
    if (!growing || e.type !== 'log' || e.tag !== tag || e.id !== id) return;
    const now = Date.now();
    if (now - lastPush.current < 500) return;
    lastPush.current = now;
    void refreshInfo();
  });
  useEffect(() => {
    if (!growing) return;
    const t = setInterval(() => void refreshInfo(), 3000);
    return () => clearInterval(t);
  }, [growing, refreshInfo]);

  // Viewport size.
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, [infoState.state]);

  // Follow: stay at the end while the log grows (opening a log starts at its end, where results are).
  useLayoutEffect(() => {
    const el = scrollRef.current;
    if (!el || !follow || total === 0) return;
    el.scrollTop = el.scrollHeight;
    setScrollTop(el.scrollTop);
  }, [follow, total, viewport]);

  const first = firstLineAt(scrollTop, viewport, total);
  const from = Math.max(0, Math.floor(first) - OVERSCAN);
  const to = Math.min(total, Math.ceil(first + viewport / LOG_ROW_PX) + OVERSCAN);

  // Fetch the pages on screen that are not cached yet.
  useEffect(() => {
    if (infoState.state !== 'ready') return;
    for (const page of pagesFor(from, to)) {
      if (cache.current.has(page) || pending.current.has(page)) continue;
      pending.current.add(page);
      const start = page * LOG_PAGE_LINES;
      api
        .readLogLines({ tag, id, run, start, count: LOG_PAGE_LINES })
        .then((res) => {
          lruSet(cache.current, page, res.lines.map(renderTerminalLine), MAX_PAGES);
          setFetchError(null);
          if (res.totalLines > totalRef.current) void refreshInfo();
        })
        .catch((err: unknown) => setFetchError((err as Error)?.message ?? String(err)))
        .finally(() => {
          pending.current.delete(page);
          bump();
        });
    }
  }, [api, tag, id, run, from, to, infoState, refreshInfo]);

  const onScroll = () => {
    const el = scrollRef.current;
    if (!el) return;
    setScrollTop(el.scrollTop);
    const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - LOG_ROW_PX * 1.5;
    setFollow(atEnd);
  };

  const jumpTo = useCallback(
    (line: number, highlight: boolean) => {
      const el = scrollRef.current;
      if (!el) return;
      const target = Math.max(0, Math.min(totalRef.current - 1, line));
      // Put the line a third of the way down so some context above it shows.
      const top = scrollTopForLine(target - Math.floor(el.clientHeight / LOG_ROW_PX / 3), el.clientHeight, totalRef.current);
      el.scrollTop = top;
      setScrollTop(el.scrollTop);
      setFollow(false);
      if (highlight) setHitLine(target);
    },
    [],
  );

  const jumpToEnd = () => {
    setFollow(true);
    const el = scrollRef.current;
    if (el) {
      el.scrollTop = el.scrollHeight;
      setScrollTop(el.scrollTop);
    }
  };

  const runSearch = async (direction: 1 | -1) => {
    const needle = query.trim().toLowerCase();
    if (!needle || totalRef.current === 0) return;
    const token = ++searchToken.current;
    const n = totalRef.current;
    const startLine = hitLine !== null ? hitLine + direction : direction === 1 ? Math.floor(first) : Math.ceil(first + viewport / LOG_ROW_PX) - 1;
    let scanned = 0;
    let pos = ((startLine % n) + n) % n;
    while (scanned < n) {
      if (token !== searchToken.current) return;
      const chunkStart = direction === 1 ? pos : Math.max(0, pos - SEARCH_CHUNK + 1);
      const count = direction === 1 ? Math.min(SEARCH_CHUNK, n - pos) : pos - chunkStart + 1;
      setSearch({ at: pos, message: `Searching… line ${(pos + 1).toLocaleString()} of ${n.toLocaleString()}` });
      let lines: readonly string[];
      try {
        lines = (await api.readLogLines({ tag, id, run, start: chunkStart, count })).lines;
      } catch (err) {
        setSearch({ at: pos, message: `Search stopped: ${(err as Error)?.message ?? String(err)}` });
        return;
      }
      if (token !== searchToken.current) return;
      const order = direction === 1 ? lines.map((_, i) => i) : lines.map((_, i) => lines.length - 1 - i);
      for (const i of order) {
        if (renderTerminalLine(lines[i]!).toLowerCase().includes(needle) || lines[i]!.toLowerCase().includes(needle)) {
          const found = chunkStart + i;
          setSearch({ at: found, message: `Line ${(found + 1).toLocaleString()}` });
          jumpTo(found, true);
          return;
        }
      }
      scanned += lines.length || count;
      pos = direction === 1 ? (chunkStart + count) % n : (chunkStart - 1 + n) % n;
    }
    setSearch({ at: pos, message: `“${query.trim()}” is not in this log.` });
  };

  if (infoState.state === 'loading') {
    return (
      <div className="pad" data-testid="log-loading">
        <Spinner label="Opening the log" />
      </div>
    );
  }
  if (infoState.state === 'error') {
    return (
      <div className="banner error" data-testid="log-error">
        <div className="grow">Could not open the log: {infoState.error}</div>
        <Button size="small" onClick={() => void refreshInfo()}>
          Try again
        </Button>
      </div>
    );
  }

  const info = infoState.info;
  const gutter = `${String(total).length + 2}ch`;
  const rows: JSX.Element[] = [];
  for (let line = from; line < to; line++) {
    const page = lruGet(cache.current, Math.floor(line / LOG_PAGE_LINES));
    const text = page ? page[line % LOG_PAGE_LINES] : undefined;
    rows.push(
      <div
        key={line}
        className={`log-line${line === hitLine ? ' hit' : ''}${text === undefined ? ' pending' : ''}`}
        style={{ top: rowTop(line, scrollTop, first) }}
        data-line={line + 1}
      >
        <span className="ln" style={{ width: gutter }}>
          {line + 1}
        </span>
        <span className="txt">{text ?? '…'}</span>
      </div>,
    );
  }

  return (
    <div className="log-viewer" data-testid="log-viewer" data-total-lines={total} data-growing={growing ? 'true' : 'false'}>
      <div className="toolbar pad-sm">
        <input
          type="search"
          placeholder="Find in log"
          value={query}
          onChange={(e) => {
            setQuery(e.target.value);
            setHitLine(null);
            searchToken.current += 1;
            setSearch(null);
          }}
          onKeyDown={(e) => {
            if (e.key === 'Enter') void runSearch(e.shiftKey ? -1 : 1);
            if (e.key === 'Escape') {
              searchToken.current += 1;
              setSearch(null);
            }
          }}
          data-testid="log-search"
          aria-label="Find in log"
        />
        <Button size="small" onClick={() => void runSearch(-1)} disabledReason={query.trim() ? null : 'Type something to find'} title="Previous match (Shift+Enter)">
          ↑
        </Button>
        <Button size="small" onClick={() => void runSearch(1)} disabledReason={query.trim() ? null : 'Type something to find'} title="Next match (Enter)" data-testid="log-find-next">
          ↓
        </Button>
        {search ? (
          <span className="muted" data-testid="log-search-status">
            {search.message}
          </span>
        ) : null}
        <div className="grow" />
        <input
          type="text"
          inputMode="numeric"
          placeholder="Go to line"
          value={gotoText}
          style={{ width: 100 }}
          onChange={(e) => setGotoText(e.target.value.replace(/[^0-9]/g, ''))}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && gotoText) jumpTo(Number(gotoText) - 1, true);
          }}
          data-testid="log-goto"
          aria-label="Go to line"
        />
        <Button size="small" onClick={() => jumpTo(0, false)} data-testid="log-top">
          Top
        </Button>
        <Button size="small" onClick={jumpToEnd} data-testid="log-end" variant={follow ? 'default' : 'primary'}>
          {growing ? (follow ? 'Following' : 'Follow') : 'End'}
        </Button>
      </div>
      <div className="log-scroll" ref={scrollRef} onScroll={onScroll} style={{ height: props.height ?? 'max(300px, calc(100vh - 330px))' }} tabIndex={0} data-testid="log-scroll">
        <div style={{ height: contentHeight(total), position: 'relative' }}>{rows}</div>
        {total === 0 ? <div className="muted pad">The log is empty{growing ? ' so far' : ''}.</div> : null}
      </div>
      <div className="log-status">
        <span data-testid="log-lines">
          {total.toLocaleString()} {total === 1 ? 'line' : 'lines'}
        </span>
        <span>{formatBytes(info.bytes)}</span>
        <span className="mono grow" title={info.path}>
          {info.path}
        </span>
        {growing ? <span className="good-text">● live</span> : null}
        {fetchError ? <span className="error-text">Could not read part of the log: {fetchError}</span> : null}
      </div>
    </div>
  );
}
