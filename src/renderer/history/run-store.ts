// Runs with all their experiments (getRun), cached per project and tag and kept current by pushes: an
// 'experiment' event replaces or appends one record, a 'runs' event refreshes the summary figures. Loaded on
// demand by whichever view needs a run (dashboard, history, detail, compare); a new snapshot reloads them.
// Two projects can each have a run with the same tag (auto-tags are dates), so the project is part of every
// key, and everything is dropped when another project opens (what was cached of it would miss its pushes).
import { useEffect } from 'react';
import { create } from 'zustand';
import { useShallow } from 'zustand/react/shallow';
import type { Api, RunDetail, StudioEvent } from '../../shared/api.js';
import { getClient } from '../api/client.js';
import { subscribeProjectChange, subscribeStudioEvents, useStudio } from '../store/studio.js';
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
  /** By runKey(project, tag). */
  readonly entries: Readonly<Record<string, RunEntry>>;
  /** snapshotVersion of the studio store each entry was loaded under. */
  readonly loadedAt: Readonly<Record<string, number>>;
}

export const useRunStore = create<RunStoreState>()(() => ({ entries: {}, loadedAt: {} }));

/** The store's key of a run: its project folder and its tag. */
export function runKey(project: string | null, tag: string): string {
  return `${project ?? ''}\0${tag}`;
}

const openProjectDir = () => useStudio.getState().project?.dir ?? null;

/** Bumped when another project opens: a load begun before that must not store what it gets. */
let generation = 0;

/** Forget every run (another project is open now). */
export function clearRuns(): void {
  generation += 1;
  inFlight.clear();
  pendingWhileLoading.clear();
  useRunStore.setState({ entries: {}, loadedAt: {} });
}

let subscribed = false;
function ensureSubscribed(): void {
  if (subscribed) return;
  subscribed = true;
  subscribeProjectChange(() => clearRuns());
  subscribeStudioEvents((event) => {
    if (event.type !== 'experiment' && event.type !== 'runs') return;
    // The studio store passes on only the open project's pushes; the key's project is checked all the same.
    const prefix = runKey(event.project, '');
    const { entries } = useRunStore.getState();
    let changed = false;
    const next: Record<string, RunEntry> = { ...entries };
    for (const [key, entry] of Object.entries(entries)) {
      if (!key.startsWith(prefix)) continue;
      const tag = key.slice(prefix.length);
      if (event.type === 'experiment' && event.tag !== tag) continue;
      if (entry.state === 'ready' && !entry.partial) {
        const detail = applyRunEvent(entry.detail, event);
        if (detail !== entry.detail) {
          next[key] = { state: 'ready', detail };
          changed = true;
        }
        // The run list counts more experiments than this copy holds: a push was missed (this copy was read
        // while the run was starting or ending), so read the run again rather than show it short.
        const summary = event.type === 'runs' ? event.runs.find((r) => r.tag === tag) : undefined;
        if (summary && summary.counts.total > detail.experiments.length) void loadRun(getClient().api, tag);
      } else if (entry.state === 'loading' || entry.state === 'ready') {
        // Pushes that arrive while the pages load are applied once the run is in (else a row could stay
        // "running" after its experiment ended).
        const queue = pendingWhileLoading.get(key) ?? [];
        queue.push(event);
        pendingWhileLoading.set(key, queue);
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

/** Loads the open project's run `tag` (getRun answers for the open project). */
export function loadRun(api: Api, tag: string): Promise<void> {
  ensureSubscribed();
  const key = runKey(openProjectDir(), tag);
  const running = inFlight.get(key);
  if (running) return running;
  const version = useStudio.getState().snapshotVersion;
  const gen = generation;
  // Every write goes through here: nothing lands once another project has opened.
  const update = (fn: (s: RunStoreState) => Partial<RunStoreState> | RunStoreState) => {
    if (gen === generation) useRunStore.setState(fn);
  };
  update((s) => ({
    entries: s.entries[key]?.state === 'ready' ? s.entries : { ...s.entries, [key]: { state: 'loading' } },
    loadedAt: { ...s.loadedAt, [key]: version },
  }));
  const p = fetchRunInPages(
    api,
    tag,
    (first, total) =>
      update((s) =>
        s.entries[key]?.state === 'loading' ? { entries: { ...s.entries, [key]: { state: 'ready', detail: first, partial: true, loaded: first.experiments.length, total } } } : s,
      ),
    // The same detail in a new entry: only a progress bar re-renders, not the rows built from the detail.
    (loaded) =>
      update((s) => {
        const e = s.entries[key];
        return e?.state === 'ready' && e.partial ? { entries: { ...s.entries, [key]: { ...e, loaded } } } : s;
      }),
  )
    // Storing it renders every view that shows the run. Do that in a task of its own, not in the one
    // that received and parsed the last page, so neither becomes one long freeze.
    .then((detail) => nextTask().then(() => detail))
    .then((loaded) => {
      if (gen !== generation) return;
      let detail = loaded;
      for (const event of pendingWhileLoading.get(key) ?? []) detail = applyRunEvent(detail, event);
      pendingWhileLoading.delete(key);
      update((s) => ({ entries: { ...s.entries, [key]: { state: 'ready', detail } } }));
    })
    .catch((err: unknown) => {
      if (gen !== generation) return;
      pendingWhileLoading.delete(key);
      const message = (err as Error)?.message ?? String(err);
      update((s) => ({ entries: { ...s.entries, [key]: { state: 'error', error: message } } }));
    })
    .finally(() => {
      if (inFlight.get(key) === p) inFlight.delete(key);
    });
  inFlight.set(key, p);
  return p;
}

/** The open project's run `tag`, loading it the first time (and again after a new snapshot or project). */
export function useRun(tag: string | null | undefined): RunEntry | null {
  const dir = useStudio((s) => s.project?.dir ?? null);
  const key = tag ? runKey(dir, tag) : null;
  const entry = useRunStore((s) => (key ? s.entries[key] : undefined));
  const loadedAt = useRunStore((s) => (key ? s.loadedAt[key] : undefined));
  const snapshotVersion = useStudio((s) => s.snapshotVersion);
  useEffect(() => {
    ensureSubscribed();
    if (!tag) return;
    if (!entry || loadedAt !== snapshotVersion) void loadRun(getClient().api, tag);
    // entry is read only to decide the first load; later changes come from events.
  }, [key, snapshotVersion]);
  if (!tag) return null;
  return entry ?? { state: 'loading' };
}

/** Several runs of the open project at once (compare). */
export function useRuns(tags: readonly string[]): readonly RunEntry[] {
  const dir = useStudio((s) => s.project?.dir ?? null);
  const entries = useRunStore(useShallow((s) => tags.map((t) => s.entries[runKey(dir, t)] ?? LOADING)));
  const snapshotVersion = useStudio((s) => s.snapshotVersion);
  const key = `${dir ?? ''}\n${tags.join('\n')}`;
  useEffect(() => {
    ensureSubscribed();
    const { entries: current, loadedAt } = useRunStore.getState();
    for (const t of tags) {
      const k = runKey(dir, t);
      if (!current[k] || loadedAt[k] !== snapshotVersion) void loadRun(getClient().api, t);
    }
    // `key` stands for the project and `tags`: the same list in a new array must not reload.
  }, [key, snapshotVersion]);
  return entries;
}

const LOADING: RunEntry = { state: 'loading' };

/** Forget a cached run (e.g. after an error the user wants to retry). */
export function reloadRun(tag: string): void {
  void loadRun(getClient().api, tag);
}
