// Lineage with several slots or a tree search: which experiment each one started from. The graph's nodes are
// the kept experiments (and the baseline), and the discarded ones a later proposal started from (tree and
// islands search, config `search`, start from any measured node): every node is linked to its base
// (experiment.baseId); each node counts the candidates tried on top of it. Two keeps on the same parent (two slots improving on the same best at once) fork:
// the line that leads to the final best stays straight, the other branches off below it. A combination (a
// change proposed on an older best, carried onto the best kept meanwhile) has two parents: the best it was
// carried onto (its base, the edge the layout follows) and the older best its change was proposed on.
import type { Experiment, ExperimentStatus } from '../../shared/experiment.js';

export interface LineageNode {
  readonly id: number;
  readonly metric: number | null;
  readonly description: string;
  /** The node it was based on; null for the baseline (or a keep whose parent is unknown). */
  readonly parent: number | null;
  /** For a combination: the node its change was proposed on (the second parent); null otherwise. */
  readonly carriedFrom: number | null;
  readonly isBaseline: boolean;
  /** Discarded (not kept), yet a later proposal started from it (tree or islands search). */
  readonly discarded: boolean;
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

export function buildLineage(experiments: readonly Experiment[], bestIdHint: number | null = null): Lineage {
  const sorted = [...experiments].sort((a, b) => a.id - b.id);
  // A discard is a node once something was built on it: a tree search's step off the best line.
  const builtOn = new Set(sorted.map((e) => e.baseId).filter((id): id is number => id !== null));
  const isNode = (e: Experiment) => e.kind === 'baseline' || e.status === 'keep' || (builtOn.has(e.id) && e.metric !== null && e.commit !== null);
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
  // The trunk is the chain of bases behind the final best (the last keep: a keep always beats the best
  // of its time). It stays on lane 0; side branches take the lowest lane free at their column, so lanes
  // are reused once a branch has no more children.
  const nodeList = sorted.filter(isNode);
  const parentOf = new Map<number, number | null>();
  for (const e of nodeList) parentOf.set(e.id, e.baseId !== null && tried.has(e.baseId) ? e.baseId : null);
  const trunk = new Set<number>();
  const bestId = bestIdHint ?? nodeList.filter((e) => e.status === 'keep').pop()?.id ?? null;
  for (let at: number | null = bestId; at !== null && !trunk.has(at) && parentOf.has(at); at = parentOf.get(at) ?? null) trunk.add(at);
  const columnOf = new Map(nodeList.map((e, i) => [e.id, i]));
  const lastChildColumn = new Map<number, number>();
  for (const e of nodeList) {
    const parent = parentOf.get(e.id);
    if (parent !== null && parent !== undefined) lastChildColumn.set(parent, columnOf.get(e.id)!);
  }
  const laneOf = new Map<number, number>();
  const handedOn = new Set<number>();
  /** Per lane: the column after which nothing will be drawn on it any more. */
  const laneBusyUntil: number[] = [];
  const nodes: LineageNode[] = [];
  for (const e of nodeList) {
    const column = nodes.length;
    const parent = parentOf.get(e.id) ?? null;
    let lane: number;
    if (trunk.has(e.id)) lane = 0;
    else if (parent !== null && !trunk.has(parent) && !handedOn.has(parent)) {
      lane = laneOf.get(parent)!;
      handedOn.add(parent);
    } else {
      lane = 1;
      while (lane < laneBusyUntil.length && laneBusyUntil[lane]! >= column) lane += 1;
    }
    laneOf.set(e.id, lane);
    laneBusyUntil[lane] = Math.max(laneBusyUntil[lane] ?? -1, lastChildColumn.get(e.id) ?? column);
    const from = e.carried?.fromBaseId ?? null;
    const carriedFrom = from !== null && from !== parent && tried.has(from) ? from : null;
    nodes.push({ id: e.id, metric: e.metric, description: e.description, parent, carriedFrom, isBaseline: e.kind === 'baseline', discarded: e.kind !== 'baseline' && e.status !== 'keep', column, lane, tried: tried.get(e.id)! });
  }
  const lanes = laneBusyUntil.length;
  return { nodes, lanes: Math.max(lanes, nodes.length ? 1 : 0), orphans };
}
