// Lineage with several slots: which experiment each one started from. The graph's nodes are the kept
// experiments (and the baseline), the commits others could build on; each node counts the candidates
// tried on top of it. Two keeps on the same parent (two slots improving on the same best at once) fork
// into separate lanes.
import type { Experiment, ExperimentStatus } from '../../shared/experiment.js';

export interface LineageNode {
  readonly id: number;
  readonly metric: number | null;
  readonly description: string;
  /** The node it was based on; null for the baseline (or a keep whose parent is unknown). */
  readonly parent: number | null;
  /** Column (order of the keeps) and lane (row) for drawing. */
  readonly column: number;
  readonly lane: number;
  readonly tried: { readonly total: number; readonly keep: number; readonly discard: number; readonly failed: number };
}

export interface Lineage {
  readonly nodes: readonly LineageNode[];
  readonly lanes: number;
  /** Experiments whose base is not a node (a base that was never kept, e.g. an interrupted run). */
  readonly orphans: number;
}

const FAILED: ReadonlySet<ExperimentStatus> = new Set(['crash', 'timeout', 'rejected', 'interrupted']);

export function buildLineage(experiments: readonly Experiment[]): Lineage {
  const sorted = [...experiments].sort((a, b) => a.id - b.id);
  const isNode = (e: Experiment) => e.kind === 'baseline' || e.status === 'keep';
  const tried = new Map<number, { total: number; keep: number; discard: number; failed: number }>();
  for (const e of sorted) if (isNode(e)) tried.set(e.id, { total: 0, keep: 0, discard: 0, failed: 0 });
  let orphans = 0;
  for (const e of sorted) {
    if (e.baseId === null) continue;
    const t = tried.get(e.baseId);
    if (!t) {
      orphans += 1;
      continue;
    }
    t.total += 1;
    if (e.status === 'keep') t.keep += 1;
    else if (e.status === 'discard') t.discard += 1;
    else if (FAILED.has(e.status)) t.failed += 1;
  }
  const laneOf = new Map<number, number>();
  // A parent hands its lane to its first kept child; later children of the same parent open new lanes.
  const laneTaken = new Set<number>();
  let lanes = 0;
  const nodes: LineageNode[] = [];
  for (const e of sorted) {
    if (!isNode(e)) continue;
    const parent = e.baseId !== null && tried.has(e.baseId) ? e.baseId : null;
    let lane: number;
    if (parent !== null && !laneTaken.has(parent)) {
      lane = laneOf.get(parent)!;
      laneTaken.add(parent);
    } else {
      lane = lanes;
      lanes += 1;
    }
    laneOf.set(e.id, lane);
    nodes.push({ id: e.id, metric: e.metric, description: e.description, parent, column: nodes.length, lane, tried: tried.get(e.id)! });
  }
  return { nodes, lanes: Math.max(lanes, nodes.length ? 1 : 0), orphans };
}
