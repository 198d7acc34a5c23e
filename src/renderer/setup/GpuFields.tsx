// The GPU part of the Slots section: which GPUs the slots get (every one nvidia-smi finds, the ones picked,
// or none), how many each, and the plan Start will follow, slot by slot. Start leases them machine-wide,
// exactly as `autoresearch run` does, so two runs never share one.
import type { JSX } from 'react';
import type { GpuStat } from '../../shared/api.js';
import type { FieldError } from '../../shared/config.js';
import { Button } from '../components/Button.js';
import { emptySlot, type Draft, type GpuMode } from './draft.js';
import { Field, NumberField, RadioField } from './fields.js';
import { cudaOf, planGpus } from './gpu-plan.js';

export function GpuFields(props: {
  readonly gpus: Draft['gpus'];
  readonly slots: Draft['slots'];
  readonly found: readonly GpuStat[];
  readonly errors: readonly FieldError[];
  readonly onChange: (changes: Partial<Draft['gpus']>) => void;
  readonly onSlots: (slots: Draft['slots']) => void;
}): JSX.Element {
  const { gpus, found } = props;
  const perSlot = Number(gpus.perSlot);
  const plan = planGpus({ slots: props.slots, found: found.map((g) => g.index), mode: gpus.mode, picked: gpus.picked, perSlot });
  // GPUs picked earlier that nvidia-smi does not report now stay listed, so unticking them is possible.
  const choices = [...found.map((g) => ({ id: String(g.index), label: `${g.index} · ${g.name}`, missing: false })), ...gpus.picked.filter((id) => !found.some((g) => String(g.index) === id)).map((id) => ({ id, label: `${id} (not found now)`, missing: true }))];
  const usable = gpus.mode === 'pick' ? gpus.picked.length : found.length;
  const per = Number.isInteger(perSlot) && perSlot >= 1 ? perSlot : 1;
  const slotsForGpus = Math.floor(usable / per);
  const toggle = (id: string) => props.onChange({ picked: gpus.picked.includes(id) ? gpus.picked.filter((g) => g !== id) : [...gpus.picked, id].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) });
  return (
    <div className="gpu-fields" data-testid="gpu-fields">
      <RadioField<GpuMode>
        path="gpus.mode"
        label="GPUs"
        value={gpus.mode}
        onChange={(mode) => props.onChange({ mode, ...(mode === 'pick' && gpus.picked.length === 0 ? { picked: found.map((g) => String(g.index)) } : {}) })}
        errors={props.errors}
        options={[
          { value: 'all', label: found.length ? `Every GPU found (${found.length})` : 'Every GPU found (none now)' },
          { value: 'pick', label: 'These…' },
          { value: 'none', label: 'None' },
        ]}
      />
      {gpus.mode === 'pick' ? (
        <Field path="gpus.use" label="Use GPUs" errors={props.errors} hint="GPUs another run holds are skipped at Start.">
          {() => (
            <span className="gpu-picks" data-testid="field-gpus.use">
              {choices.length === 0 ? <span className="faint">No NVIDIA GPU found</span> : null}
              {choices.map((c) => (
                <label key={c.id} className={`radio${c.missing ? ' faint' : ''}`}>
                  <input type="checkbox" checked={gpus.picked.includes(c.id)} onChange={() => toggle(c.id)} data-testid={`gpu-pick-${c.id}`} />
                  <span className="mono">{c.label}</span>
                </label>
              ))}
            </span>
          )}
        </Field>
      ) : null}
      {gpus.mode !== 'none' ? <NumberField path="gpus.perSlot" label="GPUs per slot" value={gpus.perSlot} onChange={(v) => props.onChange({ perSlot: v })} errors={props.errors} /> : null}
      <div className={`gpu-plan${plan.problem ? ' warn-text' : ''}`} data-testid="gpu-plan" data-problem={plan.problem}>
        <div>{plan.summary}</div>
        {plan.slots.some((s) => s.gpus || s.own) ? (
          <div className="gpu-plan-slots mono">
            {plan.slots.map((s) => (
              <span key={s.slot} data-testid="gpu-plan-slot" data-slot={s.slot}>
                slot {s.slot} → {s.gpus ? `GPU ${s.gpus.join(',')}` : s.own ? `GPU ${s.own} (its own)` : s.remote ? 'its host’s' : '—'}
              </span>
            ))}
          </div>
        ) : null}
        {gpus.mode !== 'none' && slotsForGpus >= 1 && slotsForGpus !== props.slots.length ? (
          <Button
            size="small"
            onClick={() => props.onSlots(Array.from({ length: slotsForGpus }, (_, i) => ({ ...(props.slots[i] ?? emptySlot()), env: withoutCuda(props.slots[i]?.env ?? '') })))}
            data-testid="slots-per-gpu"
            title="One slot for each GPU (or each group of GPUs per slot); their CUDA_VISIBLE_DEVICES is assigned at Start"
          >
            {per === 1 ? `One slot per GPU (${slotsForGpus})` : `${slotsForGpus} slots × ${per} GPUs`}
          </Button>
        ) : null}
      </div>
    </div>
  );
}

/** A slot's environment without CUDA_VISIBLE_DEVICES (Start assigns it). */
function withoutCuda(envText: string): string {
  return cudaOf(envText) === null ? envText : envText.split('\n').filter((l) => !/^\s*CUDA_VISIBLE_DEVICES\s*=/.test(l)).join('\n');
}
