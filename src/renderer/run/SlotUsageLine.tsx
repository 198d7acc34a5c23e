// One compact line per slot: how long its trainers ran (GPU-hours when it has GPUs) and how long it stood
// idle since the run started or resumed. Computed from the journal (shared/slot-usage.ts), so it survives a
// restart of the app; the clock ticks between events.
import type { JSX } from 'react';
import type { SlotUsageFigures } from '../../shared/slot-usage.js';
import { formatGpuHours } from '../../shared/wording.js';
import { formatClock } from '../components/format.js';


export function SlotUsageLine(props: { readonly usage: SlotUsageFigures; readonly label?: string }): JSX.Element {
  const u = props.usage;
  const pct = u.idleFraction === null ? null : Math.round(u.idleFraction * 100);
  return (
    <div className="slot-usage" data-testid="slot-usage" data-slot={u.slot}>
      {props.label ? <span className="slot-usage-label">{props.label}</span> : null}
      <span title="Time this slot's trainers ran (baseline, candidates, confirmation and re-measurement runs)">
        <span className="muted">trainer</span>{' '}
        <span className="mono" data-testid="slot-busy">
          {formatClock(u.busyMs)}
        </span>
      </span>
      {u.gpus > 0 ? (
        <span title={`Trainer time × the slot's ${u.gpus} GPU${u.gpus === 1 ? '' : 's'}`}>
          <span className="mono" data-testid="slot-gpu-hours">
            {formatGpuHours(u.gpuHours)}
          </span>{' '}
          <span className="muted">GPU-h</span>
        </span>
      ) : null}
      <span title="Time no trainer ran in this slot (the agent proposing, decisions, pauses), counted while the run was live">
        <span className="muted">idle</span>{' '}
        <span className="mono" data-testid="slot-idle">
          {formatClock(u.idleMs)}
        </span>
        {pct !== null ? <span className={pct >= 25 ? 'warn-text' : 'faint'}> ({pct} %)</span> : null}
      </span>
    </div>
  );
}
