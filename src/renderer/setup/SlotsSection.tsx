// Setup → Slots: the parallel slots, where each runs, and the GPUs they are given.
import { Button } from '../components/Button.js';
import { useStudio } from '../store/studio.js';
import { emptySlot, patch } from './draft.js';
import { GpuFields } from './GpuFields.js';
import { SlotFields } from './SlotFields.js';
import { Section } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

export function SlotsSection({ draft, errors, setDraft, slotConfigs }: SectionProps & { readonly slotConfigs: readonly unknown[] }) {
  const gpus = useStudio((s) => s.gpus);
  return (
    <Section id="slots" title="Slots" description="Experiments run in parallel, one per slot, each in its own worktree with its own environment, on this machine, a Slurm cluster or an SSH host." errorCount={sectionErrorCount(errors, 'slots')}>
      {draft.slots.map((slot, i) => (
        <SlotFields
          key={i}
          index={i}
          slot={slot}
          config={slotConfigs[i]}
          errors={errors}
          onChange={(next) => setDraft((d) => ({ ...d, slots: d.slots.map((s, j) => (j === i ? next : s)) }))}
          onRemove={draft.slots.length > 1 ? () => setDraft((d) => ({ ...d, slots: d.slots.filter((_, j) => j !== i) })) : null}
        />
      ))}
      <div className="row" style={{ paddingLeft: 'calc(var(--label-width) + 10px)' }}>
        <Button size="small" onClick={() => setDraft((d) => ({ ...d, slots: [...d.slots, emptySlot()] }))} data-testid="slot-add">
          Add a slot
        </Button>
      </div>
      <GpuFields gpus={draft.gpus} slots={draft.slots} found={gpus} errors={errors} onChange={(changes) => setDraft((d) => patch(d, 'gpus', changes))} onSlots={(slots) => setDraft((d) => ({ ...d, slots }))} />
    </Section>
  );
}
