// Issue #20: nothing in the writable tree can stay a `.git`. A repository a trainer creates inside a tracked
// folder is invisible to `git clean` (git never lists a `.git`), so the reset between experiments removes it.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { resetTo } from '../../src/core/git/reset-to.js';
import { TEST_TMP } from '../helpers/project.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

describe('resetTo removes nested repositories', () => {
  it('removes a .git made in a tracked folder (any letter case) and keeps the top one and the linked inputs', async () => {
    dir = await mkdtemp(join(TEST_TMP, 'nested-git-'));
    mkdirSync(join(dir, 'model'));
    writeFileSync(join(dir, 'model', 'net.py'), 'x = 1\n');
    writeFileSync(join(dir, '.gitignore'), 'data/\n');
    git(dir, 'init', '-q');
    git(dir, 'add', '.');
    git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base');
    const head = git(dir, 'rev-parse', 'HEAD');
    // What a trainer can do in its writable worktree.
    git(join(dir, 'model'), 'init', '-q');
    mkdirSync(join(dir, 'model', 'deep', '.GIT'), { recursive: true });
    mkdirSync(join(dir, 'data', 'repo', '.git'), { recursive: true });
    git(dir, 'clean', '-ffdx', '--quiet', '-e', '/data');
    expect(existsSync(join(dir, 'model', '.git'))).toBe(true); // git clean alone leaves it: the test can fail

    await resetTo(dir, head, ['data']);

    expect(existsSync(join(dir, 'model', '.git'))).toBe(false);
    expect(existsSync(join(dir, 'model', 'deep', '.GIT'))).toBe(false);
    expect(existsSync(join(dir, 'model', 'net.py'))).toBe(true);
    expect(existsSync(join(dir, '.git'))).toBe(true);
    expect(existsSync(join(dir, 'data', 'repo', '.git'))).toBe(true);
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
  });
});
