// The hooks section of the config (shared/config-hooks.ts): none by default, each hook's limit and failStopsRun
// taken from the section unless it sets its own, a misspelt hook refused by name, an empty command refused with
// what to write; Setup's form keeps every hook's settings through a save.
import { describe, expect, it } from 'vitest';
import { fromDraft, toDraft } from '../../src/renderer/setup/draft.js';
import { effectiveHook, parseConfig, type ProjectConfigInput } from '../../src/shared/config.js';

const valid = {
  run: { command: 'python3 train.py' },
  files: { editable: ['train.py'] },
  metric: { name: 'val_bpb', direction: 'min' },
  budget: { seconds: 10 },
};

const parsed = (raw: unknown) => {
  const r = parseConfig(raw);
  if (!r.ok) throw new Error(r.errors.map((e) => `${e.path}: ${e.message}`).join('; '));
  return r.config;
};

describe('config.hooks', () => {
  it('runs nothing unless a hook is written', () => {
    const { hooks } = parsed(valid);
    expect(hooks).toEqual({ beforeExperiment: null, afterExperiment: null, runStart: null, runStop: null, failStopsRun: false, timeoutSeconds: 60 });
    expect(effectiveHook(hooks, 'afterExperiment')).toBeNull();
  });

  it("a hook takes the section's failStopsRun and timeout unless it sets its own", () => {
    const { hooks } = parsed({ ...valid, hooks: { failStopsRun: true, timeoutSeconds: 30, runStart: { command: 'notify start' }, runStop: { command: 'notify stop', failStopsRun: false, timeoutSeconds: 5 } } });
    expect(effectiveHook(hooks, 'runStart')).toEqual({ command: 'notify start', failStopsRun: true, timeoutSeconds: 30 });
    expect(effectiveHook(hooks, 'runStop')).toEqual({ command: 'notify stop', failStopsRun: false, timeoutSeconds: 5 });
  });

  it('refuses a misspelt hook by name and an empty command with what to write', () => {
    const r = parseConfig({ ...valid, hooks: { afterExperment: { command: 'x' }, beforeExperiment: { command: '  ' } } });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const byPath = Object.fromEntries(r.errors.map((e) => [e.path, e.message]));
    expect(byPath['hooks.afterExperment']).toMatch(/did you mean "hooks\.afterExperiment"\?/);
    expect(byPath['hooks.beforeExperiment.command']).toBe('Enter the hook command, e.g. python hooks/notify.py, or remove the hook');
  });

  it('a saved config with hooks parses again', () => {
    const config = parsed({ ...valid, hooks: { afterExperiment: { command: 'python hooks/log.py' } } });
    expect(parsed(JSON.parse(JSON.stringify(config))).hooks.afterExperiment?.command).toBe('python hooks/log.py');
  });
});

describe("Setup's hooks form", () => {
  it('keeps each hook and its own settings through the form, and an emptied command is no hook', () => {
    const hooks: ProjectConfigInput['hooks'] = { timeoutSeconds: 20, failStopsRun: true, afterExperiment: { command: 'python hooks/log.py', failStopsRun: false, timeoutSeconds: 5 }, runStop: { command: 'notify stop' } };
    const draft = toDraft({ ...valid, hooks } as ProjectConfigInput);
    expect(draft.hooks.afterExperiment).toEqual({ command: 'python hooks/log.py', onFail: 'continue', timeoutSeconds: '5' });
    expect(draft.hooks.runStop).toEqual({ command: 'notify stop', onFail: 'section', timeoutSeconds: '' });
    expect(parsed(fromDraft(draft).config).hooks).toEqual(parsed({ ...valid, hooks }).hooks);
    const emptied = fromDraft({ ...draft, hooks: { ...draft.hooks, runStop: { ...draft.hooks.runStop, command: '  ' }, beforeExperiment: { command: 'advice', onFail: 'stop', timeoutSeconds: '' } } });
    expect(parsed(emptied.config).hooks).toMatchObject({ runStop: null, beforeExperiment: { command: 'advice', failStopsRun: true, timeoutSeconds: null } });
  });

  it('says where a limit is not a number', () => {
    const draft = toDraft({ ...valid, hooks: { runStart: { command: 'x' } } } as ProjectConfigInput);
    const { errors } = fromDraft({ ...draft, hooks: { ...draft.hooks, runStart: { ...draft.hooks.runStart, timeoutSeconds: 'soon' } } });
    expect(errors).toEqual([{ path: 'hooks.runStart.timeoutSeconds', message: '"soon" is not a number' }]);
  });
});
