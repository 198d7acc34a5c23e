// Setup → Hooks: the project's own commands, run before and after each experiment and when a run starts and
// stops, each in the sandbox with a JSON record on stdin (config-hooks.ts). A before-hook's output becomes a
// steering note for the agent; a failing hook is logged, and stops the run only where the form says so.
import { HOOK_NAMES, HOOK_WHAT, type HookName } from '../../shared/config.js';
import { patch, type Draft } from './draft.js';
import { NumberField, RadioField, Section, SelectField, TextField } from './fields.js';
import type { HookDraft, HookOnFail } from './hooks-draft.js';
import { sectionErrorCount, type SectionProps } from './setup-sections.js';

const LABELS: Readonly<Record<HookName, string>> = {
  beforeExperiment: 'Before each experiment',
  afterExperiment: 'After each experiment',
  runStart: 'When a run starts',
  runStop: 'When a run stops',
};

const PLACEHOLDERS: Readonly<Record<HookName, string>> = {
  beforeExperiment: 'python hooks/advice.py (optional)',
  afterExperiment: 'python hooks/notify.py (optional)',
  runStart: 'python hooks/announce.py (optional)',
  runStop: 'python hooks/summary.py (optional)',
};

export function HooksSection({ draft, errors, setDraft }: SectionProps) {
  const h = draft.hooks;
  const set = (changes: Partial<Draft['hooks']>) => setDraft((d) => patch(d, 'hooks', changes));
  const setHook = (name: HookName, changes: Partial<HookDraft>) => setDraft((d) => patch(d, 'hooks', { [name]: { ...d.hooks[name], ...changes } }));
  const any = HOOK_NAMES.some((name) => h[name].command.trim() !== '');
  return (
    <Section
      id="hooks"
      title="Hooks"
      description="Optional: your own commands, run by the app in the sandbox, each with a JSON record on stdin (the experiment, or the run's figures). What the before-experiment hook prints becomes a steering note for the agent. A hook that fails is logged in the run; the run goes on unless you say otherwise."
      errorCount={sectionErrorCount(errors, 'hooks')}
    >
      {HOOK_NAMES.map((name) => (
        <div key={name} className="hook" data-testid={`hook-${name}`}>
          <TextField path={`hooks.${name}.command`} label={LABELS[name]} mono wide value={h[name].command} onChange={(v) => setHook(name, { command: v })} errors={errors} placeholder={PLACEHOLDERS[name]} hint={`Empty: none. It ${HOOK_WHAT[name]}.`} />
          {h[name].command.trim() !== '' ? (
            <>
              <SelectField<HookOnFail>
                path={`hooks.${name}.failStopsRun`}
                label="If it fails"
                value={h[name].onFail}
                onChange={(v) => setHook(name, { onFail: v })}
                errors={errors}
                options={[
                  { value: 'section', label: 'As set for all hooks below' },
                  { value: 'continue', label: 'Log it, the run goes on' },
                  { value: 'stop', label: 'Stop the run' },
                ]}
              />
              <NumberField path={`hooks.${name}.timeoutSeconds`} label="Time limit" unit="s" value={h[name].timeoutSeconds} onChange={(v) => setHook(name, { timeoutSeconds: v })} errors={errors} placeholder={h.timeoutSeconds} hint="Empty: the limit for all hooks." />
            </>
          ) : null}
        </div>
      ))}
      {any ? (
        <>
          <RadioField<'continue' | 'stop'>
            path="hooks.failStopsRun"
            label="A failing hook"
            value={h.failStopsRun ? 'stop' : 'continue'}
            onChange={(v) => set({ failStopsRun: v === 'stop' })}
            errors={errors}
            options={[
              { value: 'continue', label: 'Is logged, the run goes on' },
              { value: 'stop', label: 'Stops the run' },
            ]}
          />
          <NumberField path="hooks.timeoutSeconds" label="Time limit" unit="s" value={h.timeoutSeconds} onChange={(v) => set({ timeoutSeconds: v })} errors={errors} hint="For one run of a hook; its whole process group is killed after it." />
        </>
      ) : null}
    </Section>
  );
}
