// A decision's confidence in a few characters, the same in the History table and the dashboard's latest
// experiments: "3.4 SE" (green for a clear keep), "≈ 1.2 SE" for a keep within the noise (it may be luck),
// "exact" for a metric without noise, "?" when the noise was unknown, "—" when nothing was decided.
import type { JSX } from 'react';
import type { ConfidenceLabel, ExperimentStatus } from '../../shared/experiment.js';

export function ConfidenceText(props: { readonly z: number | null; readonly label: ConfidenceLabel | null; readonly status: ExperimentStatus; readonly className?: string }): JSX.Element {
  const { z, label, status } = props;
  const base = props.className ? `${props.className} ` : '';
  if (label === null) return <span className={`${base}mono faint`}>—</span>;
  if (label === 'exact' || label === 'unknown' || z === null) {
    return (
      <span className={`${base}mono faint`} title={label === 'exact' ? 'The metric has no noise: any gain is real' : 'The noise was not known when this was decided'}>
        {label === 'exact' ? 'exact' : '?'}
      </span>
    );
  }
  const noisyKeep = status === 'keep' && label === 'within-noise';
  return (
    <span
      className={`${base}mono ${noisyKeep ? 'noise-keep' : label === 'clear' && status === 'keep' ? 'good-text' : 'faint'}`}
      data-testid={noisyKeep ? 'keep-within-noise' : undefined}
      title={noisyKeep ? 'Kept, but within the noise: it may be luck' : `${z.toFixed(1)} standard errors above the noise`}
    >
      {noisyKeep ? '≈ ' : ''}
      {z.toFixed(1)} SE
    </span>
  );
}
