import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, unlinkSync, renameSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseUnifiedDiff, toSplitRows, unquoteGitPath, type DiffFile } from '../../src/renderer/history/diff-parse.js';

// Real diffs from real git: the parser must agree with git's own numstat on every file.
let dir: string;
let diff: string;
let numstat: Map<string, { add: number; del: number }>;

const git = (args: string[]) =>
  execFileSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t' },
  });

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'diff-parse-'));
  git(['init', '--quiet']);
  git(['config', 'core.quotepath', 'true']);
  const body = Array.from({ length: 40 }, (_, i) => `line ${i + 1}`);
  writeFileSync(path.join(dir, 'train.py'), body.join('\n') + '\n');
  writeFileSync(path.join(dir, 'gone.txt'), 'bye\n');
  writeFileSync(path.join(dir, 'old name.py'), 'a = 1\nb = 2\nc = 3\nd = 4\ne = 5\n');
  writeFileSync(path.join(dir, 'noeol.txt'), 'no newline at the end');
  writeFileSync(path.join(dir, 'image.bin'), Buffer.from([0, 1, 2, 3, 0, 255]));
  git(['add', '-A']);
  git(['commit', '--quiet', '-m', 'one']);

  const changed = [...body];
  changed[2] = 'line 3 changed';
  changed[3] = '-- line that starts with dashes';
  changed.splice(20, 2, '--- looks like a header', '+++ looks like a header too', 'extra');
  changed.push('appended');
  writeFileSync(path.join(dir, 'train.py'), changed.join('\n') + '\n');
  unlinkSync(path.join(dir, 'gone.txt'));
  renameSync(path.join(dir, 'old name.py'), path.join(dir, 'new name.py'));
  writeFileSync(path.join(dir, 'noeol.txt'), 'still no newline, but different');
  writeFileSync(path.join(dir, 'café.py'), 'print("hi")\n');
  writeFileSync(path.join(dir, 'image.bin'), Buffer.from([0, 1, 2, 3, 0, 254, 7]));
  git(['add', '-A']);
  git(['commit', '--quiet', '-m', 'two']);
  diff = git(['diff', '--no-color', '-M', 'HEAD~1', 'HEAD']);
  numstat = new Map();
  for (const line of git(['diff', '--numstat', '-M', '-z', 'HEAD~1', 'HEAD']).split('\0').filter(Boolean)) {
    const m = /^(\S+)\t(\S+)\t(.*)$/.exec(line);
    if (m && m[3]) numstat.set(m[3], { add: m[1] === '-' ? 0 : Number(m[1]), del: m[2] === '-' ? 0 : Number(m[2]) });
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const byPath = (files: readonly DiffFile[], p: string) => {
  const f = files.find((x) => x.path === p);
  if (!f) throw new Error(`no file ${p} in ${files.map((x) => x.path).join(', ')}`);
  return f;
};

describe('parseUnifiedDiff on real git output', () => {
  it('finds every file with the status git reports', () => {
    const files = parseUnifiedDiff(diff);
    expect(files.map((f) => f.path).sort()).toEqual(['café.py', 'gone.txt', 'image.bin', 'new name.py', 'noeol.txt', 'train.py'].sort());
    expect(byPath(files, 'gone.txt')).toMatchObject({ status: 'deleted', newPath: null, oldPath: 'gone.txt' });
    expect(byPath(files, 'café.py')).toMatchObject({ status: 'added', oldPath: null });
    expect(byPath(files, 'new name.py')).toMatchObject({ status: 'renamed', oldPath: 'old name.py', newPath: 'new name.py' });
    expect(byPath(files, 'image.bin').binary).toBe(true);
  });

  it('counts the same additions and deletions as git --numstat', () => {
    const files = parseUnifiedDiff(diff);
    for (const f of files) {
      if (f.binary || f.status === 'renamed') continue;
      const expected = numstat.get(f.path);
      expect(expected, f.path).toBeDefined();
      expect({ add: f.additions, del: f.deletions }, f.path).toEqual(expected);
    }
  });

  it('numbers old and new lines, and never takes content that looks like a header for one', () => {
    const train = byPath(parseUnifiedDiff(diff), 'train.py');
    const all = train.hunks.flatMap((h) => h.lines);
    expect(all.find((l) => l.text === 'line 3 changed')).toMatchObject({ kind: 'add', newNo: 3, oldNo: null });
    expect(all.find((l) => l.text === 'line 3')).toMatchObject({ kind: 'del', oldNo: 3, newNo: null });
    expect(all.find((l) => l.text === '--- looks like a header')).toMatchObject({ kind: 'add' });
    expect(all.find((l) => l.text === '+++ looks like a header too')).toMatchObject({ kind: 'add' });
    expect(all.find((l) => l.text === 'appended')).toMatchObject({ kind: 'add', newNo: 42 });
    const ctx = all.find((l) => l.kind === 'context' && l.text === 'line 5');
    expect(ctx).toMatchObject({ oldNo: 5, newNo: 5 });
  });

  it('keeps the "no newline at end of file" note', () => {
    const f = byPath(parseUnifiedDiff(diff), 'noeol.txt');
    const notes = f.hunks.flatMap((h) => h.lines).filter((l) => l.kind === 'note');
    expect(notes.length).toBeGreaterThan(0);
    expect(notes[0]!.text).toContain('No newline');
  });

  it('returns nothing for an empty diff', () => {
    expect(parseUnifiedDiff('')).toEqual([]);
  });

  it('reads a plain unified diff without a "diff --git" line', () => {
    const text = '--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@\n-a = 1\n+a = 2\n b = 3\n';
    const [f] = parseUnifiedDiff(text);
    expect(f).toMatchObject({ path: 'x.py', additions: 1, deletions: 1, status: 'modified' });
  });
});

describe('toSplitRows', () => {
  it('pairs a run of deletions with the following additions and pads the shorter side', () => {
    const text = '--- a/x\n+++ b/x\n@@ -1,5 +1,3 @@\n keep\n-old 1\n-old 2\n+new 1\n tail\n-gone\n';
    const [f] = parseUnifiedDiff(text);
    const rows = toSplitRows(f!.hunks[0]!);
    expect(rows.map((r) => [r.kind, r.left?.text ?? null, r.right?.text ?? null])).toEqual([
      ['context', 'keep', 'keep'],
      ['change', 'old 1', 'new 1'],
      ['change', 'old 2', null],
      ['context', 'tail', 'tail'],
      ['change', 'gone', null],
    ]);
  });
});

describe('unquoteGitPath', () => {
  it('decodes the octal UTF-8 escapes git uses for unusual names', () => {
    expect(unquoteGitPath('"a/caf\\303\\251.py"')).toBe('a/café.py');
    expect(unquoteGitPath('"a/tab\\there"')).toBe('a/tab\there');
    expect(unquoteGitPath('plain.py')).toBe('plain.py');
  });
});
