// A decision's confidence in a few characters, the same in the History table and the dashboard's latest
// experiments: "3.4 SE" (green for a clear keep), "≈ 1.2 SE" for a keep within the noise (it may be luck),
// "exact" for a metric without noise (repeats under varied seeds agreed), "noise unknown" when the noise was
// not known (a fixed seed's identical reruns say nothing about it), "—" when nothing was decided.
import type { JSX } from 'react';
import type { ConfidenceLabel, ExperimentStatus } from '../../shared/experiment.js';

export function ConfidenceText(props: { readonly z: number | null; readonly label: ConfidenceLabel | null; readonly status: ExperimentStatus; readonly className?: string }): JSX.Element {
  const { z, label, status } = props;
  const base = props.className ? `${props.className} ` : '';
  if (label === null) return <span className={`${base}mono faint`}>—</span>;
  if (label === 'exact' || label === 'unknown' || z === null) {
    return (
      <span
        className={`${base}mono faint`}
        data-testid={label === 'exact' ? undefined : 'noise-unknown'}
        title={label === 'exact' ? 'Repeats under different seeds agreed exactly: any gain is real' : 'The noise was not known when this was decided: set how the seed is varied (Setup → Seed), or a minimum improvement'}
      >
        {label === 'exact' ? 'exact' : 'noise unknown'}
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
