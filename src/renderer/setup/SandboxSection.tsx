// Setup → Sandbox: what the trainer, the setup and guard commands and a command agent may reach (bubblewrap on
// Linux). Each choice says its default, since the trust review shows this section to the user before a run.
import { patch, type Draft } from './draft.js';
import { RadioField, Section, TextField } from './fields.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

type OnOff = 'on' | 'off';
const onOff = (b: boolean): OnOff => (b ? 'on' : 'off');

export function SandboxSection({ draft, errors, setDraft }: SectionProps) {
  const sandbox = (changes: Partial<Draft['sandbox']>) => setDraft((d) => patch(d, 'sandbox', changes));
  return (
    <Section
      id="sandbox"
      title="Sandbox"
      description="Agent-written code sees nothing of your home folder but the project, its linked inputs, your Python toolchains and downloaded models, and no variable of your environment beyond the basics (PATH, LANG, CUDA_*, PYTHON*, HF_* …) unless named below."
      errorCount={sectionErrorCount(errors, 'sandbox')}
    >
      <RadioField<OnOff>
        path="sandbox.network"
        label="Network"
        value={onOff(draft.sandbox.network)}
        onChange={(v) => sandbox({ network: v === 'on' })}
        errors={errors}
        hint="On by default (downloads, experiment trackers). Off leaves the trainer, setup and guard only their own loopback; a command agent always has the network."
        options={[
          { value: 'on', label: 'On (default)' },
          { value: 'off', label: 'Off (loopback only)' },
        ]}
      />
      <RadioField<OnOff>
        path="sandbox.readOnlyInputs"
        label="Linked inputs"
        value={onOff(draft.sandbox.readOnlyInputs)}
        onChange={(v) => sandbox({ readOnlyInputs: v === 'on' })}
        errors={errors}
        hint="Read-only by default, so a trainer cannot plant code in the .venv or data you use yourself. Writable only for inputs the trainer must write (a state folder)."
        options={[
          { value: 'on', label: 'Read-only (default)' },
          { value: 'off', label: 'Writable' },
        ]}
      />
      <RadioField<OnOff>
        path="sandbox.writableCaches"
        label="Caches"
        value={onOff(draft.sandbox.writableCaches)}
        onChange={(v) => sandbox({ writableCaches: v === 'on' })}
        errors={errors}
        hint="By default each slot has its own /tmp, ~/.cache and ~/.triton for the run (torch.compile's and Triton's caches are not rebuilt every experiment), removed at its end, and downloaded models are writable. Otherwise /tmp alone lasts the run."
        options={[
          { value: 'on', label: 'Per slot, for the run (default)' },
          { value: 'off', label: 'None kept' },
        ]}
      />
      <TextField
        path="sandbox.passEnv"
        label="Pass these variables"
        value={draft.sandbox.passEnv}
        onChange={(v) => sandbox({ passEnv: v })}
        errors={errors}
        mono
        wide
        placeholder="WANDB_API_KEY, DATA_DIR"
        hint="Names from your environment handed on anyway, keys included (ANTHROPIC_API_KEY for a `claude -p` agent). Keys like *_KEY, *_TOKEN, *SECRET*, *PASSWORD* are never passed otherwise."
      />
    </Section>
  );
}
