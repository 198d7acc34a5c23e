// The most recent experiments of the run, newest first, each a link to its detail.
import type { JSX } from 'react';
import type { Experiment } from '../../shared/experiment.js';
import { experimentChange } from '../../shared/wording.js';
import { ChangeText } from '../components/ChangeText.js';
import { routeHref } from '../app/router.js';
import { ConfidenceText } from '../components/ConfidenceText.js';
import { StatusBadge } from '../components/StatusBadge.js';
import { formatDuration, formatMetric } from '../components/format.js';

export function LatestExperiments(props: { readonly tag: string; readonly experiments: readonly Experiment[]; readonly direction: 'min' | 'max'; readonly count?: number }): JSX.Element {
  const latest = props.experiments.slice(-(props.count ?? 10)).reverse();
  if (latest.length === 0) return <div className="muted">No experiment yet.</div>;
  return (
    <table className="plain latest" data-testid="latest-experiments">
      <tbody>
        {latest.map((e) => {
          const change = experimentChange(e, props.direction);
          return (
            <tr key={e.id} data-testid="latest-row" data-id={e.id}>
              <td className="num">
                <a href={routeHref({ view: 'experiment', tag: props.tag, id: e.id })}>#{e.id}</a>
              </td>
              <td>
                <StatusBadge status={e.status} />
              </td>
              <td className="num">{formatMetric(e.metric)}</td>
              <td className="num">
                <ChangeText change={change} />
              </td>
              <td className="num" data-testid="latest-confidence" title="How far the gain stood above the noise when it was decided">
                <ConfidenceText z={e.confidence?.z ?? null} label={e.confidence?.label ?? null} status={e.status} />
              </td>
              <td className="latest-desc" title={e.description}>
                {e.description || <span className="faint">{e.status === 'running' ? 'proposing…' : '—'}</span>}
              </td>
              <td className="num muted">{formatDuration(e.timings.totalMs ?? e.timings.trainingMs)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
