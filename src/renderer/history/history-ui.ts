// What the history screen remembers per run while the app is open (sort, filter, selection, tab), so
// going into an experiment and back with Esc lands where the user was. Per tag of the open project: it is
// forgotten when another project opens, whose runs may carry the same tags.
import { create } from 'zustand';
import type { ExperimentStatus } from '../../shared/experiment.js';
import { subscribeProjectChange } from '../store/studio.js';
import type { SortSpec } from './table-model.js';

export interface HistoryUi {
  readonly sort: SortSpec;
  readonly statuses: ReadonlySet<ExperimentStatus>;
  readonly text: string;
  readonly selectedId: number | null;
  readonly tab: 'table' | 'lineage';
}

export const DEFAULT_HISTORY_UI: HistoryUi = { sort: { key: 'id', dir: 'asc' }, statuses: new Set(), text: '', selectedId: null, tab: 'table' };

interface State {
  readonly byTag: Readonly<Record<string, HistoryUi>>;
}

export const useHistoryUiStore = create<State>()(() => ({ byTag: {} }));

subscribeProjectChange(() => useHistoryUiStore.setState({ byTag: {} }));

export function useHistoryUi(tag: string): HistoryUi {
  return useHistoryUiStore((s) => s.byTag[tag] ?? DEFAULT_HISTORY_UI);
}

export function updateHistoryUi(tag: string, patch: Partial<HistoryUi>): void {
  useHistoryUiStore.setState((s) => ({ byTag: { ...s.byTag, [tag]: { ...(s.byTag[tag] ?? DEFAULT_HISTORY_UI), ...patch } } }));
}
