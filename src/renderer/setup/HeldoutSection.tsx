// Setup → Held-out check: an optional second command that evaluates kept code on data the search never uses,
// with its own metric. Shown beside the search metric in History, the dashboard and the reports; never to the agent.
import { patch, type Draft } from './draft.js';
import { NumberField, RadioField, Section, SelectField, TextField } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

export function HeldoutSection({ draft, errors, setDraft }: SectionProps) {
  const h = draft.heldout;
  const set = (changes: Partial<Draft['heldout']>) => setDraft((d) => patch(d, 'heldout', changes));
  const on = h.command.trim() !== '';
  return (
    <Section
      id="heldout"
      title="Held-out check"
      description="Optional: a command that evaluates the kept code on data the search never uses (a test split, a downstream task). The agent never sees it; the app warns when gains on the search metric do not carry over."
      errorCount={sectionErrorCount(errors, 'heldout')}
    >
      <TextField path="heldout.command" label="Command" mono wide value={h.command} onChange={(v) => set({ command: v })} errors={errors} placeholder="python eval.py --split test (optional)" hint="Runs in the kept commit's worktree, in the sandbox. Empty: no held-out check." />
      {on ? (
        <>
          <TextField path="heldout.metric.name" label="Metric name" mono value={h.name} onChange={(v) => set({ name: v })} errors={errors} placeholder="test_loss" />
          <RadioField
            path="heldout.metric.direction"
            label="Better is"
            value={h.direction}
            onChange={(v) => set({ direction: v })}
            errors={errors}
            options={[
              { value: 'min', label: 'Lower' },
              { value: 'max', label: 'Higher' },
            ]}
          />
          <SelectField
            path="heldout.metric.extract.kind"
            label="Read it from"
            value={h.extractKind}
            onChange={(v) => set({ extractKind: v })}
            errors={errors}
            options={[
              { value: 'line', label: 'A "name: value" line' },
              { value: 'metric-line', label: 'A "METRIC name=value" line' },
              { value: 'regex', label: 'A regular expression' },
              { value: 'json', label: 'A JSON file the command writes' },
            ]}
          />
          {h.extractKind === 'regex' ? <TextField path="heldout.metric.extract.pattern" label="Pattern" mono wide value={h.pattern} onChange={(v) => set({ pattern: v })} errors={errors} placeholder="test_loss=([0-9.]+)" /> : null}
          {h.extractKind === 'json' ? (
            <>
              <TextField path="heldout.metric.extract.file" label="JSON file" mono value={h.jsonFile} onChange={(v) => set({ jsonFile: v })} errors={errors} placeholder="heldout.json" />
              <TextField path="heldout.metric.extract.key" label="Key" mono value={h.jsonKey} onChange={(v) => set({ jsonKey: v })} errors={errors} placeholder="test.loss" />
            </>
          ) : null}
          <SelectField
            path="heldout.when"
            label="Run it"
            value={h.when}
            onChange={(v) => set({ when: v })}
            errors={errors}
            options={[
              { value: 'each-keep', label: 'After the baseline and each keep' },
              { value: 'end', label: 'At the end, on the baseline and the best' },
            ]}
          />
          <NumberField path="heldout.timeoutSeconds" label="Timeout" unit="s" value={h.timeoutSeconds} onChange={(v) => set({ timeoutSeconds: v })} errors={errors} />
        </>
      ) : null}
    </Section>
  );
}
