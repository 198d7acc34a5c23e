// Setup → Early stopping (issue #23): a candidate whose intermediate curve is clearly worse than the best's at the
// same step is stopped before its budget ends. The curve is read with a pattern like the metric's; every run's
// curve is recorded when a pattern is set, so the History can show it even with stopping off.
import { useStudio } from '../store/studio.js';
import { CurveTest } from './CurveTest.js';
import { patch, type Draft } from './draft.js';
import { NumberField, RadioField, Section, TextField } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

type OnOff = 'on' | 'off';

export function EarlyStopSection({ draft, errors, setDraft }: SectionProps) {
  const es = draft.earlyStop;
  const runs = useStudio((s) => s.runs);
  const set = (changes: Partial<Draft['earlyStop']>) => setDraft((d) => patch(d, 'earlyStop', changes));
  return (
    <Section
      id="earlyStop"
      title="Early stopping"
      description="Stop a candidate whose learning curve is clearly worse than the best's at the same step, and spend the time on the next one."
      errorCount={sectionErrorCount(errors, 'earlyStop')}
    >
      <RadioField<OnOff>
        path="earlyStop.enabled"
        label="Stop hopeless runs"
        value={es.enabled ? 'on' : 'off'}
        onChange={(v) => set({ enabled: v === 'on' })}
        errors={errors}
        options={[
          { value: 'off', label: 'Off (default: every run finishes)' },
          { value: 'on', label: 'On' },
        ]}
      />
      <TextField
        path="earlyStop.pattern"
        label="Intermediate metric"
        mono
        value={es.pattern}
        onChange={(pattern) => set({ pattern })}
        errors={errors}
        placeholder="step (\d+) .* val_loss ([0-9.]+)"
        hint="A regular expression: two groups (step, value), or one (value; then the x axis is the seconds since the run started)."
      />
      <CurveTest pattern={es.pattern} hasRuns={runs.length > 0} />
      <NumberField path="earlyStop.minFraction" label="Never before" unit="of the budget" value={es.minFraction} onChange={(minFraction) => set({ minFraction })} errors={errors} hint="0.3 = no run is stopped in its first 30 % of the time budget." />
      <NumberField
        path="earlyStop.margin"
        label="Worse by more than"
        unit="× the noise"
        value={es.margin}
        onChange={(margin) => set({ margin })}
        errors={errors}
        hint="The noise is the spread of the best's (or the baseline's) repeated curves at that step."
      />
    </Section>
  );
}
