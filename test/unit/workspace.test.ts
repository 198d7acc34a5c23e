// The restricted workspace: every way an agent could try to reach a file it may not touch.
import { link, mkdir, mkdtemp, readFile, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createWorkspace, WorkspaceError, type Workspace } from '../../src/core/agent/workspace.js';

let base: string;
let project: string;
let worktree: string;
let outside: string;
let ws: Workspace;

beforeEach(async () => {
  base = await mkdtemp(path.join(os.tmpdir(), 'ar-ws-'));
  project = path.join(base, 'project');
  worktree = path.join(project, '.autoresearch', 'worktrees', 'slot-0');
  outside = path.join(base, 'outside');
  await mkdir(worktree, { recursive: true });
  await mkdir(outside, { recursive: true });
  await writeFile(path.join(outside, 'secret.txt'), 'outside secret\n');
  for (const dir of [project, worktree]) {
    await writeFile(path.join(dir, 'train.py'), 'LR = 0.04\n');
    await writeFile(path.join(dir, 'prepare.py'), 'BUDGET = 300\n');
    await writeFile(path.join(dir, 'notes.md'), 'notes\n');
    await writeFile(path.join(dir, 'README.md'), 'readme\n');
    await mkdir(path.join(dir, 'src'), { recursive: true });
    await writeFile(path.join(dir, 'src', 'model.py'), 'DEPTH = 8\n');
  }
  await mkdir(path.join(worktree, '.git'), { recursive: true });
  await writeFile(path.join(worktree, '.git', 'config'), '[core]\n');
  await writeFile(path.join(worktree, '.git', 'hook.py'), 'x\n');
  // Another slot's worktree, reachable by absolute path through the project.
  await mkdir(path.join(project, '.autoresearch', 'worktrees', 'slot-1'), { recursive: true });
  await writeFile(path.join(project, '.autoresearch', 'worktrees', 'slot-1', 'train.py'), 'other slot\n');
  ws = createWorkspace(worktree, project, { editable: ['train.py', 'src/**', '**/*.py'], context: ['notes.md'], protected: ['prepare.py'] });
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

const refused = async (p: Promise<unknown>, message: RegExp) => {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(WorkspaceError);
  expect((err as Error).message).toMatch(message);
};

describe('paths', () => {
  it('normalises relative paths', () => {
    expect(ws.relative('train.py')).toBe('train.py');
    expect(ws.relative('./src//model.py')).toBe('src/model.py');
    expect(ws.relative('src/')).toBe('src');
    expect(ws.relative('.')).toBe('.');
    expect(ws.relative('src\\model.py')).toBe('src/model.py');
    // A leading dot belongs to the name: .git must never turn into git.
    expect(ws.relative('.git/config')).toBe('.git/config');
    expect(ws.relative('./.env')).toBe('.env');
  });

  it('maps the project\'s and the worktree\'s absolute paths into the worktree', () => {
    expect(ws.relative(path.join(project, 'train.py'))).toBe('train.py');
    expect(ws.relative(path.join(worktree, 'src', 'model.py'))).toBe('src/model.py');
    expect(ws.relative(project)).toBe('.');
  });

  it('refuses .. anywhere, even when it would stay inside', () => {
    for (const p of ['../outside/secret.txt', 'src/../../x', 'src/..', '..', '..\\outside\\secret.txt']) {
      expect(() => ws.relative(p), p).toThrow(/"\.\."/);
    }
  });

  it('refuses absolute paths outside the project, including a look-alike prefix', () => {
    expect(() => ws.relative('/etc/passwd')).toThrow(/outside the project/);
    expect(() => ws.relative(path.join(outside, 'secret.txt'))).toThrow(/outside the project/);
    expect(() => ws.relative(`${project}-evil/train.py`)).toThrow(/outside the project/);
  });

  it('refuses empty paths and NUL bytes', () => {
    expect(() => ws.relative('')).toThrow(WorkspaceError);
    expect(() => ws.relative('   ')).toThrow(WorkspaceError);
    expect(() => ws.relative('train.py\0.txt')).toThrow(/NUL/);
  });
});

describe('writes', () => {
  it('writes editable files, in the worktree only', async () => {
    await ws.writeFile('train.py', 'LR = 0.03\n');
    await ws.writeFile(path.join(project, 'src/model.py'), 'DEPTH = 6\n');
    await ws.writeFile('src/new/deep.py', 'x = 1\n');
    expect(await readFile(path.join(worktree, 'train.py'), 'utf8')).toBe('LR = 0.03\n');
    expect(await readFile(path.join(worktree, 'src/model.py'), 'utf8')).toBe('DEPTH = 6\n');
    expect(await readFile(path.join(worktree, 'src/new/deep.py'), 'utf8')).toBe('x = 1\n');
    expect(await readFile(path.join(project, 'train.py'), 'utf8')).toBe('LR = 0.04\n');
  });

  it('refuses protected files even when an editable glob matches them', async () => {
    expect(ws.isProtected('prepare.py')).toBe(true);
    await refused(ws.writeFile('prepare.py', 'BUDGET = 3000\n'), /protected/);
    expect(await readFile(path.join(worktree, 'prepare.py'), 'utf8')).toBe('BUDGET = 300\n');
  });

  it('refuses files that are not editable', async () => {
    await refused(ws.writeFile('README.md', 'x'), /only .* may be edited/);
    await refused(ws.writeFile('notes.md', 'x'), /may not be written/);
  });

  it('refuses .git and .autoresearch whatever the globs say', async () => {
    await refused(ws.writeFile('.git/hook.py', 'x'), /may not be written/);
    await refused(ws.writeFile('.git', 'gitdir: /elsewhere'), /may not be written/);
    await refused(ws.writeFile(path.join(project, '.autoresearch/worktrees/slot-1/train.py'), 'x'), /may not be written/);
    expect(await readFile(path.join(project, '.autoresearch/worktrees/slot-1/train.py'), 'utf8')).toBe('other slot\n');
  });

  it('refuses a symbolic link file that points outside', async () => {
    await symlink(path.join(outside, 'secret.txt'), path.join(worktree, 'evil.py'));
    await refused(ws.writeFile('evil.py', 'pwned'), /symbolic link/);
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside secret\n');
  });

  it('refuses a symbolic link directory on the way', async () => {
    await symlink(outside, path.join(worktree, 'src', 'linked'));
    await refused(ws.writeFile('src/linked/secret.py', 'pwned'), /symbolic link \(src\/linked\)/);
    await expect(stat(path.join(outside, 'secret.py'))).rejects.toThrow();
  });

  it('refuses a symbolic link even when it points inside the project', async () => {
    await symlink(path.join(worktree, 'prepare.py'), path.join(worktree, 'alias.py'));
    await refused(ws.writeFile('alias.py', 'BUDGET = 1\n'), /symbolic link/);
    expect(await readFile(path.join(worktree, 'prepare.py'), 'utf8')).toBe('BUDGET = 300\n');
  });

  it('replaces a hard link instead of writing through it to a file outside', async () => {
    await rm(path.join(worktree, 'train.py'));
    await link(path.join(outside, 'secret.txt'), path.join(worktree, 'train.py'));
    await ws.writeFile('train.py', 'LR = 0.01\n');
    expect(await readFile(path.join(worktree, 'train.py'), 'utf8')).toBe('LR = 0.01\n');
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('outside secret\n');
  });

  it('refuses to write over a directory', async () => {
    await mkdir(path.join(worktree, 'src', 'pkg.py'));
    await refused(ws.writeFile('src/pkg.py', 'x'), /not a regular file/);
  });

  it('removes editable files only', async () => {
    await ws.writeFile('src/tmp.py', 'x');
    await ws.removeFile('src/tmp.py');
    await expect(stat(path.join(worktree, 'src/tmp.py'))).rejects.toThrow();
    await ws.removeFile('src/never-existed.py');
    await refused(ws.removeFile('prepare.py'), /may not be removed/);
    await refused(ws.removeFile('../outside/secret.txt'), /"\.\."/);
    expect(await readFile(path.join(worktree, 'prepare.py'), 'utf8')).toBe('BUDGET = 300\n');
  });

  it('leaves no temporary file behind', async () => {
    await ws.writeFile('train.py', 'LR = 0.02\n');
    const entries = (await ws.listDir('.')).map((e) => e.name);
    expect(entries.filter((n) => n.includes('.tmp'))).toEqual([]);
  });
});

describe('reads', () => {
  it('reads editable and context files', async () => {
    expect(await ws.readFile('train.py')).toBe('LR = 0.04\n');
    expect(await ws.readFile('notes.md')).toBe('notes\n');
    expect(await ws.readFile('prepare.py')).toBe('BUDGET = 300\n'); // matches **/*.py: readable, not writable
  });

  it('refuses files that are neither editable nor context', async () => {
    await refused(ws.readFile('README.md'), /not readable/);
  });

  it('refuses .git internals and other slots', async () => {
    await refused(ws.readFile('.git/config'), /not readable/);
    await refused(ws.readFile('.git/hook.py'), /not readable/);
    await refused(ws.readFile(path.join(project, '.autoresearch/worktrees/slot-1/train.py')), /not readable/);
  });

  it('refuses reads through symbolic links and outside paths', async () => {
    await symlink(path.join(outside, 'secret.txt'), path.join(worktree, 'peek.py'));
    await refused(ws.readFile('peek.py'), /symbolic link/);
    await refused(ws.readFile('/etc/passwd'), /outside the project/);
    await refused(ws.readFile('../outside/secret.txt'), /"\.\."/);
  });

  it('says when a file does not exist', async () => {
    await refused(ws.readFile('src/missing.py'), /does not exist/);
  });
});

describe('listing', () => {
  it('lists folders without hidden ones and marks links', async () => {
    await symlink(outside, path.join(worktree, 'data'));
    const names = (await ws.listDir('.')).map((e) => `${e.name}:${e.type}`);
    expect(names).toContain('train.py:file');
    expect(names).toContain('src:dir');
    expect(names).toContain('data:symlink');
    expect(names.some((n) => n.startsWith('.git'))).toBe(false);
  });

  it('refuses to list hidden folders, linked folders and outside folders', async () => {
    await symlink(outside, path.join(worktree, 'data'));
    await refused(ws.listDir('.git'), /may not look into/);
    await refused(ws.listDir(path.join(project, '.autoresearch')), /may not look into/);
    await refused(ws.listDir('data'), /symbolic link/);
    await refused(ws.listDir('/etc'), /outside the project/);
    await refused(ws.listDir('..'), /"\.\."/);
  });

  it('finds the editable files, not following links', async () => {
    await symlink(outside, path.join(worktree, 'data'));
    expect(await ws.editableFiles()).toEqual(['src/model.py', 'train.py']);
  });
});
