import type { ExperimentStatus } from '../../shared/experiment.js';
import type { RunState } from '../../shared/api.js';

const TONE: Record<ExperimentStatus | RunState, 'good' | 'bad' | 'warn' | 'neutral' | 'accent'> = {
  keep: 'good',
  discard: 'neutral',
  crash: 'bad',
  timeout: 'warn',
  rejected: 'bad',
  interrupted: 'warn',
  'stopped-early': 'neutral',
  running: 'accent',
  starting: 'accent',
  pausing: 'warn',
  paused: 'warn',
  stopping: 'warn',
  stopped: 'neutral',
};

/** An experiment status or a run state, coloured the same way everywhere. */
export function StatusBadge(props: { readonly status: ExperimentStatus | RunState }) {
  return (
    <span className={`badge ${TONE[props.status]}`} data-testid="status-badge" data-status={props.status}>
      {props.status}
    </span>
  );
}
