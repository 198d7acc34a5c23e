// Setup → Budget: the time every experiment gets, the hard timeout and the grace before SIGKILL.
import { patch, type Draft } from './draft.js';
import { NumberField, Section } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

export function BudgetSection({ draft, errors, setDraft }: SectionProps) {
  const budget = (changes: Partial<Draft['budget']>) => setDraft((d) => patch(d, 'budget', changes));
  const budgetSeconds = Number(draft.budget.seconds);
  return (
    <Section id="budget" title="Budget" description="Every experiment gets the same time, so results are comparable." errorCount={sectionErrorCount(errors, 'budget')}>
      <NumberField path="budget.seconds" label="Time budget" unit="s" value={draft.budget.seconds} onChange={(v) => budget({ seconds: v })} errors={errors} placeholder="300" hint="Given to the command as AUTORESEARCH_TIME_BUDGET." />
      <NumberField
        path="budget.timeoutSeconds"
        label="Timeout"
        unit="s"
        value={draft.budget.timeoutSeconds}
        onChange={(v) => budget({ timeoutSeconds: v })}
        errors={errors}
        placeholder={Number.isFinite(budgetSeconds) && budgetSeconds > 0 ? `${budgetSeconds * 2} (2 × budget)` : '2 × budget'}
        hint="The whole process group is killed after this; the experiment counts as a timeout."
      />
      <NumberField path="budget.graceSeconds" label="Grace period" unit="s" value={draft.budget.graceSeconds} onChange={(v) => budget({ graceSeconds: v })} errors={errors} hint="Between SIGTERM and SIGKILL." />
    </Section>
  );
}
