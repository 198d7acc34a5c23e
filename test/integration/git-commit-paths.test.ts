// commitPaths commits exactly the paths it is given in as few git processes as it can (git commit -- <paths> when
// every path is known to git, add first only for new files) and reads the new sha from a detached HEAD: both
// ways must record the same commit git itself reports.
import { unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { commitPaths } from '../../src/core/git/commit.js';
import { cleanupTempDirs, git as gitOut, makeRepo } from '../helpers/project.js';

const git = (dir: string, ...args: string[]) => gitOut(dir, ...args).trim();

afterAll(() => cleanupTempDirs());

const changed = (dir: string) => git(dir, 'show', '--name-status', '--format=', 'HEAD').split('\n').filter(Boolean).sort();

describe('commitPaths', () => {
  it('commits changed and deleted tracked files, on a detached HEAD too, and returns the commit HEAD names', async () => {
    const dir = makeRepo({ 'train.py': 'LR = 1\n', 'old.py': 'x\n', 'other.py': 'keep\n' });
    git(dir, 'checkout', '-q', '--detach');
    writeFileSync(path.join(dir, 'train.py'), 'LR = 2\n');
    unlinkSync(path.join(dir, 'old.py'));
    writeFileSync(path.join(dir, 'other.py'), 'not part of the change\n');
    const sha = await commitPaths(dir, ['old.py', 'train.py'], 'one');
    expect(sha).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(changed(dir)).toEqual(['D\told.py', 'M\ttrain.py']);
    // What was not named stays uncommitted.
    expect(git(dir, 'status', '--porcelain')).toBe('M other.py');
  });

  it('adds new files first (git commit alone refuses them), on a branch too', async () => {
    const dir = makeRepo({ 'train.py': 'LR = 1\n' });
    writeFileSync(path.join(dir, 'train.py'), 'LR = 3\n');
    writeFileSync(path.join(dir, 'model.py'), 'DIM = 4\n');
    const sha = await commitPaths(dir, ['model.py', 'train.py'], 'two');
    expect(sha).toBe(git(dir, 'rev-parse', 'HEAD'));
    expect(git(dir, 'rev-parse', 'main')).toBe(sha);
    expect(changed(dir)).toEqual(['A\tmodel.py', 'M\ttrain.py']);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });
});
