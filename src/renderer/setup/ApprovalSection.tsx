// Setup → Approval: which proposals wait for the researcher before they run.
import { patch, type Draft } from './draft.js';
import { NumberField, RadioField, Section } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

export function ApprovalSection({ draft, errors, setDraft }: SectionProps) {
  const approval = (changes: Partial<Draft['approval']>) => setDraft((d) => patch(d, 'approval', changes));
  return (
    <Section id="approval" title="Approval" description="Proposals that wait for you before they run; the other slots keep working meanwhile." errorCount={sectionErrorCount(errors, 'approval')}>
      <RadioField
        path="approval.mode"
        label="Ask me before running"
        value={draft.approval.mode}
        onChange={(v) => approval({ mode: v })}
        errors={errors}
        options={[
          { value: 'off', label: 'Never (run every proposal)' },
          { value: 'large', label: 'Large proposals' },
          { value: 'all', label: 'Every proposal' },
        ]}
      />
      {draft.approval.mode === 'large' ? (
        <NumberField path="approval.overLines" label="Large means over" unit="lines" value={draft.approval.overLines} onChange={(v) => approval({ overLines: v })} errors={errors} hint="Lines added plus lines removed by the proposal." />
      ) : null}
    </Section>
  );
}
