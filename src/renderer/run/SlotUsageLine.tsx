// One compact line per slot: how long its trainers ran (GPU-hours when it has GPUs) and how long it stood
// idle since the run started or resumed, and where the idle time went (the agent, conflicts, the harness).
// Computed from the journal (shared/slot-usage.ts), so it survives a
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
      {u.idleMs > 0 ? (
        <span className="faint" data-testid="slot-idle-split" title="Where the idle time went: waiting for the agent's next proposal, waiting on a proposal that conflicted with a change just kept, and the harness (decisions, commits, resets, checks, the setup, pauses)">
          agent <span className="mono" data-testid="slot-idle-agent">{formatClock(u.agentMs)}</span>
          {u.conflictMs > 0 ? (
            <>
              {' · '}conflicts <span className="mono" data-testid="slot-idle-conflict">{formatClock(u.conflictMs)}</span>
            </>
          ) : null}
          {' · '}harness <span className="mono" data-testid="slot-idle-harness">{formatClock(u.harnessMs)}</span>
        </span>
      ) : null}
      {u.confirmMs > 0 ? (
        <span className="faint" title="Of the trainer time: confirmation and re-measurement runs (a candidate or the best measured again)">
          confirming <span className="mono" data-testid="slot-confirm">{formatClock(u.confirmMs)}</span>
        </span>
      ) : null}
    </div>
  );
}
