// The environment agent-written code gets (an allowlist, secret-looking names removed unless handed on by
// name) and the Setup form's sandbox fields, which must survive a save.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentEnv, sandboxEnv } from '../../src/core/agent/secrets-env.js';
import { fromDraft, toDraft } from '../../src/renderer/setup/draft.js';
import { parseConfig } from '../../src/shared/config.js';

const APP_ENV = {
  PATH: '/usr/bin',
  HOME: '/home/u',
  LANG: 'en_US.UTF-8',
  LC_ALL: 'C',
  CUDA_VISIBLE_DEVICES: '0',
  PYTHONPATH: '/x',
  HF_HOME: '/data/hf',
  OMP_NUM_THREADS: '4',
  OPENAI_API_KEY: 'sk-openai',
  ANTHROPIC_API_KEY: 'sk-ant',
  ANTHROPIC_AUTH_TOKEN: 'tok',
  HF_TOKEN: 'hf_x',
  WANDB_API_KEY: 'w',
  DB_PASSWORD: 'p',
  MY_CLIENT_SECRET_VALUE: 's',
  AWS_CREDENTIALS_FILE: '/c',
  DATABASE_URL: 'postgres://u:p@h/db',
  DISPLAY: ':0',
};

describe('sandboxEnv', () => {
  it('passes the allowlist and drops everything else, secret-looking names even inside an allowed family', () => {
    expect(sandboxEnv(APP_ENV)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/u',
      LANG: 'en_US.UTF-8',
      LC_ALL: 'C',
      CUDA_VISIBLE_DEVICES: '0',
      PYTHONPATH: '/x',
      HF_HOME: '/data/hf',
      OMP_NUM_THREADS: '4',
    });
  });

  it('hands on what sandbox.passEnv or the app\'s AUTORESEARCH_PASS_ENV names, and nothing more', () => {
    const env = sandboxEnv({ ...APP_ENV, AUTORESEARCH_PASS_ENV: 'DATABASE_URL, DISPLAY' }, ['WANDB_API_KEY']);
    expect(env.WANDB_API_KEY).toBe('w');
    expect(env.DATABASE_URL).toBe('postgres://u:p@h/db');
    expect(env.DISPLAY).toBe(':0');
    for (const name of ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'HF_TOKEN', 'DB_PASSWORD']) expect(env[name], name).toBeUndefined();
  });

  it('gives a command agent the same allowlist plus the app\'s own variables', () => {
    const env = agentEnv(APP_ENV, { AUTORESEARCH_PROMPT_FILE: '/p' });
    expect(env.ANTHROPIC_API_KEY).toBeUndefined();
    expect(env.OPENAI_API_KEY).toBeUndefined();
    expect(env.AUTORESEARCH_PROMPT_FILE).toBe('/p');
    expect(agentEnv(APP_ENV, {}, ['ANTHROPIC_API_KEY']).ANTHROPIC_API_KEY).toBe('sk-ant');
  });
});

describe('the Setup form\'s sandbox section', () => {
  it('keeps every sandbox setting through a save, and starts from the defaults', async () => {
    const raw = JSON.parse(await readFile(path.resolve('resources/demo/.autoresearch/config.json'), 'utf8'));
    const parsed = parseConfig({ ...raw, sandbox: { network: false, readOnlyInputs: false, writableCaches: false, passEnv: ['WANDB_API_KEY', 'DATA_DIR'] } });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const draft = toDraft(parsed.config);
    expect(draft.sandbox.passEnv).toBe('WANDB_API_KEY, DATA_DIR');
    const back = parseConfig(fromDraft(draft).config);
    expect(back.ok && back.config.sandbox).toEqual(parsed.config.sandbox);
    expect(toDraft(null).sandbox).toEqual({ network: true, readOnlyInputs: true, writableCaches: true, passEnv: '' });
  });

  it('refuses a passEnv entry that is not a variable name, at its field', () => {
    const bad = parseConfig({ run: { command: 'x' }, files: { editable: ['a'] }, metric: { name: 'm', direction: 'min' }, budget: { seconds: 5 }, sandbox: { passEnv: ['OK_NAME', 'two words'] } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors).toEqual([{ path: 'sandbox.passEnv.1', message: expect.stringMatching(/variable names/) }]);
  });
});
