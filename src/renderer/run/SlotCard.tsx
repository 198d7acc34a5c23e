// One slot of the live run: the experiment it works on, its phase, time against the budget, the metrics
// its output printed so far, its GPUs, and the tail of its log.
import type { JSX } from 'react';
import type { GpuStat, LiveSlot } from '../../shared/api.js';
import { routeHref } from '../app/router.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { formatClock, formatNumber } from '../components/format.js';
import { gpusForSlot, phaseLabel, slotTiming } from './live-model.js';
import { LogTail } from './LogTail.js';
import { SlotUsageLine } from './SlotUsageLine.js';
import type { SlotUsageFigures } from '../../shared/slot-usage.js';

export function GpuBars(props: { readonly gpus: readonly GpuStat[] }): JSX.Element | null {
  if (props.gpus.length === 0) return null;
  return (
    <div className="gpu-bars" data-testid="slot-gpus">
      {props.gpus.map((g) => {
        const mem = g.memoryUsedMb !== null && g.memoryTotalMb ? g.memoryUsedMb / g.memoryTotalMb : null;
        return (
          <div className="gpu" key={g.index} data-testid="gpu" data-index={g.index}>
            <div className="gpu-name muted">
              {g.host ? `${g.host.replace(/^ssh:/, '')} · ` : ''}GPU {g.index} · {g.name}
              {g.temperatureC !== null ? ` · ${g.temperatureC}°C` : ''}
              {g.powerW !== null ? ` · ${Math.round(g.powerW)} W` : ''}
            </div>
            <div className="gpu-row">
              <span className="muted">util</span>
              <ProgressBar value={(g.utilizationPercent ?? 0) / 100} label={`GPU ${g.index} utilisation`} />
              <span className="mono" data-testid="gpu-util">
                {g.utilizationPercent === null ? '—' : `${Math.round(g.utilizationPercent)}%`}
              </span>
            </div>
            <div className="gpu-row">
              <span className="muted">mem</span>
              <ProgressBar value={mem ?? 0} label={`GPU ${g.index} memory`} color="var(--warn)" />
              <span className="mono" data-testid="gpu-mem">
                {g.memoryUsedMb === null ? '—' : `${(g.memoryUsedMb / 1024).toFixed(1)}/${g.memoryTotalMb === null ? '?' : (g.memoryTotalMb / 1024).toFixed(0)} GB`}
              </span>
            </div>
          </div>
        );
      })}
    </div>
  );
}

export function SlotCard(props: {
  readonly tag: string;
  readonly slot: LiveSlot;
  readonly now: number;
  readonly budgetSeconds: number;
  readonly timeoutSeconds: number;
  readonly gpus: readonly GpuStat[];
  /** Trainer and idle time of this slot so far; null before the journal has it. */
  readonly usage?: SlotUsageFigures | null;
}): JSX.Element {
  const { slot, tag } = props;
  const timing = slotTiming(slot, props.now, props.budgetSeconds, props.timeoutSeconds);
  const gpus = gpusForSlot(props.gpus, slot.env, slot.where);
  const metrics = Object.entries(slot.metricsSoFar);
  const cuda = slot.env.CUDA_VISIBLE_DEVICES;
  return (
    <section className="slot-card" data-testid="slot-card" data-slot={slot.slot} data-phase={slot.phase} data-experiment={slot.experimentId ?? ''}>
      <header className="slot-head">
        <span className="slot-name">Slot {slot.slot}</span>
        {cuda !== undefined ? <span className="faint mono" data-testid="slot-cuda">CUDA {cuda}</span> : null}
        {slot.where && slot.where !== 'local' ? (
          <span className="faint mono" data-testid="slot-where" title={slot.job ? `Runs on ${slot.where}: ${slot.job}` : `Runs on ${slot.where}`}>
            {slot.where}
            {slot.job ? ` · ${slot.job}` : ''}
          </span>
        ) : null}
        <span className={`phase phase-${slot.phase}`} data-testid="slot-phase">
          {phaseLabel(slot)}
        </span>
        <span className="grow" />
        {slot.experimentId !== null ? (
          <a href={routeHref({ view: 'experiment', tag, id: slot.experimentId })} className="mono" data-testid="slot-experiment-link">
            #{slot.experimentId}
          </a>
        ) : null}
      </header>
      <div className="slot-desc" data-testid="slot-description" title={slot.description ?? ''}>
        {slot.description || <span className="faint">{slot.phase === 'proposing' ? 'The agent is working on a change…' : slot.phase === 'idle' ? 'Idle' : '—'}</span>}
      </div>
      {slot.waitingReason ? (
        <div className="banner" data-testid="slot-waiting">
          <div className="grow">{slot.waitingReason}</div>
        </div>
      ) : null}
      {timing.fraction !== null ? (
        <div className="slot-budget" data-testid="slot-budget">
          <ProgressBar value={timing.fraction} label="Time used of the budget" color={timing.overBudget ? 'var(--warn)' : undefined} />
          <div className="slot-times">
            <span className="mono" data-testid="slot-elapsed">
              {formatClock(timing.elapsedMs)} / {formatClock(props.budgetSeconds * 1000)}
            </span>
            <span className={timing.overBudget ? 'warn-text' : 'muted'} data-testid="slot-left">
              {timing.overBudget ? `over budget · killed in ${formatClock(timing.untilTimeoutMs)}` : `${formatClock(timing.leftMs)} left`}
            </span>
          </div>
        </div>
      ) : timing.elapsedMs !== null ? (
        <div className="muted slot-times">
          <span className="mono">{formatClock(timing.elapsedMs)}</span> in this phase
        </div>
      ) : null}
      {props.usage ? <SlotUsageLine usage={props.usage} /> : null}
      {metrics.length ? (
        <div className="slot-metrics" data-testid="slot-metrics">
          {metrics.map(([k, v]) => (
            <span key={k} className="mono">
              <span className="muted">{k}</span> {formatNumber(v)}
            </span>
          ))}
        </div>
      ) : null}
      <GpuBars gpus={gpus} />
      {slot.experimentId !== null ? <LogTail key={`${tag}/${slot.experimentId}`} tag={tag} id={slot.experimentId} /> : null}
    </section>
  );
}
