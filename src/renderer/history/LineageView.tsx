// The lineage graph (runs with more than one slot, or a tree / islands search): kept experiments left to right,
// each linked to the one it was based on; a fork means two slots improved on the same best at once, or a tree
// search started from an earlier node. A discarded experiment that a later one started from is drawn hollow.
// A node's tooltip says how many candidates were tried on top of it; a click opens it. A combination (a change
// proposed on an older best and carried onto the best kept meanwhile) also links, dashed, to the best it was
// proposed on.
import { useMemo, type JSX } from 'react';
import type { Experiment } from '../../shared/experiment.js';
import { formatMetric } from '../components/format.js';
import { buildLineage } from './lineage.js';
import { plural } from '../../shared/wording.js';

const COL = 44;
const LANE = 34;
const PAD = 24;

export function LineageView(props: { readonly experiments: readonly Experiment[]; readonly bestId: number | null; readonly onOpen: (id: number) => void }): JSX.Element {
  const lineage = useMemo(() => buildLineage(props.experiments, props.bestId), [props.experiments, props.bestId]);
  const byId = useMemo(() => new Map(lineage.nodes.map((n) => [n.id, n])), [lineage]);
  const discarded = lineage.nodes.filter((n) => n.discarded).length;
  if (lineage.nodes.length === 0) return <div className="muted pad">No kept experiment yet, so there is no lineage to draw.</div>;
  const width = PAD * 2 + (lineage.nodes.length - 1) * COL + 40;
  const height = PAD * 2 + (lineage.lanes - 1) * LANE + 16;
  const pos = (column: number, lane: number) => ({ x: PAD + column * COL, y: PAD + lane * LANE });
  return (
    <div className="lineage" data-testid="lineage">
      <div className="muted lineage-note">
        {lineage.nodes.length} commits ({lineage.nodes.some((n) => n.isBaseline) ? 'the baseline and ' : ''}{lineage.nodes.filter((n) => !n.isBaseline && !n.discarded).length} kept
        {discarded ? `, ${discarded} discarded but built on` : ''}) on {lineage.lanes} {lineage.lanes === 1 ? 'line' : 'lines'}; each links to the experiment it was based on.
        {discarded ? ' A hollow node was discarded (not better than the best), yet the search started a later experiment from it.' : ''}
        {lineage.nodes.some((n) => n.carriedFrom !== null) ? ' A dashed link: a change proposed on an older best, carried onto the best kept meanwhile and measured with it.' : ''}
        {lineage.orphans ? ` ${plural(lineage.orphans, 'experiment')} started from a commit that was not kept.` : ''}
      </div>
      <div className="lineage-scroll">
        <svg width={width} height={height} role="img" aria-label="Lineage of the experiments built on">
          {lineage.nodes.map((n) => {
            const edge = (from: number, kind: 'base' | 'carried') => {
              const p = byId.get(from)!;
              const a = pos(p.column, p.lane);
              const b = pos(n.column, n.lane);
              const mid = (a.x + b.x) / 2;
              // On one lane a straight link would run under the trunk; the second parent's link bows below it.
              const d = kind === 'carried' && a.y === b.y ? `M${a.x},${a.y} Q${mid},${a.y + 30} ${b.x},${b.y}` : `M${a.x},${a.y} C${mid},${a.y} ${mid},${b.y} ${b.x},${b.y}`;
              return (
                <path
                  key={`${kind}${n.id}`}
                  className={kind === 'carried' ? 'lineage-edge carried' : 'lineage-edge'}
                  data-testid={kind === 'carried' ? 'lineage-carried-edge' : undefined}
                  data-from={from}
                  data-to={n.id}
                  d={d}
                />
              );
            };
            return [n.parent !== null ? edge(n.parent, 'base') : null, n.carriedFrom !== null ? edge(n.carriedFrom, 'carried') : null];
          })}
          {lineage.nodes.map((n) => {
            const { x, y } = pos(n.column, n.lane);
            const best = n.id === props.bestId;
            return (
              <g
                key={n.id}
                className={`lineage-node${best ? ' best' : ''}${n.discarded ? ' discarded' : ''}`}
                data-testid="lineage-node"
                data-id={n.id}
                data-parent={n.parent ?? ''}
                data-carried-from={n.carriedFrom ?? ''}
                data-discarded={n.discarded ? 'true' : undefined}
                transform={`translate(${x},${y})`}
                onClick={() => props.onOpen(n.id)}
              >
                <title>
                  {`#${n.id} ${n.description}\n${formatMetric(n.metric)}${n.discarded ? ' · discarded' : ''}${n.parent !== null ? ` · based on #${n.parent}` : ''}` +
                    `${n.carriedFrom !== null ? ` · its change proposed on #${n.carriedFrom}, carried onto #${n.parent ?? '?'}` : ''}\n` +
                    `${n.tried.total} tried on top: ${n.tried.keep} kept, ${n.tried.discard} discarded, ${n.tried.failed} failed`}
                </title>
                <circle r={best ? 7 : 5.5} className={n.carriedFrom !== null ? 'combined' : undefined} />
                <text y={-10} textAnchor="middle">
                  {n.id}
                </text>
              </g>
            );
          })}
        </svg>
      </div>
    </div>
  );
}
