// Setup → Metric: the number that decides keep or discard, how it is read, the others recorded with it,
// and a test of the reading on real output.
import { useStudio } from '../store/studio.js';
import { patch, type Draft } from './draft.js';
import { MetricTest } from './MetricTest.js';
import { RadioField, Section, SelectField, TextField } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

export function MetricSection({ draft, errors, setDraft, metricConfig }: SectionProps & { readonly metricConfig: unknown }) {
  const runs = useStudio((s) => s.runs);
  const metric = (changes: Partial<Draft['metric']>) => setDraft((d) => patch(d, 'metric', changes));
  return (
    <Section id="metric" title="Metric" description="One number decides keep or discard. The last occurrence in the output wins." errorCount={sectionErrorCount(errors, 'metric')}>
      <TextField path="metric.name" label="Name" mono value={draft.metric.name} onChange={(v) => metric({ name: v })} errors={errors} placeholder="val_bpb" />
      <RadioField
        path="metric.direction"
        label="Better is"
        value={draft.metric.direction}
        onChange={(v) => metric({ direction: v })}
        errors={errors}
        options={[
          { value: 'min', label: 'Lower (loss, bpb, seconds)' },
          { value: 'max', label: 'Higher (accuracy, throughput)' },
        ]}
      />
      <SelectField
        path="metric.extract.kind"
        label="Read it from"
        value={draft.metric.extractKind}
        onChange={(v) => metric({ extractKind: v })}
        errors={errors}
        options={[
          { value: 'line', label: 'A "name: value" line (autoresearch)' },
          { value: 'metric-line', label: 'A "METRIC name=value" line' },
          { value: 'regex', label: 'A regular expression' },
          { value: 'json', label: 'A JSON file the command writes' },
        ]}
      />
      {draft.metric.extractKind === 'regex' ? (
        <TextField path="metric.extract.pattern" label="Pattern" mono wide value={draft.metric.pattern} onChange={(v) => metric({ pattern: v })} errors={errors} placeholder="loss=([0-9.]+)" hint="Exactly one capture group around the number." />
      ) : null}
      {draft.metric.extractKind === 'json' ? (
        <>
          <TextField path="metric.extract.file" label="JSON file" mono value={draft.metric.jsonFile} onChange={(v) => metric({ jsonFile: v })} errors={errors} placeholder="results.json" />
          <TextField path="metric.extract.key" label="Key" mono value={draft.metric.jsonKey} onChange={(v) => metric({ jsonKey: v })} errors={errors} placeholder="eval.accuracy" hint="A dotted path to the number." />
        </>
      ) : null}
      <TextField path="metric.secondary" label="Also record" mono wide value={draft.metric.secondary} onChange={(v) => metric({ secondary: v })} errors={errors} placeholder="training_seconds, num_steps" hint="Other numbers to keep with each experiment, comma-separated." />
      <TextField path="metric.memoryMb" label="Peak memory (MB)" mono value={draft.metric.memoryMb} onChange={(v) => metric({ memoryMb: v })} errors={errors} placeholder="peak_vram_mb" hint="The number that results.tsv shows as memory_gb; empty for none." />
      <MetricTest metric={metricConfig} hasRuns={runs.length > 0} />
    </Section>
  );
}
