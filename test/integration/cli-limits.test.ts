// Limits and odd input get one line that says what to do, and leave nothing behind: too many slots, a
// missing or non-git folder under --detach, negative numbers and dash-first values, a config saved with a
// byte-order mark (accepted), a run.env too large for any command's environment, and a demo aimed at a file.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { projectPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli, type CliResult } from '../helpers/cli.js';
import { cleanupTempDirs, git, scoredProject, tempDir } from '../helpers/project.js';
import { trustForTest } from '../helpers/trust.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

/** Failed, with one line on stderr (no usage, no stack), nothing on stdout. */
function expectOneLineError(r: CliResult, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stdout).toBe('');
  expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
  expect(r.stderr.trimEnd()).toMatch(pattern);
}

describe('limits and odd input', () => {
  it('--slots 1000 is refused with the bound, before any worktree is made', async () => {
    const { dir } = scoredProject();
    const r = await runCli(['run', dir, '--tag', 'many', '--slots', '1000']);
    expectOneLineError(r, /^autoresearch run: --slots must be a whole number from 1 to 64 \(got "1000"\)\.$/);
    expect(existsSync(path.join(dir, '.autoresearch', 'worktrees'))).toBe(false);
    expect(existsSync(path.join(dir, '.autoresearch', 'runs'))).toBe(false);
  });

  it('run --detach on a missing folder or a folder that is not a repository refuses before writing anything', async () => {
    const parent = tempDir();
    const missing = path.join(parent, 'MISSING');
    const r = await runCli(['run', missing, '--detach']);
    expectOneLineError(r, /does not exist\. Check the path/);
    expect(existsSync(missing)).toBe(false);

    const plain = path.join(parent, 'plain');
    mkdirSync(plain);
    const p = await runCli(['run', plain, '--detach', '--tag', 'x']);
    expectOneLineError(p, /is not a git repository\./);
    expect(readdirSync(plain)).toEqual([]);
  });

  it('negative numbers and dash-first values get one line, not the usage', async () => {
    const { dir } = scoredProject();
    for (const args of [
      ['--max-experiments', '-1'],
      ['--tag', '-x'],
      ['--slots', '-3'],
    ]) {
      const r = await runCli(['run', dir, ...args]);
      expectOneLineError(r, new RegExp(`^autoresearch run: ${args[0]} was given a value that starts with "-".* See \`autoresearch run --help\` for the options\\.$`));
    }
    // Written with "=", the value reaches the check that says what is allowed.
    expectOneLineError(await runCli(['run', dir, '--max-experiments=-1']), /--max-experiments must be a whole number of at least 1 \(got "-1"\)/);
    expect(existsSync(path.join(dir, '.autoresearch', 'runs'))).toBe(false);
  });

  it('a config saved with a UTF-8 byte-order mark is read like any other', async () => {
    const { dir } = scoredProject();
    const file = projectPaths(dir).config;
    writeFileSync(file, '\uFEFF' + readFileSync(file, 'utf8'));
    git(dir, 'commit', '-qam', 'config saved by an editor that writes a BOM');
    const r = await runCli(['run', dir, '--tag', 'bom', '--max-experiments', '1']);
    expect(r.code, r.stderr).toBe(0);
    expect((await readRunRecord(dir, 'bom')).stopReason).toBe('max-experiments');
  });

  it('a run.env too large for a command environment (an 11 MB config) is refused before the run starts', async () => {
    const { dir } = scoredProject();
    const file = projectPaths(dir).config;
    const config = JSON.parse(readFileSync(file, 'utf8')) as { run: { env?: Record<string, string> } };
    config.run.env = { BIG: 'x'.repeat(11 * 1024 * 1024) };
    writeFileSync(file, JSON.stringify(config));
    git(dir, 'commit', '-qam', 'a huge env');
    trustForTest(dir); // the test wrote this env: what is refused is its size, not its trust
    const r = await runCli(['run', dir, '--tag', 'big', '--max-experiments', '1']);
    expectOneLineError(r, /^autoresearch run: run\.env\.BIG is 11265 KiB; an environment variable can hold at most 128 KiB, so no command could start with it\. Put large data in a file/);
    expect(existsSync(path.join(dir, '.autoresearch', 'runs'))).toBe(false);
    expect(git(dir, 'branch', '--list', 'autoresearch/big').trim()).toBe('');

    // Many values, each small, that add up past the limit.
    config.run.env = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`V${i}`, 'y'.repeat(100 * 1024)]));
    writeFileSync(file, JSON.stringify(config));
    git(dir, 'commit', '-qam', 'many large values');
    trustForTest(dir);
    expectOneLineError(await runCli(['run', dir, '--tag', 'big']), /^autoresearch run: run\.env is \d+ KiB in all; the environment of a command is limited/);
  });

  it('demo aimed at a file says so in one line', async () => {
    const parent = tempDir();
    const file = path.join(parent, 'afile');
    writeFileSync(file, 'mine\n');
    const r = await runCli(['demo', file]);
    expectOneLineError(r, /^autoresearch demo: .*afile is a file, not a folder\. Name a new folder for the demo/);
    expect(readFileSync(file, 'utf8')).toBe('mine\n');
  });
});
