// The app-wide state: the Snapshot fields, kept current by StudioEvents. Events are applied idempotently
// by seq (an event at or below the current seq is ignored), so duplicates and replays are harmless.
// After a reconnect the store asks eventsSince(seq); when the server no longer holds them it takes a new
// snapshot and bumps `snapshotVersion` so feature stores know to reload what they cache.
import { create } from 'zustand';
import type { ApiClient, Snapshot, StudioEvent } from '../../shared/api.js';

/**
 * The Snapshot's fields as the store holds them (so a field the Snapshot gains is a field of the store), plus
 * what only the store knows: the transport's health and how far loading has come.
 */
export interface StudioState extends Omit<Snapshot, 'app' | 'sandboxWarning'> {
  /** Null until the first snapshot arrives. */
  readonly app: Snapshot['app'] | null;
  /** Why agent-written code runs unsandboxed here; null when it is sandboxed. */
  readonly sandboxWarning: NonNullable<Snapshot['sandboxWarning']> | null;
  /** Transport health (always true under Electron). */
  readonly connected: boolean;
  /** The first snapshot has arrived. */
  readonly loaded: boolean;
  /** Why the first snapshot could not be loaded. */
  readonly loadError: string | null;
  /** Incremented each time a whole snapshot replaces the state. */
  readonly snapshotVersion: number;
}

const initialState: StudioState = {
  app: null,
  project: null,
  runs: [],
  live: null,
  gpus: [],
  recentProjects: [],
  apiKey: { set: false, source: null, warning: null, endpoint: { host: null, error: null } },
  sandboxWarning: null,
  seq: 0,
  connected: false,
  loaded: false,
  loadError: null,
  snapshotVersion: 0,
};

export const useStudio = create<StudioState>()(() => initialState);

/** Back to the state before any snapshot (tests; closing the window's last connection). */
export function resetStudio(): void {
  useStudio.setState(initialState, true);
}

/**
 * Does a push belong to the open project? Pushes about runs name their project: two projects can each hold
 * a run with the same tag, and one on its way while the user opened another project must not show there.
 */
export function isForOpenProject(state: Pick<StudioState, 'project'>, event: StudioEvent): boolean {
  switch (event.type) {
    case 'runs':
    case 'live':
    case 'experiment':
    case 'log':
    case 'ablation':
      return event.project === (state.project?.dir ?? null);
    default:
      return true;
  }
}

/** Pure: the state after one event (unchanged when the event is not newer than the state). */
export function applyStudioEvent(state: StudioState, event: StudioEvent): StudioState {
  if (event.seq <= state.seq) return state;
  const next = { ...state, seq: event.seq };
  if (!isForOpenProject(state, event)) return next;
  switch (event.type) {
    case 'project':
      // Another project: nothing of the previous one's runs stays on screen until its own lists arrive.
      if ((event.project?.dir ?? null) !== (state.project?.dir ?? null)) return { ...next, project: event.project, runs: [], live: null };
      return { ...next, project: event.project };
    case 'runs':
      return { ...next, runs: event.runs };
    case 'live':
      return { ...next, live: event.live };
    case 'gpus':
      return { ...next, gpus: event.gpus };
    case 'apiKey':
      return { ...next, apiKey: event.apiKey };
    case 'recent':
      return { ...next, recentProjects: event.recentProjects };
    case 'experiment':
    case 'log':
    case 'notice':
    case 'ablation':
      // Held by feature stores (run/, history/) and the notice area, which subscribe below.
      return next;
  }
}

/** Pure: the state a snapshot describes. */
export function stateFromSnapshot(state: StudioState, snapshot: Snapshot): StudioState {
  return {
    ...state,
    ...snapshot,
    sandboxWarning: snapshot.sandboxWarning ?? null,
    loaded: true,
    loadError: null,
    snapshotVersion: state.snapshotVersion + 1,
  };
}

const eventListeners = new Set<(event: StudioEvent) => void>();

/** Every event the store applies (new ones only, in seq order, replays after a reconnect included), except pushes about another project's runs. */
export function subscribeStudioEvents(listener: (event: StudioEvent) => void): () => void {
  eventListeners.add(listener);
  return () => eventListeners.delete(listener);
}

/** Bind the store to a transport: load the snapshot, apply pushes, catch up after reconnects. */
export function connectStudio(client: ApiClient): () => void {
  // While a snapshot or a catch-up is being fetched, pushes wait here so they are applied after what
  // they follow (applying a newer one first would make the older ones look like duplicates).
  let buffer: StudioEvent[] | null = [];
  let disposed = false;
  let everConnected = false;

  function apply(event: StudioEvent): void {
    const before = useStudio.getState();
    const after = applyStudioEvent(before, event);
    if (after === before) return;
    useStudio.setState(after, true);
    // Feature stores (run/, history/) and log views never see another project's run pushes.
    if (!isForOpenProject(after, event)) return;
    for (const l of [...eventListeners]) {
      try {
        l(event);
      } catch (err) {
        console.error('A studio event listener failed', err);
      }
    }
  }

  function flush(): void {
    const held = buffer ?? [];
    buffer = null;
    held.sort((a, b) => a.seq - b.seq).forEach(apply);
  }

  async function loadSnapshot(): Promise<void> {
    const snapshot = await client.api.snapshot({});
    if (disposed) return;
    useStudio.setState((s) => stateFromSnapshot(s, snapshot), true);
  }

  async function catchUp(): Promise<void> {
    buffer = buffer ?? [];
    try {
      const { events, complete } = await client.api.eventsSince({ seq: useStudio.getState().seq });
      if (disposed) return;
      if (complete) events.forEach(apply);
      else await loadSnapshot();
    } catch {
      // The socket dropped again; the next reconnect retries.
    } finally {
      flush();
    }
  }

  const offEvent = client.onEvent((event) => {
    if (buffer) buffer.push(event);
    else apply(event);
  });
  async function firstLoad(): Promise<void> {
    buffer = buffer ?? [];
    try {
      await loadSnapshot();
    } catch (err) {
      useStudio.setState({ loadError: (err as Error).message ?? String(err) });
    } finally {
      flush();
    }
  }

  const offConnection = client.onConnection?.((connected) => {
    useStudio.setState({ connected });
    if (connected && everConnected) void (useStudio.getState().loaded ? catchUp() : firstLoad());
    if (connected) everConnected = true;
  });
  // A client that is already open before we subscribed will not report it: ask it.
  const initiallyConnected = !client.onConnection || ((client as { isConnected?: () => boolean }).isConnected?.() ?? false);
  if (initiallyConnected) {
    everConnected = true;
    useStudio.setState({ connected: true });
  }

  void firstLoad();

  return () => {
    disposed = true;
    offEvent();
    offConnection?.();
  };
}

/** The live run's state, or null when nothing runs. */
export function selectRunState(s: StudioState) {
  return s.live?.state ?? null;
}

/** Calls `listener` whenever another project (or none) becomes the open one, by a push or a new snapshot. */
export function subscribeProjectChange(listener: (dir: string | null) => void): () => void {
  return useStudio.subscribe((s, prev) => {
    const dir = s.project?.dir ?? null;
    if (dir !== (prev.project?.dir ?? null)) listener(dir);
  });
}
