// The guardrails the loop applies to every proposal, on real git worktrees.
import { chmod, mkdir, readFile, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { guardDiff, hashProtectedFiles, restoreFiles } from '../../src/core/agent/diff-guard.js';
import { raw } from '../../src/core/git/git.js';
import { makeTestProject, testConfig, PREPARE_PY, TRAIN_PY, type TestProject } from '../fixtures/fake-anthropic/proposal-context.js';

let project: TestProject;
let hashes: Map<string, string>;

const config = testConfig({
  files: { editable: ['train.py', 'models/**'], protected: ['prepare.py', 'eval/**'], context: ['notes.md'], linked: ['data'] },
  agent: { maxDiffLines: 20 },
});

beforeEach(async () => {
  project = await makeTestProject({ config, extraFiles: { 'eval/score.py': 'def score(): return 1\n', 'models/mlp.py': 'WIDTH = 4\n' } });
  hashes = await hashProtectedFiles(project.worktree, config.files.protected);
});

afterEach(async () => {
  await project.cleanup();
});

const wt = (rel: string) => path.join(project.worktree, rel);
const guard = () => guardDiff({ worktree: project.worktree, config, protectedHashes: hashes });

describe('hashProtectedFiles', () => {
  it('hashes every tracked file the globs match', async () => {
    expect([...hashes.keys()]).toEqual(['eval/score.py', 'prepare.py']);
    expect(hashes.get('prepare.py')).toMatch(/^[0-9a-f]{64}$/);
    const again = await hashProtectedFiles(project.worktree, config.files.protected);
    expect(again).toEqual(hashes);
    await writeFile(wt('prepare.py'), PREPARE_PY + '# x\n');
    expect((await hashProtectedFiles(project.worktree, config.files.protected)).get('prepare.py')).not.toBe(hashes.get('prepare.py'));
  });

  it('is empty without globs', async () => {
    expect((await hashProtectedFiles(project.worktree, [])).size).toBe(0);
  });
});

describe('guardDiff', () => {
  it('accepts a change to editable files and counts its lines', async () => {
    await writeFile(wt('train.py'), TRAIN_PY.replace('LEARNING_RATE = 0.04', 'LEARNING_RATE = 0.03'));
    await writeFile(wt('models/attn.py'), 'HEADS = 4\nDIM = 64\n');
    expect(await guard()).toEqual({ ok: true, changedFiles: ['models/attn.py', 'train.py'], changedLines: 4, leftovers: false });
  });

  it('rejects an empty diff', async () => {
    expect(await guard()).toEqual({ ok: false, reason: 'The proposal changed no file (empty diff).', changedFiles: [] });
  });

  it('rejects a changed protected file, even together with a legal edit', async () => {
    await writeFile(wt('train.py'), TRAIN_PY.replace('DEPTH = 8', 'DEPTH = 9'));
    await writeFile(wt('eval/score.py'), 'def score(): return 0\n');
    const r = await guard();
    expect(r.ok).toBe(false);
    expect(r).toMatchObject({ reason: expect.stringMatching(/changed protected files \(eval\/score.py\)/), changedFiles: ['eval/score.py', 'train.py'] });
  });

  it('rejects a deleted protected file and a protected file replaced by a link', async () => {
    await unlink(wt('prepare.py'));
    expect((await guard()).ok).toBe(false);
    await symlink(wt('notes.md'), wt('prepare.py'));
    const r = await guard();
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/prepare.py/) });
  });

  it('catches a protected file hidden from git with assume-unchanged', async () => {
    await raw(project.worktree, ['update-index', '--assume-unchanged', 'prepare.py']);
    await writeFile(wt('prepare.py'), 'TIME_BUDGET = 99999\n');
    await writeFile(wt('train.py'), TRAIN_PY.replace('DEPTH = 8', 'DEPTH = 9'));
    const r = await guard();
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/protected files \(prepare.py\)/) });
  });

  it('catches a mode change of a protected file', async () => {
    await chmod(wt('prepare.py'), 0o755);
    await raw(project.worktree, ['config', 'core.fileMode', 'true']);
    const r = await guard();
    expect(r.ok).toBe(false);
  });

  it('rejects files outside the editable ones, new or changed', async () => {
    await writeFile(wt('README.md'), 'changed\n');
    await writeFile(wt('helper.py'), 'x = 1\n');
    await writeFile(wt('train.py'), TRAIN_PY + '\n');
    const r = await guard();
    expect(r).toEqual({
      ok: false,
      reason: 'The proposal changed files outside the editable ones (train.py, models/**): README.md, helper.py.',
      changedFiles: ['README.md', 'helper.py', 'train.py'],
    });
  });

  it('rejects a diff over the line cap', async () => {
    await writeFile(wt('models/big.py'), Array.from({ length: 25 }, (_, i) => `X${i} = ${i}`).join('\n') + '\n');
    const r = await guard();
    expect(r).toMatchObject({ ok: false, reason: expect.stringMatching(/changed 25 lines, more than agent.maxDiffLines \(20\)/) });
  });

  it('counts deletions and binary files', async () => {
    await writeFile(wt('train.py'), '');
    const r = await guard();
    expect(r).toMatchObject({ ok: true, changedLines: TRAIN_PY.split('\n').length - 1 });
    await writeFile(wt('models/weights.bin'), Buffer.from([0, 1, 2, 3, 0]));
    const r2 = await guard();
    expect(r2).toMatchObject({ ok: true, changedLines: TRAIN_PY.split('\n').length });
  });

  it('ignores the linked inputs and the app folder', async () => {
    await mkdir(path.join(project.dir, 'data-store'), { recursive: true });
    await symlink(path.join(project.dir, 'data-store'), wt('data'));
    await mkdir(wt('.autoresearch'), { recursive: true });
    await writeFile(wt('.autoresearch/scratch.txt'), 'x');
    await writeFile(wt('train.py'), TRAIN_PY.replace('DEPTH = 8', 'DEPTH = 7'));
    // The app folder is not the change, but git clean would remove it: a leftover; the linked input is not.
    expect(await guard()).toEqual({ ok: true, changedFiles: ['train.py'], changedLines: 2, leftovers: true });
  });

  it('says whether ignored files are left beside the change (then the worktree needs git clean after the commit)', async () => {
    await writeFile(wt('train.py'), TRAIN_PY.replace('DEPTH = 8', 'DEPTH = 7'));
    expect(await guard()).toMatchObject({ ok: true, leftovers: false });
    const common = (await raw(project.worktree, ['rev-parse', '--git-common-dir'])).trim();
    await mkdir(path.resolve(project.worktree, common, 'info'), { recursive: true });
    await writeFile(path.resolve(project.worktree, common, 'info', 'exclude'), '*.pth\n');
    await writeFile(wt('models/planted.pth'), 'import os\n');
    // Ignored, so not part of the change, and still reported.
    expect(await guard()).toEqual({ ok: true, changedFiles: ['train.py'], changedLines: 2, leftovers: true });
  });

  it('counts only the change when a tracked file of the app folder changed too (its lines are not the proposal\'s)', async () => {
    // The guard's git diff of the whole worktree runs beside its git status; here it covers one file more than the
    // change, so the change's own diff is read instead: 2 lines, not 32 (the cap is 20).
    await mkdir(wt('.autoresearch'), { recursive: true });
    await writeFile(wt('.autoresearch/notes.md'), 'old\n');
    await raw(project.worktree, ['add', '-f', '.autoresearch/notes.md']);
    await raw(project.worktree, ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'notes']);
    await writeFile(wt('.autoresearch/notes.md'), Array.from({ length: 30 }, (_, i) => `line ${i}`).join('\n') + '\n');
    await writeFile(wt('train.py'), TRAIN_PY.replace('DEPTH = 8', 'DEPTH = 7'));
    expect(await guard()).toEqual({ ok: true, changedFiles: ['train.py'], changedLines: 2, leftovers: false });
  });

  it('reads tracked files whose names git would quote (spaces, quotes, non-ASCII) and counts their lines', async () => {
    const odd = ['models/a b.py', 'models/"q".py', 'models/größe.py'];
    for (const f of odd) await writeFile(wt(f), 'X = 1\n');
    await raw(project.worktree, ['add', '--', ...odd]);
    await raw(project.worktree, ['-c', 'user.email=t@example.com', '-c', 'user.name=t', 'commit', '-q', '-m', 'odd names']);
    for (const f of odd) await writeFile(wt(f), 'X = 2\nY = 3\n');
    expect(await guard()).toEqual({ ok: true, changedFiles: [...odd].sort(), changedLines: 9, leftovers: false });
  });

  it('sees staged changes too (an agent CLI may run git add)', async () => {
    await writeFile(wt('README.md'), 'staged\n');
    await raw(project.worktree, ['add', 'README.md']);
    expect(await guard()).toMatchObject({ ok: false, changedFiles: ['README.md'] });
  });
});

describe('restoreFiles', () => {
  it('puts tracked files back from the commit and deletes files the commit does not have', async () => {
    await writeFile(wt('prepare.py'), 'hacked\n');
    await writeFile(wt('eval/new.py'), 'new\n');
    await raw(project.worktree, ['add', 'eval/new.py']);
    await writeFile(wt('train.py'), TRAIN_PY.replace('DEPTH = 8', 'DEPTH = 7'));
    await restoreFiles(project.worktree, project.baseCommit, ['prepare.py', 'eval/new.py']);
    expect(await readFile(wt('prepare.py'), 'utf8')).toBe(PREPARE_PY);
    await expect(stat(wt('eval/new.py'))).rejects.toThrow();
    // Other changes stay.
    expect(await readFile(wt('train.py'), 'utf8')).toContain('DEPTH = 7');
    expect(await guard()).toEqual({ ok: true, changedFiles: ['train.py'], changedLines: 2, leftovers: false });
  });

  it('never deletes outside the worktree', async () => {
    const victim = path.join(project.dir, 'keep-me.txt');
    await writeFile(victim, 'safe\n');
    await restoreFiles(project.worktree, project.baseCommit, ['../../../keep-me.txt']).catch(() => undefined);
    expect(await readFile(victim, 'utf8')).toBe('safe\n');
    await rm(victim);
  });

  it('does nothing for no paths', async () => {
    await restoreFiles(project.worktree, project.baseCommit, []);
  });
});
