// Runs with all their experiments (getRun), cached per tag and kept current by pushes: an 'experiment'
// event replaces or appends one record, a 'runs' event refreshes the summary figures. Loaded on demand
// by whichever view needs a run (dashboard, history, detail, compare); a new snapshot reloads them.
import { useEffect } from 'react';
import { create } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { Api, RunDetail, StudioEvent } from '../../shared/api.js';
import { getClient } from '../api/client.js';
import { subscribeStudioEvents, useStudio } from '../store/studio.js';
import { applyRunEvent } from './run-merge.js';

export type RunEntry =
  | { readonly state: 'loading' }
  /**
   * `partial`: only the first page is in (shown at once); the rest follows, then pushes are applied. `loaded`
   * and `total` count the experiments fetched so far, for a progress bar where a view needs them all.
   */
  | { readonly state: 'ready'; readonly detail: RunDetail; readonly partial?: boolean; readonly loaded?: number; readonly total?: number }
  | { readonly state: 'error'; readonly error: string };

interface RunStoreState {
  readonly entries: Readonly<Record<string, RunEntry>>;
  /** snapshotVersion of the studio store each entry was loaded under. */
  readonly loadedAt: Readonly<Record<string, number>>;
}

export const useRunStore = create<RunStoreState>()(() => ({ entries: {}, loadedAt: {} }));

let subscribed = false;
function ensureSubscribed(): void {
  if (subscribed) return;
  subscribed = true;
  subscribeStudioEvents((event) => {
    if (event.type !== 'experiment' && event.type !== 'runs') return;
    const { entries } = useRunStore.getState();
    let changed = false;
    const next: Record<string, RunEntry> = { ...entries };
    for (const [tag, entry] of Object.entries(entries)) {
      if (entry.state === 'ready' && !entry.partial) {
        const detail = applyRunEvent(entry.detail, event);
        if (detail !== entry.detail) {
          next[tag] = { state: 'ready', detail };
          changed = true;
        }
      } else if (entry.state === 'loading' || entry.state === 'ready') {
        // Pushes that arrive while the pages load are applied once the run is in (else a row could stay
        // "running" after its experiment ended).
        const queue = pendingWhileLoading.get(tag) ?? [];
        queue.push(event);
        pendingWhileLoading.set(tag, queue);
      } else if (entry.state === 'error' && event.type === 'runs' && event.runs.some((r) => r.tag === tag)) {
        // A run that did not exist yet (just started) now does: try again.
        void loadRun(getClient().api, tag);
      }
    }
    if (changed) useRunStore.setState({ entries: next });
  });
}

const inFlight = new Map<string, Promise<void>>();
const pendingWhileLoading = new Map<string, StudioEvent[]>();

function nextTask(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Experiments per request: about 2 MB of JSON, parsed well within one 50 ms task. */
const PAGE = 2000;

/**
 * The whole run, fetched page by page: one 10 MB answer would be one long main-thread task (decoding and
 * JSON.parse of the WebSocket frame); pages keep every task short.
 */
async function fetchRunInPages(api: Api, tag: string, onFirstPage: (first: RunDetail, total: number) => void, onPage: (loaded: number) => void): Promise<RunDetail> {
  const first = await api.getRun({ tag, offset: 0, limit: PAGE });
  if (first.experimentsTotal <= first.experiments.length) return first;
  // A long run: its first page is shown while the others load (one render now, one when all are in).
  onFirstPage(first, first.experimentsTotal);
  const experiments = [...first.experiments];
  let last = first;
  while (experiments.length < last.experimentsTotal) {
    await nextTask();
    last = await api.getRun({ tag, offset: experiments.length, limit: PAGE });
    if (last.experiments.length === 0) break;
    experiments.push(...last.experiments);
    onPage(experiments.length);
  }
  // The summary of the last page is the most recent; experiments that arrived meanwhile come as events.
  return { ...last, experiments };
}

export function loadRun(api: Api, tag: string): Promise<void> {
  const running = inFlight.get(tag);
  if (running) return running;
  const version = useStudio.getState().snapshotVersion;
  useRunStore.setState((s) => ({
    entries: s.entries[tag]?.state === 'ready' ? s.entries : { ...s.entries, [tag]: { state: 'loading' } },
    loadedAt: { ...s.loadedAt, [tag]: version },
  }));
  const p = fetchRunInPages(
    api,
    tag,
    (first, total) =>
      useRunStore.setState((s) =>
        s.entries[tag]?.state === 'loading' ? { entries: { ...s.entries, [tag]: { state: 'ready', detail: first, partial: true, loaded: first.experiments.length, total } } } : s,
      ),
    // The same detail in a new entry: only a progress bar re-renders, not the rows built from the detail.
    (loaded) =>
      useRunStore.setState((s) => {
        const e = s.entries[tag];
        return e?.state === 'ready' && e.partial ? { entries: { ...s.entries, [tag]: { ...e, loaded } } } : s;
      }),
  )
    // Storing it renders every view that shows the run. Do that in a task of its own, not in the one
    // that received and parsed the last page, so neither becomes one long freeze.
    .then((detail) => nextTask().then(() => detail))
    .then((loaded) => {
      let detail = loaded;
      for (const event of pendingWhileLoading.get(tag) ?? []) detail = applyRunEvent(detail, event);
      pendingWhileLoading.delete(tag);
      useRunStore.setState((s) => ({ entries: { ...s.entries, [tag]: { state: 'ready', detail } } }));
    })
    .catch((err: unknown) => {
      pendingWhileLoading.delete(tag);
      const message = (err as Error)?.message ?? String(err);
      useRunStore.setState((s) => ({ entries: { ...s.entries, [tag]: { state: 'error', error: message } } }));
    })
    .finally(() => inFlight.delete(tag));
  inFlight.set(tag, p);
  return p;
}

/** The run's entry, loading it the first time (and again after a new snapshot). */
export function useRun(tag: string | null | undefined): RunEntry | null {
  const entry = useRunStore((s) => (tag ? s.entries[tag] : undefined));
  const loadedAt = useRunStore((s) => (tag ? s.loadedAt[tag] : undefined));
  const snapshotVersion = useStudio((s) => s.snapshotVersion);
  useEffect(() => {
    ensureSubscribed();
    if (!tag) return;
    if (!entry || loadedAt !== snapshotVersion) void loadRun(getClient().api, tag);
    // entry is read only to decide the first load; later changes come from events.
  }, [tag, snapshotVersion]);
  if (!tag) return null;
  return entry ?? { state: 'loading' };
}

/** Several runs at once (compare). */
export function useRuns(tags: readonly string[]): readonly RunEntry[] {
  const entries = useRunStore(useShallow((s) => tags.map((t) => s.entries[t] ?? LOADING)));
  const snapshotVersion = useStudio((s) => s.snapshotVersion);
  const key = tags.join('\n');
  useEffect(() => {
    ensureSubscribed();
    const { entries: current, loadedAt } = useRunStore.getState();
    for (const t of tags) if (!current[t] || loadedAt[t] !== snapshotVersion) void loadRun(getClient().api, t);
    // `key` stands for `tags`: the same list in a new array must not reload.
  }, [key, snapshotVersion]);
  return entries;
}

const LOADING: RunEntry = { state: 'loading' };

/** Forget a cached run (e.g. after an error the user wants to retry). */
export function reloadRun(tag: string): void {
  void loadRun(getClient().api, tag);
}
