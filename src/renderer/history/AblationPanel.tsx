// History → Ablate: which kept changes carry the result. The Api's ablateRun builds the best without each keep,
// runs each version K times under the best's seeds, and saves a contribution with a 95 % interval per keep
// (runs/<tag>/ablation.json). A long operation: a progress bar from the 'ablation' pushes, and Cancel. When the
// panel is closed, a saved ablation still shows as one line.
import { useCallback, useEffect, useState, type JSX } from 'react';
import { describeAblationSetting, describeVerdict, formatContribution, formatInterval, type Ablation, type AblationProgress } from '../../shared/ablation.js';
import { plural } from '../../shared/wording.js';
import { useApi, useStudioEvent } from '../api/hooks.js';
import { Button } from '../components/Button.js';
import { ProgressBar } from '../components/ProgressBar.js';
import { RunActionPanel, useRunAction } from './RunActionPanel.js';

function AblationTable(props: { readonly ablation: Ablation; readonly bestId: number | null }): JSX.Element {
  const a = props.ablation;
  return (
    <div data-testid="ablation-result">
      <p className="muted">
        The best (#{a.bestId}) without each kept change, {describeAblationSetting(a)}. Contribution: how much worse the best is without it ({a.metric}; positive = the keep helped).
        {props.bestId !== null && props.bestId !== a.bestId ? <b className="noise-keep"> The best has moved to #{props.bestId} since: ablate again.</b> : null}
      </p>
      <table className="plain ablation-table" data-testid="ablation-table">
        <thead>
          <tr>
            <th className="num">keep</th>
            <th>description</th>
            <th className="num">contribution</th>
            <th className="num">95 % interval</th>
            <th>verdict</th>
          </tr>
        </thead>
        <tbody>
          {a.rows.map((r) => (
            <tr key={r.id} className={`ablation-${r.verdict}`} data-testid={`ablation-row-${r.id}`} data-verdict={r.verdict}>
              <td className="num">#{r.id}</td>
              <td>{r.description}</td>
              <td className="num">{formatContribution(r.contribution)}</td>
              <td className="num">{formatInterval(r)}</td>
              <td>
                <span className="verdict">{describeVerdict(r)}</span>
                {r.reason ? <div className="muted" style={{ fontSize: 12 }}>{r.reason}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function AblationSection(props: {
  readonly tag: string;
  readonly open: boolean;
  readonly kept: number;
  readonly live: boolean;
  readonly bestId: number | null;
  readonly budgetSeconds: number;
  readonly onOpen: () => void;
  readonly onClose: () => void;
}): JSX.Element | null {
  const api = useApi();
  const [saved, setSaved] = useState<Ablation | null>(null);
  const [progress, setProgress] = useState<AblationProgress | null>(null);
  const [repeats, setRepeats] = useState('3');
  const k = Number(repeats);
  const valid = Number.isInteger(k) && k >= 2 && k <= 100;

  const load = useCallback(() => {
    api.getAblation({ tag: props.tag }).then(setSaved, () => setSaved(null));
  }, [api, props.tag]);
  useEffect(load, [load]);
  useStudioEvent((e) => {
    if (e.type === 'ablation' && e.tag === props.tag) setProgress(e.progress);
  });
  const { state, go } = useRunAction(async () => {
    const result = await api.ablateRun({ tag: props.tag, repeats: k });
    setSaved(result);
    return result;
  });
  const working = state.kind === 'busy' || progress !== null;

  if (!props.open) {
    if (!saved) return null;
    const carries = saved.rows.filter((r) => r.verdict === 'carries').length;
    return (
      <p className="muted" data-testid="ablation-summary">
        Ablation: <b>{carries} of {plural(saved.rows.length, 'keep')} carry the result</b> ({describeAblationSetting(saved)}).{' '}
        <Button size="small" variant="ghost" onClick={props.onOpen}>
          Show the table
        </Button>
      </p>
    );
  }
  return (
    <RunActionPanel
      name="ablate"
      title={`Ablate ${props.tag}`}
      description={
        <>
          Which kept changes carry the result: the best without each of the {plural(props.kept, 'kept change')}, and the best itself, {valid ? k : 'K'} runs each, run <i>i</i> of each under the same seed. About{' '}
          {valid ? Math.round(((props.kept + 1) * k * props.budgetSeconds) / 60) : '?'} min of GPU time on one slot.
        </>
      }
      fields={
        <label>
          Repeats <input className="mono" style={{ width: 60 }} value={repeats} onChange={(e) => setRepeats(e.target.value)} data-testid="ablate-repeats" />
        </label>
      }
      actionLabel="Ablate"
      busyReason="Ablating…"
      disabledReason={working ? 'Ablating…' : props.live ? 'The run is live: stop it first' : props.kept === 0 ? 'This run kept no change: there is nothing to ablate' : !valid ? 'Repeats: a whole number from 2 to 100' : null}
      state={state}
      onGo={() => void go()}
      onClose={props.onClose}
    >
      {working ? (
        <div className="ablation-progress" data-testid="ablation-progress">
          <ProgressBar value={progress ? progress.done / Math.max(1, progress.total) : 0} label="Ablation progress" />
          <span className="muted" style={{ fontSize: 12 }}>{progress ? `${progress.done} of ${progress.total} runs · ${progress.label}` : 'Starting…'}</span>
          <Button size="small" variant="danger" onClick={() => void api.cancelAblation({ tag: props.tag })} data-testid="ablation-cancel">
            Cancel
          </Button>
        </div>
      ) : null}
      {saved ? <AblationTable ablation={saved} bestId={props.bestId} /> : null}
    </RunActionPanel>
  );
}
