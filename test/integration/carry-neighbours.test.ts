// Carrying a proposal made ahead onto a best that moved meanwhile (git/carry-change.ts), in a real repository:
// changes on neighbouring lines of a hyperparameter block merge (git alone calls them a conflict), the same line
// changed on both sides is still a conflict, and other files git merged stay as git merged them.
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { carryOnto } from '../../src/core/git/carry-change.js';
import { cleanupTempDirs, git, makeRepo } from '../helpers/project.js';

afterEach(cleanupTempDirs);

const BLOCK = 'LEARNING_RATE = 0.01\nBATCH_SIZE = 64\nWARMUP = 200\n';

function commitOn(dir: string, from: string, files: Record<string, string>, message: string): string {
  git(dir, 'checkout', '-q', '--detach', from);
  for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(dir, rel), text);
  git(dir, 'commit', '-qam', message);
  return git(dir, 'rev-parse', 'HEAD').trim();
}

describe('carryOnto', () => {
  it('merges changes to neighbouring lines that git calls a conflict, and keeps git\'s merge of the other files', async () => {
    const dir = makeRepo({ 'train.py': BLOCK, 'notes.txt': 'one\ntwo\nthree\nfour\nfive\n' });
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    const best = commitOn(dir, base, { 'train.py': 'LEARNING_RATE = 0.02\nBATCH_SIZE = 64\nWARMUP = 200\n', 'notes.txt': 'ONE\ntwo\nthree\nfour\nfive\n' }, 'best');
    const proposal = commitOn(dir, base, { 'train.py': 'LEARNING_RATE = 0.01\nBATCH_SIZE = 128\nWARMUP = 200\n', 'notes.txt': 'one\ntwo\nthree\nfour\nFIVE\n' }, 'proposal');
    // git's own merge stops at the neighbouring lines.
    expect(() => git(dir, 'merge-tree', '--write-tree', best, proposal)).toThrow();
    const out = await carryOnto(dir, proposal, best, 'carried');
    expect('commit' in out).toBe(true);
    const commit = (out as { commit: string }).commit;
    expect(git(dir, 'show', `${commit}:train.py`)).toBe('LEARNING_RATE = 0.02\nBATCH_SIZE = 128\nWARMUP = 200\n');
    expect(git(dir, 'show', `${commit}:notes.txt`)).toBe('ONE\ntwo\nthree\nfour\nFIVE\n');
    expect(git(dir, 'rev-list', '--parents', '-n', '1', commit).trim().split(' ').slice(1)).toEqual([best, proposal]);
  });

  it('merges neighbouring lines of a CRLF file, every line ending kept as it was', async () => {
    const crlf = (t: string) => t.replace(/\n/g, '\r\n');
    const dir = makeRepo({ 'train.py': crlf(BLOCK) });
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    const best = commitOn(dir, base, { 'train.py': crlf('LEARNING_RATE = 0.02\nBATCH_SIZE = 64\nWARMUP = 200\n') }, 'best');
    const proposal = commitOn(dir, base, { 'train.py': crlf('LEARNING_RATE = 0.01\nBATCH_SIZE = 128\nWARMUP = 200\n') }, 'proposal');
    const out = await carryOnto(dir, proposal, best, 'carried');
    expect(out).toHaveProperty('commit');
    expect(git(dir, 'show', `${(out as { commit: string }).commit}:train.py`)).toBe(crlf('LEARNING_RATE = 0.02\nBATCH_SIZE = 128\nWARMUP = 200\n'));
  });

  it('merges neighbouring lines of a file without a final newline, which stays without one; a change to its last line is still git\'s conflict', async () => {
    const noEol = 'A = 1\nB = 2\nC = 3\nD = 4';
    const dir = makeRepo({ 'train.py': noEol });
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    const best = commitOn(dir, base, { 'train.py': 'A = 10\nB = 2\nC = 3\nD = 4' }, 'best');
    const proposal = commitOn(dir, base, { 'train.py': 'A = 1\nB = 20\nC = 3\nD = 4' }, 'proposal');
    const out = await carryOnto(dir, proposal, best, 'carried');
    expect(out).toHaveProperty('commit');
    expect(git(dir, 'show', `${(out as { commit: string }).commit}:train.py`)).toBe('A = 10\nB = 20\nC = 3\nD = 4');
    // The proposal changes the last line (its diff says "\ No newline at end of file"), the best the one above.
    const lastLine = commitOn(dir, base, { 'train.py': 'A = 1\nB = 2\nC = 3\nD = 40' }, 'last line');
    const bestAbove = commitOn(dir, base, { 'train.py': 'A = 1\nB = 2\nC = 30\nD = 4' }, 'line above');
    expect(await carryOnto(dir, lastLine, bestAbove, 'carried')).toEqual({ conflicts: ['train.py'] });
  });

  it('still refuses the same line changed on both sides, naming the file', async () => {
    const dir = makeRepo({ 'train.py': BLOCK });
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    const best = commitOn(dir, base, { 'train.py': 'LEARNING_RATE = 0.02\nBATCH_SIZE = 64\nWARMUP = 200\n' }, 'best');
    const proposal = commitOn(dir, base, { 'train.py': 'LEARNING_RATE = 0.04\nBATCH_SIZE = 128\nWARMUP = 200\n' }, 'proposal');
    expect(await carryOnto(dir, proposal, best, 'carried')).toEqual({ conflicts: ['train.py'] });
  });
});
