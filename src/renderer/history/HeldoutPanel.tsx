// The held-out check beside the search metric (issue #22): the baseline's held-out value and the best's, and
// the warning when the search metric improved but the held-out metric got worse. Shown in History and on the
// dashboard; the agent never sees any of it.
import type { JSX } from 'react';
import type { ProjectConfig } from '../../shared/config.js';
import type { Experiment } from '../../shared/experiment.js';
import { heldoutSummary } from '../../shared/heldout-text.js';

export interface HeldoutPanelProps {
  /** Absent while a live run's detail is still being filled in from its first pushes (no config yet). */
  readonly config: Pick<ProjectConfig, 'heldout' | 'metric'> | null | undefined;
  readonly experiments: readonly Experiment[];
  readonly bestId: number | null;
}

export function HeldoutPanel(props: HeldoutPanelProps): JSX.Element | null {
  if (!props.config) return null;
  const h = heldoutSummary(props.config, props.experiments, props.bestId);
  if (!h) return null;
  return (
    <div className={`heldout-panel${h.warning ? ' warn' : ''}`} data-testid="heldout-panel" role={h.warning ? 'alert' : undefined}>
      <span data-testid="heldout-line">{h.line}</span>
      <span className="faint"> · a check the agent never sees</span>
      {h.warning ? (
        <p className="noise-keep" data-testid="heldout-warning">
          ⚠ {h.warning}
        </p>
      ) : null}
    </div>
  );
}
