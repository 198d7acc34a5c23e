// Auto-tags (the date, then -2, -3, ...) never reuse a tag this project already has a run under: not its
// journal, not a folder left by a start that died early, not a branch. Another project's runs do not count.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultTag } from '../../src/core/loop/start-run.js';
import { runPaths } from '../../src/core/project/paths.js';
import { cleanupTempDirs, git, makeRepo } from '../helpers/project.js';

afterEach(() => cleanupTempDirs());

// Month 11 is December: the tag is dec5.
const DEC5 = new Date(2025, 11, 5, 12, 0, 0);

function leaveJournal(dir: string, tag: string): void {
  const { journal } = runPaths(dir, tag);
  mkdirSync(path.dirname(journal), { recursive: true });
  writeFileSync(journal, '');
}

describe('defaultTag', () => {
  it('takes the date, then the next free number after every kind of earlier run of the same project', async () => {
    const a = makeRepo({ 'train.mjs': '// trainer\n' });
    expect(await defaultTag(a, DEC5)).toBe('dec5');

    leaveJournal(a, 'dec5');
    expect(await defaultTag(a, DEC5)).toBe('dec5-2');

    // A branch with no run folder (the folder was deleted by hand): still taken, the start would refuse it.
    git(a, 'branch', 'autoresearch/dec5-2');
    expect(await defaultTag(a, DEC5)).toBe('dec5-3');

    // A folder without a journal (a start that died before writing it).
    mkdirSync(runPaths(a, 'dec5-3').dir, { recursive: true });
    expect(await defaultTag(a, DEC5)).toBe('dec5-4');

    // Another day starts from its own date.
    expect(await defaultTag(a, new Date(2025, 11, 6, 12))).toBe('dec6');
  });

  it('does not look at other projects: each may have its own dec5', async () => {
    const a = makeRepo({ 'train.mjs': '// a\n' });
    const b = makeRepo({ 'train.mjs': '// b\n' });
    leaveJournal(a, 'dec5');
    expect(await defaultTag(a, DEC5)).toBe('dec5-2');
    expect(await defaultTag(b, DEC5)).toBe('dec5');
  });
});
