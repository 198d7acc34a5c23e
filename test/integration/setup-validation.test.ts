// Setup is checked when it is saved, not at Start: an editable glob that matches no file, a command whose
// program is not installed here, a regular expression that is not one. Real git repositories, a real PATH of
// real executables, and the studio's own validateConfig/saveConfig.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createEnvSecretStore, createStudio, type Studio } from '../../src/core/studio/index.js';
import { commandProgram, validateSetup } from '../../src/core/project/validate-setup.js';
import { parseConfig, type ProjectConfig } from '../../src/shared/config.js';
import { cleanupTempDirs, makeRepo, REPO_ROOT, tempDir } from '../helpers/project.js';
import { linkTestTrust } from '../helpers/trust.js';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.dispose();
  studio = null;
  cleanupTempDirs();
});

/** A PATH of one folder holding the named executables (tiny shell scripts), and nothing else. */
function pathWith(...programs: string[]): string {
  const bin = tempDir('ar-bin-');
  for (const name of programs) {
    writeFileSync(path.join(bin, name), '#!/bin/sh\nexit 0\n');
    chmodSync(path.join(bin, name), 0o755);
  }
  return bin;
}

function config(over: Record<string, unknown>): ProjectConfig {
  const parsed = parseConfig({ run: { command: 'python3 train.py' }, files: { editable: ['train.py'] }, metric: { name: 'val_bpb', direction: 'min' }, budget: { seconds: 5 }, ...over });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.config;
}

describe('commandProgram', () => {
  it('finds the program a command line starts, after assignments and through quotes', () => {
    expect(commandProgram('uv run train.py')).toBe('uv');
    expect(commandProgram('CUDA_VISIBLE_DEVICES=0 "python3" train.py')).toBe('python3');
    expect(commandProgram('./run.sh --fast')).toBe('./run.sh');
    // Shell syntax it cannot follow is left alone rather than guessed.
    expect(commandProgram('cd sub && uv run x.py')).toBeNull();
    expect(commandProgram('$PYTHON train.py')).toBeNull();
  });
});

describe('validateSetup', () => {
  it('names the field, says what is wrong and what to do', async () => {
    const dir = makeRepo({ 'train.py': 'LR = 0.1\n', 'prepare.py': '' });
    const env = { PATH: pathWith('python3') };
    expect(await validateSetup(dir, config({}), env)).toEqual([]);

    const errors = await validateSetup(dir, config({ run: { command: 'uv run train.py', setup: './prep.sh' }, files: { editable: ['train.py', 'model/*.py'] }, acceptance: { guardCommand: 'pytest -q' } }), env);
    expect(errors.map((e) => e.path)).toEqual(['files.editable.1', 'run.command', 'run.setup', 'acceptance.guardCommand']);
    expect(errors[0]!.message).toMatch(/^The editable pattern "model\/\*\.py" matches no committed file.*committed files include: .*train\.py/);
    expect(errors[1]!.message).toBe('uv is not installed: install it (https://docs.astral.sh/uv/) or change the run command');
    expect(errors[2]!.message).toBe('./prep.sh does not exist in the project: create it, or fix the path in the setup command');
    expect(errors[3]!.message).toBe('pytest is not installed: install it (it is not on PATH) or change the guard command');

    // The run's own PATH wins over the app's; a program there is found.
    const withUv = config({ run: { command: 'uv run train.py', env: { PATH: pathWith('uv') } } });
    expect(await validateSetup(dir, withUv, env)).toEqual([]);
    // Slots that run elsewhere have a PATH of their own: the command is not judged here.
    const remote = config({ run: { command: 'uv run train.py' }, slots: [{ executor: { kind: 'ssh', host: 'gpu1', remoteDir: '/scratch/ar' } }] });
    expect(await validateSetup(dir, remote, env)).toEqual([]);
  });

  it('a regular expression error is said in words, without the engine\'s copy of the pattern', () => {
    const parsed = parseConfig({ run: { command: 'x' }, files: { editable: ['a'] }, metric: { name: 'val_bpb', direction: 'min', extract: { kind: 'regex', pattern: 'val_bpb:\\s*(|' } }, budget: { seconds: 5 } });
    expect(parsed.ok).toBe(false);
    const message = !parsed.ok ? parsed.errors.find((e) => e.path.startsWith('metric.extract'))?.message : '';
    expect(message).toBe('The pattern is not a valid regular expression: a "(" is never closed: add the ")" that ends the group, e.g. val_bpb:\\s*([0-9.]+)');
    expect(message).not.toContain('/val_bpb');
  });
});

describe('the studio checks on save', () => {
  it('refuses to save a run command whose program is not installed, and saves once it is fixed', async () => {
    const dataDir = linkTestTrust(tempDir('ar-data-'));
    const bin = pathWith('python3');
    studio = await createStudio({ app: { version: 'test', host: 'serve', platform: process.platform }, dataDir, appRoot: REPO_ROOT, secrets: createEnvSecretStore({}), env: { ...process.env, PATH: bin } });
    const dir = makeRepo({ 'train.py': 'LR = 0.1\n' });
    mkdirSync(path.join(dir, '.autoresearch'), { recursive: true });
    await studio.api.openProject({ dir });
    const draft = { run: { command: 'uv run train.py' }, files: { editable: ['train.py'] }, metric: { name: 'val_bpb', direction: 'min' }, budget: { seconds: 5 } };

    const live = await studio.api.validateConfig({ config: draft });
    expect(live.errors).toEqual([{ path: 'run.command', message: 'uv is not installed: install it (https://docs.astral.sh/uv/) or change the run command' }]);
    const refused = await studio.api.saveConfig({ config: draft });
    expect(refused.ok).toBe(false);
    expect(existsSync(path.join(dir, '.autoresearch', 'config.json'))).toBe(false);

    const saved = await studio.api.saveConfig({ config: { ...draft, run: { command: 'python3 train.py' } } });
    expect(saved.ok).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dir, '.autoresearch', 'config.json'), 'utf8')).run.command).toBe('python3 train.py');
  });
});
