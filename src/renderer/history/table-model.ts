// The history table's rows: one flat, precomputed row per experiment so sorting and filtering 10,000 of
// them is a few milliseconds of plain array work, with no per-render allocation in the table itself.
import type { ConfidenceLabel, Experiment, ExperimentStatus } from '../../shared/experiment.js';
import { heldoutCell } from '../../shared/heldout-text.js';
import { experimentChange, type Change } from '../../shared/wording.js';

export interface ExperimentRow {
  readonly id: number;
  readonly status: ExperimentStatus;
  readonly metric: number | null;
  /** The change against the best at decision time, as every place states it (wording.ts); null without one. */
  readonly change: Change | null;
  /** The same change as a gain, positive = better whatever the direction: what the column sorts by. */
  readonly gain: number | null;
  /** Standard errors the gain stood above the noise when decided (null: no estimate or not decided). */
  readonly confidence: number | null;
  /** The decision's label: a keep 'within-noise' is shown marked. */
  readonly confidenceLabel: ConfidenceLabel | null;
  readonly description: string;
  readonly slot: number;
  /** The experiment it was based on (lineage). */
  readonly parent: number | null;
  readonly durationMs: number | null;
  readonly tokens: number | null;
  readonly cost: number | null;
  readonly commit: string | null;
  /** The held-out check on this commit (config.heldout): its value; the cell's text ("failed") and why. */
  readonly heldout: number | null;
  readonly heldoutText: string;
  readonly heldoutTitle: string | null;
  /** Lower-cased text the filter searches: description, hypothesis, commit, status. */
  readonly haystack: string;
}

export const SORT_KEYS = ['id', 'status', 'metric', 'delta', 'confidence', 'heldout', 'description', 'slot', 'parent', 'duration', 'tokens', 'cost'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export interface SortSpec {
  readonly key: SortKey;
  readonly dir: 'asc' | 'desc';
}

export function toRow(e: Experiment, direction: 'min' | 'max'): ExperimentRow {
  const change = experimentChange(e, direction);
  const tokens = e.usage ? e.usage.inputTokens + e.usage.outputTokens + e.usage.cacheCreationInputTokens + e.usage.cacheReadInputTokens : null;
  return {
    id: e.id,
    status: e.status,
    metric: e.metric,
    change,
    gain: change === null ? null : direction === 'min' ? -change.delta : change.delta,
    confidence: e.confidence?.z ?? null,
    confidenceLabel: e.confidence?.label ?? null,
    description: e.description,
    slot: e.slot,
    parent: e.baseId,
    durationMs: e.timings.totalMs ?? e.timings.trainingMs,
    tokens,
    cost: e.usage?.costUsd ?? null,
    commit: e.commit,
    heldout: e.heldout?.value ?? null,
    ...(() => {
      const cell = heldoutCell(e);
      return { heldoutText: cell.text, heldoutTitle: cell.title };
    })(),
    haystack: `${e.description}\n${e.hypothesis}\n${e.commit ?? ''}\n${e.status}\n${e.error ?? ''}`.toLowerCase(),
  };
}

export function toRows(experiments: readonly Experiment[], direction: 'min' | 'max'): readonly ExperimentRow[] {
  return experiments.map((e) => toRow(e, direction));
}

export interface RowFilter {
  /** Statuses to show; empty shows all. */
  readonly statuses: ReadonlySet<ExperimentStatus>;
  /** Words that must all appear (description, hypothesis, commit, error); `#12` matches experiment 12. */
  readonly text: string;
}

export const NO_FILTER: RowFilter = { statuses: new Set(), text: '' };

export function filterRows(rows: readonly ExperimentRow[], filter: RowFilter): readonly ExperimentRow[] {
  const words = filter.text.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const ids: number[] = [];
  const texts: string[] = [];
  for (const w of words) {
    const m = /^#(\d+)$/.exec(w);
    if (m) ids.push(Number(m[1]));
    else texts.push(w);
  }
  const byStatus = filter.statuses.size > 0;
  if (!byStatus && ids.length === 0 && texts.length === 0) return rows;
  return rows.filter((r) => {
    if (byStatus && !filter.statuses.has(r.status)) return false;
    if (ids.length && !ids.includes(r.id)) return false;
    for (const t of texts) if (!r.haystack.includes(t)) return false;
    return true;
  });
}

const STATUS_ORDER: Record<ExperimentStatus, number> = { keep: 0, discard: 1, 'stopped-early': 2, running: 3, crash: 4, timeout: 5, rejected: 6, interrupted: 7 };

function valueOf(r: ExperimentRow, key: SortKey): number | string | null {
  switch (key) {
    case 'id':
      return r.id;
    case 'status':
      return STATUS_ORDER[r.status];
    case 'metric':
      return r.metric;
    case 'delta':
      return r.gain;
    case 'confidence':
      return r.confidence;
    case 'heldout':
      return r.heldout;
    case 'description':
      return r.description.toLowerCase();
    case 'slot':
      return r.slot;
    case 'parent':
      return r.parent;
    case 'duration':
      return r.durationMs;
    case 'tokens':
      return r.tokens;
    case 'cost':
      return r.cost;
  }
}

/** Stable sort; rows without a value (a crash has no metric) go last in both directions. Ties by id. */
export function sortRows(rows: readonly ExperimentRow[], sort: SortSpec): readonly ExperimentRow[] {
  if (sort.key === 'id') return sort.dir === 'asc' ? [...rows].sort((a, b) => a.id - b.id) : [...rows].sort((a, b) => b.id - a.id);
  const sign = sort.dir === 'asc' ? 1 : -1;
  const keyed = rows.map((r) => ({ r, v: valueOf(r, sort.key) }));
  keyed.sort((a, b) => {
    if (a.v === null || b.v === null || (typeof a.v === 'number' && Number.isNaN(a.v)) || (typeof b.v === 'number' && Number.isNaN(b.v))) {
      const an = a.v === null || Number.isNaN(a.v);
      const bn = b.v === null || Number.isNaN(b.v);
      if (an !== bn) return an ? 1 : -1;
      return a.r.id - b.r.id;
    }
    const c = typeof a.v === 'string' ? a.v.localeCompare(b.v as string) : a.v - (b.v as number);
    return c !== 0 ? sign * c : a.r.id - b.r.id;
  });
  return keyed.map((k) => k.r);
}

/** Clicking a column: first click sorts in its natural direction, the next flips it. */
export function nextSort(current: SortSpec, key: SortKey): SortSpec {
  if (current.key === key) return { key, dir: current.dir === 'asc' ? 'desc' : 'asc' };
  const descFirst: readonly SortKey[] = ['delta', 'confidence', 'duration', 'tokens', 'cost'];
  return { key, dir: descFirst.includes(key) ? 'desc' : 'asc' };
}

/** Counts per status for the filter chips. */
export function statusCounts(rows: readonly ExperimentRow[]): Readonly<Record<ExperimentStatus, number>> {
  const counts: Record<ExperimentStatus, number> = { running: 0, keep: 0, discard: 0, 'stopped-early': 0, crash: 0, timeout: 0, rejected: 0, interrupted: 0 };
  for (const r of rows) counts[r.status] += 1;
  return counts;
}
