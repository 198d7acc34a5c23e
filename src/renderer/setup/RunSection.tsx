// Setup → Run: the command that runs one experiment, its setup command and environment, and the log cap.
import { patch, type Draft } from './draft.js';
import { NumberField, Section, TextAreaField, TextField } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

export function RunSection({ draft, errors, setDraft }: SectionProps) {
  const run = (changes: Partial<Draft['run']>) => setDraft((d) => patch(d, 'run', changes));
  return (
    <Section id="run" title="Run" description="The command that runs one experiment in the project folder (one worktree per slot)." errorCount={sectionErrorCount(errors, 'run')}>
      <TextField path="run.command" label="Run command" mono wide value={draft.run.command} onChange={(v) => run({ command: v })} errors={errors} placeholder="uv run train.py" hint="Runs with AUTORESEARCH_TIME_BUDGET set; its output goes to the experiment's log." />
      <TextField path="run.setup" label="Setup command" mono wide value={draft.run.setup} onChange={(v) => run({ setup: v })} errors={errors} placeholder="uv run prepare.py (optional)" hint="Runs once when a run starts, e.g. data preparation. Leave empty for none." />
      <TextAreaField path="run.env" label="Environment" value={draft.run.env} onChange={(v) => run({ env: v })} errors={errors} placeholder="NAME=value, one per line" rows={2} />
      <NumberField path="logMaxBytes" label="Log cap" unit="MiB" value={draft.logMaxMb} onChange={(v) => setDraft((d) => ({ ...d, logMaxMb: v }))} errors={errors} hint="Each experiment's log keeps its head and tail within this size." />
    </Section>
  );
}
