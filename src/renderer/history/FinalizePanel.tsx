// History → Finalize: turn the run's kept improvements into a new branch (one commit each, or squashed)
// and a .patch file, through the Api's finalizeRun. The user's branch is never moved.
import { useState, type JSX } from 'react';
import { formatMetric } from '../../shared/wording.js';
import { useApi } from '../api/hooks.js';
import { RunActionPanel, useRunAction } from './RunActionPanel.js';

export function FinalizePanel(props: { readonly tag: string; readonly kept: number; readonly onClose: () => void }): JSX.Element {
  const api = useApi();
  const [branch, setBranch] = useState(`autoresearch/${props.tag}-final`);
  const [squash, setSquash] = useState(false);
  // Empty: every kept improvement. A number: only keeps at least that many standard errors above the noise.
  const [minConfidence, setMinConfidence] = useState('');
  const minText = minConfidence.trim();
  const minValue = minText === '' ? undefined : Number(minText);
  const minProblem = minValue !== undefined && !(Number.isFinite(minValue) && minValue >= 0) ? 'The minimum confidence is a number of standard errors, 0 or more (e.g. 2), or empty for every keep' : null;
  // Empty: no ablation needed. A number (the metric's unit): only keeps whose ablation contribution reaches it.
  const [minContribution, setMinContribution] = useState('');
  const contributionText = minContribution.trim();
  const contributionValue = contributionText === '' ? undefined : Number(contributionText);
  const contributionProblem = contributionValue !== undefined && !Number.isFinite(contributionValue) ? "The minimum contribution is a number in the metric's unit (e.g. 0.001), or empty" : null;
  const { state, go } = useRunAction(() =>
    api.finalizeRun({ tag: props.tag, branch: branch.trim(), squash, ...(minValue !== undefined ? { minConfidence: minValue } : {}), ...(contributionValue !== undefined ? { minContribution: contributionValue } : {}) }),
  );

  return (
    <RunActionPanel
      name="finalize"
      title={`Finalize ${props.tag}`}
      description={
        <>
          A new branch from the run's start commit with one commit per kept improvement, in order, each message with the description, the metric before → after and the experiment id; plus a
          .patch file. Your branch and files are not touched.
        </>
      }
      fields={
        <>
          <label>
            Branch <input className="mono" value={branch} onChange={(e) => setBranch(e.target.value)} data-testid="finalize-branch" />
          </label>
          <label>
            <input type="checkbox" checked={squash} onChange={(e) => setSquash(e.target.checked)} data-testid="finalize-squash" /> One squashed commit
          </label>
          <label title="Only improvements kept at least this many standard errors above the noise (the Conf. column); the others are left out and listed. Empty: every kept improvement.">
            Min. confidence{' '}
            <input
              className="mono"
              style={{ minWidth: 0, width: '5em' }}
              inputMode="decimal"
              placeholder="any"
              value={minConfidence}
              onChange={(e) => setMinConfidence(e.target.value)}
              aria-invalid={minProblem !== null}
              data-testid="finalize-min-confidence"
            />{' '}
            SE
          </label>
          <label title="Only improvements whose contribution in the run's ablation (Ablate…; the metric's unit, positive = it helped) is at least this; the others are left out and listed. Empty: no ablation needed.">
            Min. contribution{' '}
            <input
              className="mono"
              style={{ minWidth: 0, width: '6em' }}
              inputMode="decimal"
              placeholder="any"
              value={minContribution}
              onChange={(e) => setMinContribution(e.target.value)}
              aria-invalid={contributionProblem !== null}
              data-testid="finalize-min-contribution"
            />
          </label>
        </>
      }
      actionLabel="Create branch"
      busyReason="Creating the branch…"
      disabledReason={props.kept === 0 ? 'This run has no kept improvement yet' : !branch.trim() ? 'Name the branch' : (minProblem ?? contributionProblem)}
      state={state}
      onGo={() => void go()}
      onClose={props.onClose}
    >
      {state.kind === 'done' ? (
        <div data-testid="finalize-result">
          <p>
            Branch <span className="mono">{state.result.branch}</span> from <span className="mono">{state.result.startCommit.slice(0, 7)}</span>: {state.result.commits.length}{' '}
            {state.result.commits.length === 1 ? 'commit' : 'commits'}.
          </p>
          <ol className="mono">
            {state.result.commits.map((c) => (
              <li key={c.commit}>
                {c.commit.slice(0, 7)} #{c.id} {c.description} ({formatMetric(c.before)} → {formatMetric(c.after)})
              </li>
            ))}
          </ol>
          {state.result.leftOut.map((l) => (
            <p key={l.id} className="muted" data-testid="finalize-left-out">
              {l.reason}
            </p>
          ))}
          <p className="muted">
            Patch: <span className="mono">{state.result.patchFile}</span>
          </p>
        </div>
      ) : null}
    </RunActionPanel>
  );
}
