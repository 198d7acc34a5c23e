// History → Audit: re-run the baseline and the best K times each, interleaved, in the run's slots, through
// the Api's auditRun; the result (the improvement with its 95 % interval) goes into the journal and reports.
import { useState, type JSX } from 'react';
import { describeAudit, describeAuditSetting, describeRecorded } from '../../shared/audit-text.js';
import type { AuditEvent } from '../../shared/journal.js';
import { useApi } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { Spinner } from '../components/Spinner.js';

export function AuditPanel(props: { readonly tag: string; readonly kept: number; readonly live: boolean; readonly last: AuditEvent | null; readonly direction: 'min' | 'max'; readonly budgetSeconds: number; readonly onDone: () => void; readonly onClose: () => void }): JSX.Element {
  const api = useApi();
  const [repeats, setRepeats] = useState('5');
  const [state, setState] = useState<{ readonly kind: 'idle' } | { readonly kind: 'busy' } | { readonly kind: 'error'; readonly message: string }>({ kind: 'idle' });
  const k = Number(repeats);
  const valid = Number.isInteger(k) && k >= 2 && k <= 100;

  const go = async () => {
    setState({ kind: 'busy' });
    try {
      await api.auditRun({ tag: props.tag, repeats: k });
      setState({ kind: 'idle' });
      props.onDone();
    } catch (err) {
      setState({ kind: 'error', message: (err as Error)?.message ?? String(err) });
    }
  };

  return (
    <div className="panel audit" data-testid="audit-panel">
      <h3>Audit {props.tag}</h3>
      <p className="muted">
        Runs the baseline commit and the best commit again, {valid ? k : 'K'} times each, interleaved (baseline, best, baseline, best…) so drift hits both, and reports the improvement with a 95 %
        interval. About {valid ? Math.round((2 * k * props.budgetSeconds) / 60) : '?'} min of GPU time on one slot.
      </p>
      <div className="finalize-form">
        <label>
          Repeats <input className="mono" style={{ width: 60 }} value={repeats} onChange={(e) => setRepeats(e.target.value)} data-testid="audit-repeats" />
        </label>
        <Button
          variant="primary"
          onClick={() => void go()}
          disabledReason={state.kind === 'busy' ? 'Auditing…' : props.live ? 'The run is live: stop it first' : props.kept === 0 ? 'This run kept no change: there is nothing to audit' : !valid ? 'Repeats: a whole number from 2 to 100' : null}
          data-testid="audit-go"
        >
          {state.kind === 'busy' ? <Spinner /> : null} Audit
        </Button>
        <Button variant="ghost" onClick={props.onClose}>
          Close
        </Button>
      </div>
      {state.kind === 'error' ? (
        <p className="error" role="alert" data-testid="audit-error">
          {state.message}
        </p>
      ) : null}
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
    </div>
  );
}
