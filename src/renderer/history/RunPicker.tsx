// Choose one of the project's runs (newest first), as a compact select.
import type { JSX } from 'react';
import type { RunSummary } from '../../shared/api.js';
import { formatTime } from '../components/format.js';
import { plural } from '../../shared/wording.js';

export function runOptionLabel(r: RunSummary): string {
  const live = r.state !== 'stopped' ? ` · ${r.state}` : '';
  return `${r.tag} — ${formatTime(r.startedAt)} · ${plural(r.counts.total, 'experiment')}${live}`;
}

export function RunPicker(props: {
  readonly runs: readonly RunSummary[];
  readonly value: string | null;
  readonly onChange: (tag: string) => void;
  readonly label?: string;
  readonly testId?: string;
  readonly exclude?: string | null;
}): JSX.Element {
  const options = props.runs.filter((r) => r.tag !== props.exclude);
  const known = props.value !== null && options.some((r) => r.tag === props.value);
  return (
    <label className="run-picker">
      <span className="muted">{props.label ?? 'Run'}</span>
      <select value={known ? props.value! : ''} onChange={(e) => e.target.value && props.onChange(e.target.value)} data-testid={props.testId ?? 'run-picker'}>
        {!known ? <option value="">{props.value ? `${props.value} (not found)` : 'Choose a run…'}</option> : null}
        {options.map((r) => (
          <option key={r.tag} value={r.tag}>
            {runOptionLabel(r)}
          </option>
        ))}
      </select>
    </label>
  );
}
