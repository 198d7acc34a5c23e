// The text editor tool's commands, run in a real folder through the restricted Workspace.
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTextEditor, MAX_VIEW_CHARS, type TextEditor } from '../../src/core/agent/claude/text-editor.js';
import { createWorkspace } from '../../src/core/agent/workspace.js';

let dir: string;
let editor: TextEditor;
const TRAIN = 'import math\nLR = 0.04\nDEPTH = 8\n\ndef f():\n    return LR * DEPTH\n';

beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ar-te-'));
  await writeFile(path.join(dir, 'train.py'), TRAIN);
  await writeFile(path.join(dir, 'prepare.py'), 'BUDGET = 300\n');
  await writeFile(path.join(dir, 'notes.md'), 'notes\n');
  await writeFile(path.join(dir, 'secret.txt'), 'no\n');
  await mkdir(path.join(dir, 'lib', 'deep', 'deeper'), { recursive: true });
  await writeFile(path.join(dir, 'lib', 'util.py'), 'X = 1\n');
  await writeFile(path.join(dir, 'lib', 'deep', 'deeper', 'hidden.py'), 'Y = 2\n');
  await mkdir(path.join(dir, '.git'));
  editor = createTextEditor(createWorkspace(dir, dir, { editable: ['train.py', 'lib/**'], context: ['notes.md'], protected: ['prepare.py'] }));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const read = (rel: string) => readFile(path.join(dir, rel), 'utf8');

describe('view', () => {
  it('shows a file with line numbers', async () => {
    const r = await editor.execute({ command: 'view', path: 'train.py' });
    expect(r.isError).toBe(false);
    expect(r.content).toContain('     2\tLR = 0.04');
    expect(r.content).toContain('     6\t    return LR * DEPTH');
  });

  it('shows a range, with -1 for the end', async () => {
    const r = await editor.execute({ command: 'view', path: 'train.py', view_range: [2, 3] });
    expect(r.content.split('\n').slice(1)).toEqual(['     2\tLR = 0.04', '     3\tDEPTH = 8']);
    const tail = await editor.execute({ command: 'view', path: 'train.py', view_range: [5, -1] });
    expect(tail.content).toContain('     5\tdef f():');
    expect(tail.content).not.toContain('DEPTH = 8\n');
  });

  it('refuses bad ranges with a message', async () => {
    for (const range of [[0, 2], [3, 2], [1, 99], ['a', 2], [1]]) {
      const r = await editor.execute({ command: 'view', path: 'train.py', view_range: range });
      expect(r.isError, JSON.stringify(range)).toBe(true);
      expect(r.content).toMatch(/view_range/);
    }
  });

  it('lists folders two levels deep and marks what may be edited or read', async () => {
    const r = await editor.execute({ command: 'view', path: '.' });
    expect(r.isError).toBe(false);
    expect(r.content).toContain('train.py [editable]');
    expect(r.content).toContain('notes.md [read-only]');
    expect(r.content).toMatch(/^secret\.txt$/m);
    expect(r.content).toContain('lib/util.py [editable]');
    expect(r.content).toContain('lib/deep/');
    expect(r.content).not.toContain('hidden.py');
    expect(r.content).not.toContain('.git');
    const sub = await editor.execute({ command: 'view', path: 'lib/deep' });
    expect(sub.content).toContain('lib/deep/deeper/hidden.py [editable]');
  });

  it('refuses files that are not readable', async () => {
    const r = await editor.execute({ command: 'view', path: 'secret.txt' });
    expect(r).toEqual({ isError: true, content: expect.stringMatching(/not readable/) });
  });

  it('cuts a very large file and says how to see the rest', async () => {
    await writeFile(path.join(dir, 'train.py'), Array.from({ length: 20_000 }, (_, i) => `x${i} = ${i}`).join('\n'));
    const r = await editor.execute({ command: 'view', path: 'train.py' });
    expect(r.content.length).toBeLessThan(MAX_VIEW_CHARS + 500);
    const m = /truncated after line (\d+); view the rest with view_range \[(\d+), -1\]/.exec(r.content);
    expect(m).not.toBeNull();
    expect(Number(m![2])).toBe(Number(m![1]) + 1);
    expect(r.content).toContain(`\tx${Number(m![1]) - 1} = ${Number(m![1]) - 1}`);
  });
});

describe('str_replace', () => {
  it('replaces a unique string and shows the edited lines', async () => {
    const r = await editor.execute({ command: 'str_replace', path: 'train.py', old_str: 'LR = 0.04', new_str: 'LR = 0.03' });
    expect(r.isError).toBe(false);
    expect(r.content).toContain('     2\tLR = 0.03');
    expect(await read('train.py')).toBe(TRAIN.replace('LR = 0.04', 'LR = 0.03'));
  });

  it('deletes with an empty or missing new_str', async () => {
    await editor.execute({ command: 'str_replace', path: 'train.py', old_str: 'import math\n' });
    expect(await read('train.py')).toBe(TRAIN.replace('import math\n', ''));
  });

  it('refuses a string that is missing or not unique, and changes nothing', async () => {
    const missing = await editor.execute({ command: 'str_replace', path: 'train.py', old_str: 'LR=0.04', new_str: 'x' });
    expect(missing).toEqual({ isError: true, content: expect.stringMatching(/does not appear verbatim/) });
    const twice = await editor.execute({ command: 'str_replace', path: 'train.py', old_str: 'DEPTH', new_str: 'D' });
    expect(twice).toEqual({ isError: true, content: expect.stringMatching(/more than once in train.py \(lines 3, 6\)/) });
    const empty = await editor.execute({ command: 'str_replace', path: 'train.py', old_str: '', new_str: 'x' });
    expect(empty.isError).toBe(true);
    expect(await read('train.py')).toBe(TRAIN);
    expect(await editor.changedFiles()).toEqual([]);
  });

  it('refuses protected and non-editable files before reading them', async () => {
    const p = await editor.execute({ command: 'str_replace', path: 'prepare.py', old_str: 'BUDGET = 300', new_str: 'BUDGET = 3' });
    expect(p).toEqual({ isError: true, content: expect.stringMatching(/prepare.py is protected/) });
    const n = await editor.execute({ command: 'str_replace', path: 'notes.md', old_str: 'notes', new_str: 'x' });
    expect(n).toEqual({ isError: true, content: expect.stringMatching(/may not be written: only train.py, lib\/\*\* may be edited/) });
    expect(await read('prepare.py')).toBe('BUDGET = 300\n');
  });

  it('says when the file does not exist', async () => {
    const r = await editor.execute({ command: 'str_replace', path: 'lib/nope.py', old_str: 'a', new_str: 'b' });
    expect(r).toEqual({ isError: true, content: expect.stringMatching(/does not exist; use create/) });
  });
});

describe('create and insert', () => {
  it('creates a new editable file and overwrites an existing one', async () => {
    const c = await editor.execute({ command: 'create', path: 'lib/new/mod.py', file_text: 'Z = 3\n' });
    expect(c).toEqual({ isError: false, content: 'The file lib/new/mod.py has been created.' });
    const o = await editor.execute({ command: 'create', path: 'train.py', file_text: 'print(1)\n' });
    expect(o.content).toMatch(/overwritten/);
    expect(await read('lib/new/mod.py')).toBe('Z = 3\n');
    expect(await read('train.py')).toBe('print(1)\n');
  });

  it('refuses create outside the editable files', async () => {
    const r = await editor.execute({ command: 'create', path: 'evil.sh', file_text: 'rm -rf ~' });
    expect(r.isError).toBe(true);
    await expect(stat(path.join(dir, 'evil.sh'))).rejects.toThrow();
  });

  it('inserts after a line (0 = top), accepting insert_text or the older new_str', async () => {
    await editor.execute({ command: 'insert', path: 'train.py', insert_line: 0, insert_text: '# header' });
    await editor.execute({ command: 'insert', path: 'train.py', insert_line: 3, new_str: 'WIDTH = 4' });
    const lines = (await read('train.py')).split('\n');
    expect(lines.slice(0, 5)).toEqual(['# header', 'import math', 'LR = 0.04', 'WIDTH = 4', 'DEPTH = 8']);
  });

  it('refuses an insert line outside the file and a missing parameter', async () => {
    expect((await editor.execute({ command: 'insert', path: 'train.py', insert_line: 99, insert_text: 'x' })).content).toMatch(/outside the file: use 0 to 7/);
    expect((await editor.execute({ command: 'insert', path: 'train.py', insert_line: -1, insert_text: 'x' })).isError).toBe(true);
    expect((await editor.execute({ command: 'insert', path: 'train.py', insert_text: 'x' })).content).toMatch(/insert_line/);
    expect((await editor.execute({ command: 'insert', path: 'train.py', insert_line: 1 })).content).toMatch(/insert_text/);
  });
});

describe('bad calls', () => {
  it.each([
    [null, /must be an object/],
    ['view train.py', /must be an object/],
    [{ path: 'train.py' }, /Unknown command undefined/],
    [{ command: 'delete', path: 'train.py' }, /Unknown command "delete"/],
    [{ command: 'undo_edit', path: 'train.py' }, /undo_edit is not available/],
    [{ command: 'view' }, /Missing parameter "path"/],
    [{ command: 'view', path: 42 }, /"path" must be a string/],
    [{ command: 'create', path: 'train.py' }, /Missing parameter "file_text"/],
  ])('%j is an error result', async (input, message) => {
    const r = await editor.execute(input);
    expect(r.isError).toBe(true);
    expect(r.content).toMatch(message);
  });
});

describe('changed files and undo', () => {
  it('knows what changed and puts everything back, removing created files', async () => {
    await editor.execute({ command: 'str_replace', path: 'train.py', old_str: 'LR = 0.04', new_str: 'LR = 0.01' });
    await editor.execute({ command: 'str_replace', path: 'train.py', old_str: 'DEPTH = 8', new_str: 'DEPTH = 2' });
    await editor.execute({ command: 'create', path: 'lib/extra.py', file_text: 'E = 1\n' });
    await editor.execute({ command: 'create', path: 'lib/util.py', file_text: 'X = 1\n' }); // same content
    expect(await editor.changedFiles()).toEqual(['lib/extra.py', 'train.py']);
    await editor.undo();
    expect(await read('train.py')).toBe(TRAIN);
    await expect(stat(path.join(dir, 'lib/extra.py'))).rejects.toThrow();
    expect(await read('lib/util.py')).toBe('X = 1\n');
    expect(await editor.changedFiles()).toEqual([]);
  });
});
