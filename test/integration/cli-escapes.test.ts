// What the CLI prints comes partly from agent-written code: an agent's description, a trainer's crash output.
// Escape sequences in them (OSC 52 clipboard writes, window titles, cursor moves) must never reach the terminal.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { stripControl } from '../../src/cli/sanitize.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

const OSC52 = '\x1b]52;c;cm0gLXJmIH4vKgo=\x07';
const TITLE = '\x1b]0;sudo password please\x1b\\';
const CSI = '\x1b[2J\x1b[1;1H\x1b[31m';
const C1 = '\u009b6n\u0085';
// Control characters of any kind, except newline and tab.
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** An "agent CLI" that edits train.mjs and describes its change with escape sequences. */
const AGENT = `import { readFileSync, writeFileSync } from 'node:fs';
writeFileSync('train.mjs', readFileSync('train.mjs', 'utf8').replace('const LEARNING_RATE = 0.01;', 'const LEARNING_RATE = 0.02;'));
console.log('DESCRIPTION: raise LR ${JSON.stringify(OSC52 + TITLE + CSI + C1).slice(1, -1)} to 0.02');
`;

describe('escape sequences from agent-written code', () => {
  it('are stripped from the descriptions and crash output the CLI prints', async () => {
    const { dir } = scoredProject({ agent: { proposer: 'command', command: `"${process.execPath}" agent.mjs` } }, { 'agent.mjs': AGENT });
    const run = await runCli(['run', dir, '--tag', 'esc', '--proposer', 'command', '--max-experiments', '1'], { timeoutMs: 90_000 });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/raise LR .* to 0\.02/);
    for (const text of [run.stdout, run.stderr]) {
      expect(text).not.toMatch(CONTROL);
      expect(text).not.toContain(']52;');
    }

    // A trainer that crashes after printing the sequences: its tail is part of the printed error.
    writeFileSync(path.join(dir, 'train.mjs'), `process.stdout.write(${JSON.stringify(`${OSC52}${TITLE}${CSI}${C1}boom\n`)}); process.exit(3);\n`);
    git(dir, 'commit', '-qam', 'crashing trainer');
    const crash = await runCli(['run', dir, '--tag', 'crash', '--max-experiments', '1'], { timeoutMs: 90_000 });
    expect(crash.code).toBe(1);
    expect(crash.stderr).toContain('boom');
    for (const text of [crash.stdout, crash.stderr]) expect(text).not.toMatch(CONTROL);
  }, 180_000);

  it('stripControl removes whole sequences and keeps the text', () => {
    expect(stripControl(`a${OSC52}b${TITLE}c${CSI}d${C1}e\r\nf\tg\rh\x07`)).toBe('abcde\nf\tgh');
  });
});
