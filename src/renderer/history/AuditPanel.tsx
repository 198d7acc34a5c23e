// History → Audit: re-run the baseline and the best K times each, interleaved, in the run's slots, through
// the Api's auditRun; the result (the improvement with its 95 % interval) goes into the journal and reports.
import { useState, type JSX } from 'react';
import { describeAudit, describeAuditSetting, describeRecorded } from '../../shared/audit-text.js';
import type { AuditEvent } from '../../shared/journal.js';
import { useApi } from '../api/hooks.js';
import { RunActionPanel, useRunAction } from './RunActionPanel.js';

export function AuditPanel(props: { readonly tag: string; readonly kept: number; readonly live: boolean; readonly last: AuditEvent | null; readonly direction: 'min' | 'max'; readonly budgetSeconds: number; readonly onDone: () => void; readonly onClose: () => void }): JSX.Element {
  const api = useApi();
  const [repeats, setRepeats] = useState('5');
  const k = Number(repeats);
  const valid = Number.isInteger(k) && k >= 2 && k <= 100;
  // The audit is journaled with the run: the panel shows it from the reloaded run (props.last), not from the answer.
  const { state, go } = useRunAction(async () => {
    await api.auditRun({ tag: props.tag, repeats: k });
    props.onDone();
  });

  return (
    <RunActionPanel
      name="audit"
      title={`Audit ${props.tag}`}
      description={
        <>
          Runs the baseline commit and the best commit again, {valid ? k : 'K'} times each, interleaved (baseline, best, baseline, best…) so drift hits both, and reports the improvement with a 95 %
          interval. About {valid ? Math.round((2 * k * props.budgetSeconds) / 60) : '?'} min of GPU time on one slot.
        </>
      }
      fields={
        <label>
          Repeats <input className="mono" style={{ width: 60 }} value={repeats} onChange={(e) => setRepeats(e.target.value)} data-testid="audit-repeats" />
        </label>
      }
      actionLabel="Audit"
      busyReason="Auditing…"
      disabledReason={props.live ? 'The run is live: stop it first' : props.kept === 0 ? 'This run kept no change: there is nothing to audit' : !valid ? 'Repeats: a whole number from 2 to 100' : null}
      state={state}
      onGo={() => void go()}
      onClose={props.onClose}
    >
      {props.last ? (
        <div data-testid="audit-result" data-confirmed={props.last.confirmed ? 'true' : 'false'}>
          <p>
            <b className={props.last.confirmed ? 'good-text' : 'noise-keep'}>{describeAudit(props.last, props.direction)}.</b>
          </p>
          <p className="muted">
            {describeAuditSetting(props.last)}
            {describeRecorded(props.last, props.direction) ? `. For comparison, ${describeRecorded(props.last, props.direction)}.` : '.'}
          </p>
        </div>
      ) : null}
    </RunActionPanel>
  );
}
