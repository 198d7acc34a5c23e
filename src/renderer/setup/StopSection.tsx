// Setup → Stop conditions: the limits that end a run on their own.
import { patch, type Draft } from './draft.js';
import { NumberField, Section } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';
import { WebhookBox } from './WebhookBox.js';

export function StopSection({ draft, errors, setDraft }: SectionProps) {
  const stop = (changes: Partial<Draft['stop']>) => setDraft((d) => patch(d, 'stop', changes));
  return (
    <Section id="stop" title="Stop conditions" description="Empty means no limit; the loop otherwise runs until you stop it." errorCount={sectionErrorCount(errors, 'stop')}>
      <NumberField path="stop.maxExperiments" label="Max experiments" value={draft.stop.maxExperiments} onChange={(v) => stop({ maxExperiments: v })} errors={errors} placeholder="no limit" hint="After the baseline." />
      <NumberField path="stop.maxHours" label="Max hours" unit="h" value={draft.stop.maxHours} onChange={(v) => stop({ maxHours: v })} errors={errors} placeholder="no limit" />
      <NumberField path="stop.maxCostUsd" label="Max agent cost" unit="USD" value={draft.stop.maxCostUsd} onChange={(v) => stop({ maxCostUsd: v })} errors={errors} placeholder="no limit" />
      <NumberField path="stop.target" label="Target metric" value={draft.stop.target} onChange={(v) => stop({ target: v })} errors={errors} placeholder="none" hint="Stop when the best reaches it." />
      <NumberField path="stop.maxConsecutiveFailures" label="Failures in a row" value={draft.stop.maxConsecutiveFailures} onChange={(v) => stop({ maxConsecutiveFailures: v })} errors={errors} hint="Crashes, timeouts or rejections before the run stops (circuit breaker)." />
      <WebhookBox />
    </Section>
  );
}
