// The zero-context three-way merge that carries a proposal past a change on the neighbouring line.
import { describe, expect, it } from 'vitest';
import { mergeZeroContext, parseZeroContextHunks, type Hunk } from '../../src/core/git/line-merge.js';

const base = ['a = 1', 'b = 2', 'c = 3', 'd = 4'];
const set = (line: number, text: string): Hunk => ({ start: line, count: 1, lines: [text] });

describe('mergeZeroContext', () => {
  it('takes changes to neighbouring lines from both sides', () => {
    expect(mergeZeroContext(base, [set(1, 'a = 10')], [set(2, 'b = 20')])).toEqual(['a = 10', 'b = 20', 'c = 3', 'd = 4']);
    expect(mergeZeroContext(base, [set(3, 'c = 30')], [set(2, 'b = 20')])).toEqual(['a = 1', 'b = 20', 'c = 30', 'd = 4']);
  });

  it('refuses changes to the same line, and a line inserted inside a replaced range', () => {
    expect(mergeZeroContext(base, [set(2, 'b = 5')], [set(2, 'b = 20')])).toBeNull();
    expect(mergeZeroContext(base, [{ start: 2, count: 2, lines: ['x'] }], [{ start: 2, count: 0, lines: ['new'] }])).toBeNull();
    expect(mergeZeroContext(base, [{ start: 2, count: 0, lines: ['p'] }], [{ start: 2, count: 0, lines: ['q'] }])).toBeNull();
  });

  it('counts the same change made on both sides once', () => {
    expect(mergeZeroContext(base, [set(2, 'b = 20')], [set(2, 'b = 20'), set(4, 'd = 40')])).toEqual(['a = 1', 'b = 20', 'c = 3', 'd = 40']);
  });

  it('applies insertions and deletions with the line numbers of the base', () => {
    const ours: Hunk[] = [{ start: 0, count: 0, lines: ['top'] }, { start: 3, count: 1, lines: [] }];
    const theirs: Hunk[] = [{ start: 4, count: 0, lines: ['e = 5'] }, set(1, 'a = 0')];
    expect(mergeZeroContext(base, ours, theirs)).toEqual(['top', 'a = 0', 'b = 2', 'd = 4', 'e = 5']);
  });
});

describe('parseZeroContextHunks', () => {
  it('reads the base range and the new lines of each hunk', () => {
    const patch = 'diff --git a/t b/t\n--- a/t\n+++ b/t\n@@ -2 +2 @@\n-b = 2\n+b = 20\n@@ -4,0 +5,2 @@\n+e\n+f\n@@ -1,2 +0,0 @@\n-x\n-y\n';
    expect(parseZeroContextHunks(patch)).toEqual([
      { start: 2, count: 1, lines: ['b = 20'] },
      { start: 4, count: 0, lines: ['e', 'f'] },
      { start: 1, count: 2, lines: [] },
    ]);
  });

  it('gives up on a file without a newline at its end', () => {
    expect(parseZeroContextHunks('@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+b\n')).toBeNull();
  });
});
