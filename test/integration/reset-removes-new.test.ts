// Between two experiments a slot's worktree is put back at a commit with everything a trainer made there removed.
// The reset removes what is new since the worktree was last left clean itself (reset-to.ts, removeNewSinceClean),
// with no `git clean` process; where it cannot tell (a path that changed kind, a worktree it never cleaned), it
// removes nothing and git clean does the work as before. Real repositories, real files.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { removeNewSinceClean, resetTo } from '../../src/core/git/reset-to.js';
import { TEST_TMP } from '../helpers/project.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

const git = (cwd: string, ...args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();

/** A repository with a tracked folder, an ignored pattern and a linked input (data/, outside the worktree), at two commits. */
async function repo() {
  const dir = await mkdtemp(join(TEST_TMP, 'reset-new-'));
  const outside = await mkdtemp(join(TEST_TMP, 'reset-data-'));
  dirs.push(dir, outside);
  writeFileSync(join(outside, 'shard.bin'), 'data');
  mkdirSync(join(dir, 'model'));
  writeFileSync(join(dir, 'model', 'net.py'), 'x = 1\n');
  writeFileSync(join(dir, 'train.py'), 'lr = 1\n');
  writeFileSync(join(dir, '.gitignore'), 'data\n*.ckpt\n__pycache__/\n');
  git(dir, 'init', '-q');
  git(dir, 'add', '.');
  git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qm', 'base');
  const first = git(dir, 'rev-parse', 'HEAD');
  writeFileSync(join(dir, 'train.py'), 'lr = 2\n');
  git(dir, '-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-qam', 'second');
  const second = git(dir, 'rev-parse', 'HEAD');
  symlinkSync(outside, join(dir, 'data'));
  return { dir, outside, first, second };
}

/** What a trainer can leave in its writable worktree: ignored files, new folders, a link out, a planted .pth. */
function plant(dir: string) {
  writeFileSync(join(dir, 'model.ckpt'), 'weights');
  mkdirSync(join(dir, '__pycache__'));
  writeFileSync(join(dir, '__pycache__', 'train.cpython-311.pyc'), 'pyc');
  mkdirSync(join(dir, 'runs', 'deep'), { recursive: true });
  writeFileSync(join(dir, 'runs', 'deep', 'events.out'), 'e');
  writeFileSync(join(dir, 'model', 'evil.pth'), 'import os');
  symlinkSync('/', join(dir, 'escape'));
  writeFileSync(join(dir, 'train.py'), 'lr = 999\n');
  rmSync(join(dir, 'model', 'net.py'));
}

const planted = ['model.ckpt', '__pycache__', 'runs', 'model/evil.pth', 'escape'];

describe('the reset between experiments removes what is new itself', () => {
  it('removes every file, folder and link made since the last clean, before any git process, and leaves the linked input', async () => {
    const { dir, outside, first, second } = await repo();
    await resetTo(dir, first, ['data']); // the worktree is now known clean
    plant(dir);

    expect(await removeNewSinceClean(dir, ['data'])).toBe(true);
    // Gone with no git clean: the test can fail where the walk misses something (git clean would hide it in resetTo).
    for (const p of planted) expect(lstatSync(join(dir, p), { throwIfNoEntry: false }), p).toBeUndefined();
    // The link was removed, not what it points at; the linked input and what it points at are left.
    expect(existsSync('/etc')).toBe(true);
    expect(lstatSync(join(dir, 'data')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(outside, 'shard.bin'), 'utf8')).toBe('data');
    // Tracked files changed or deleted are the checkout's to restore (next step of resetTo), not this one's.
    expect(readFileSync(join(dir, 'train.py'), 'utf8')).toBe('lr = 999\n');

    await resetTo(dir, second, ['data']);
    expect(readFileSync(join(dir, 'train.py'), 'utf8')).toBe('lr = 2\n');
    expect(readFileSync(join(dir, 'model', 'net.py'), 'utf8')).toBe('x = 1\n');
    expect(git(dir, 'status', '--porcelain', '--ignored', '--untracked-files=all')).toBe('!! data');
  });

  it('leaves it to git clean where it cannot tell: a worktree never cleaned here, or a path that changed kind', async () => {
    const { dir, first, second } = await repo();
    // Never reset in this process: nothing is known of what the worktree holds.
    plant(dir);
    expect(await removeNewSinceClean(dir, ['data'])).toBe(false);
    expect(existsSync(join(dir, 'model.ckpt'))).toBe(true);
    await resetTo(dir, second, ['data']);
    expect(git(dir, 'status', '--porcelain', '--ignored', '--untracked-files=all')).toBe('!! data');

    // A tracked file replaced by a folder of the same name: nothing removed here, and the reset still ends clean.
    rmSync(join(dir, 'train.py'));
    mkdirSync(join(dir, 'train.py'));
    writeFileSync(join(dir, 'train.py', 'inside'), 'x');
    writeFileSync(join(dir, 'model.ckpt'), 'weights');
    expect(await removeNewSinceClean(dir, ['data'])).toBe(false);
    expect(existsSync(join(dir, 'model.ckpt'))).toBe(true);
    await resetTo(dir, first, ['data']);
    expect(readFileSync(join(dir, 'train.py'), 'utf8')).toBe('lr = 1\n');
    expect(git(dir, 'status', '--porcelain', '--ignored', '--untracked-files=all')).toBe('!! data');
  });

  it('after many experiments, ends as clean as git clean would leave it', async () => {
    const { dir, first, second } = await repo();
    await resetTo(dir, first, ['data']);
    for (let i = 0; i < 6; i++) {
      plant(dir);
      // A nested repository in a tracked folder (git never lists it): removed after the checkout, as before.
      git(join(dir, 'model'), 'init', '-q');
      await resetTo(dir, i % 2 ? first : second, ['data']);
      expect(existsSync(join(dir, 'model', '.git'))).toBe(false);
      expect(git(dir, 'status', '--porcelain', '--ignored', '--untracked-files=all')).toBe('!! data');
    }
  });
});
