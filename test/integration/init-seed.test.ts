// `autoresearch init`'s seed setting (issue #22), through the real CLI bundle: unattended it proposes the
// detected setting and writes none; at a terminal (a real pty from script(1)) it asks and saves the answer;
// `--seed` sets it and refuses a malformed one with one line; a seed fixed in a call gets the advice that says
// how to make it variable; `status` says the setting in words.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, CLI, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, makeRepo } from '../helpers/project.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

const ENV_TRAINER = ['import os, random', "SEED = int(os.environ.get('SEED', 42))", 'random.seed(SEED)', 'print("loss: 1.0")', ''].join('\n');
const BASE = ['--run', 'python3 train.py', '--metric', 'loss', '--goal', 'min', '--editable', 'train.py'];

const savedSeed = (dir: string): unknown => (JSON.parse(readFileSync(path.join(dir, '.autoresearch', 'config.json'), 'utf8')) as { seed: unknown }).seed;

/** init at a real terminal: script(1) gives the CLI a pty; `answers` are typed into it. */
function initAtTerminal(dir: string, answers: string): Promise<{ code: number | null; output: string }> {
  const command = [process.execPath, CLI, 'init', dir, ...BASE].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return new Promise((resolve) => {
    const child = spawn('script', ['-qec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => {
      output += d;
      // Answer once the question is on the screen (typed earlier, a pty may echo it before the prompt).
      if (/\[Y\/n\/none\]/.test(output) && !child.stdin.writableEnded) child.stdin.end(answers);
    });
    child.stderr.on('data', (d) => (output += d));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('autoresearch init: the seed setting', () => {
  it('unattended, proposes the detected setting, writes none and prints the flag that confirms it', async () => {
    const dir = makeRepo({ 'train.py': ENV_TRAINER });
    const r = await runCli(['init', dir, ...BASE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('The seed is read from $SEED in train.py:2');
    expect(r.stdout).toContain('--seed env:SEED');
    expect(savedSeed(dir)).toBeNull();
  });

  it('at a terminal, asks and saves the confirmed setting; "none" says it cannot be varied', async () => {
    const dir = makeRepo({ 'train.py': ENV_TRAINER });
    const yes = await initAtTerminal(dir, '\n');
    expect(yes.code, yes.output).toBe(0);
    expect(yes.output).toContain('The seed is read from $SEED in train.py:2 — vary it this way? [Y/n/none]');
    expect(savedSeed(dir)).toEqual({ kind: 'env', name: 'SEED' });

    const again = makeRepo({ 'train.py': ENV_TRAINER });
    const none = await initAtTerminal(again, 'none\n');
    expect(none.code, none.output).toBe(0);
    expect(savedSeed(again)).toEqual({ kind: 'none' });
  });

  it('--seed sets each form; status says it in words', async () => {
    const trainer = ['import os', 'SEED = 42', "SEED = int(os.environ.get('SEED', SEED))", "parser.add_argument('--seed', type=int, default=SEED)", ''].join('\n');
    const dir = makeRepo({ 'train.py': trainer, 'other.py': 'SEED = 1\n' });
    for (const [flag, want] of [
      ['arg:--seed', { kind: 'arg', flag: '--seed' }],
      ['constant:train.py:SEED', { kind: 'constant', file: 'train.py', name: 'SEED' }],
      ['none', { kind: 'none' }],
      ['env:SEED', { kind: 'env', name: 'SEED' }],
    ] as const) {
      const r = await runCli(['init', dir, ...BASE, '--force', '--seed', flag]);
      expect(r.code, r.stderr).toBe(0);
      expect(savedSeed(dir)).toEqual(want);
    }
    const status = await runCli(['status', dir]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('seed: the environment variable SEED');
  });

  it('refuses a malformed --seed with one line that shows the forms, and writes nothing', async () => {
    const dir = makeRepo({ 'train.py': ENV_TRAINER, 'other.py': 'SEED = 1\n' });
    for (const [flag, says] of [
      ['random', /--seed must be env:NAME \| arg:--FLAG \| constant:FILE:NAME \| none/],
      ['env:1SEED', /An environment variable name, e\.g\. SEED/],
      ['arg:seed', /A command-line flag, e\.g\. --seed/],
      ['constant:train.py', /constant:FILE:NAME/],
      ['constant:train.py:LR', /no line "LR = <number>" in train\.py/],
      ['constant:nope.py:SEED', /there is no file nope\.py/],
      ['constant:other.py:SEED', /other\.py is not an editable file/],
    ] as const) {
      const r = await runCli(['init', dir, ...BASE, '--seed', flag]);
      expect(r.code, flag).toBe(2);
      expect(r.stderr.trimEnd().split('\n'), r.stderr).toHaveLength(1);
      expect(r.stderr).toMatch(says);
    }
    expect(existsSync(path.join(dir, '.autoresearch', 'config.json'))).toBe(false);
  });

  it('a seed fixed in a call: says the app cannot vary it and how to read it from the environment', async () => {
    const dir = makeRepo({ 'train.py': ['import torch', '', 'torch.manual_seed(42)', 'print("loss: 1.0")', ''].join('\n') });
    const r = await runCli(['init', dir, ...BASE]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('The seed is fixed at 42 in train.py:3; the app cannot vary it');
    expect(r.stdout).toContain("int(os.environ.get('SEED', 42))");
    expect(savedSeed(dir)).toBeNull();
  });
});
