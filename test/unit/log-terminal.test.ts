import { describe, expect, it } from 'vitest';
import { createTailJoin, createTerminal, feedTerminal, renderTerminalLine, terminalLines } from '../../src/renderer/run/terminal.js';

const feedAll = (chunks: readonly string[], maxLines = 200) => chunks.reduce(feedTerminal, createTerminal(maxLines));

describe('log tail terminal', () => {
  it('shows plain lines as they are, and the unfinished last line too', () => {
    const t = feedAll(['compiling\nstep 1', ' of 3']);
    expect(terminalLines(t)).toEqual(['compiling', 'step 1 of 3']);
  });

  it('lets a carriage return overwrite the current line like a terminal, keeping a longer tail', () => {
    const t = feedAll(['step 1 | loss 4.000000\rstep 2 | loss 3.9\rstep 3']);
    // Each rewrite overwrites only as many columns as it has; the rest of the longer line stays visible,
    // exactly what a terminal would show ("3.9" over "4.000000" leaves "3.900000").
    expect(terminalLines(t)).toEqual(['step 3 | loss 3.900000']);
  });

  it('treats \\r\\n as a newline, even when the chunk boundary falls between them', () => {
    const t = feedAll(['first\r', '\nsecond\r\n']);
    expect(terminalLines(t)).toEqual(['first', 'second']);
  });

  it('keeps a progress line rewritten across many chunks as one line', () => {
    let t = createTerminal(10);
    for (let s = 1; s <= 500; s++) t = feedTerminal(t, `\rstep ${String(s).padStart(5, '0')}`);
    t = feedTerminal(t, '\n---\nval_bpb: 0.99\n');
    expect(terminalLines(t)).toEqual(['step 00500', '---', 'val_bpb: 0.99']);
  });

  it('keeps only the last maxLines lines and counts what it dropped', () => {
    const text = Array.from({ length: 250 }, (_, i) => `line ${i}`).join('\n') + '\n';
    const t = feedTerminal(createTerminal(200), text);
    const lines = terminalLines(t);
    expect(lines).toHaveLength(200);
    expect(lines[0]).toBe('line 50');
    expect(lines[199]).toBe('line 249');
    expect(t.dropped).toBe(50);
  });

  it('drops colour codes and honours erase-to-end-of-line, even when a code is split across chunks', () => {
    const t = feedAll(['\x1b[32mok\x1b', '[0m done\n', 'abcdef\r\x1b[Kxy\n']);
    expect(terminalLines(t)).toEqual(['ok done', 'xy']);
  });

  it('moves back one column on a backspace', () => {
    expect(terminalLines(feedAll(['abc\b\bX\n']))).toEqual(['aXc']);
  });

  it('renders one stored log line with its \\r segments as the final terminal text', () => {
    expect(renderTerminalLine('plain line')).toBe('plain line');
    expect(renderTerminalLine('\rstep 00001 (0.1%)\rstep 00002 (0.2%)\rstep 00003 (0.3%)')).toBe('step 00003 (0.3%)');
    expect(renderTerminalLine('progress 99%\r')).toBe('progress 99%');
  });

  it('shows a huge stored line from its tail instead of processing all of it', () => {
    const segment = '\rstep 00000 | loss 3.000000';
    const huge = segment.repeat(20_000) + '\rfinal step';
    const out = renderTerminalLine(huge);
    expect(out.startsWith('final step')).toBe(true);
  });

  it('does not change the state it was given', () => {
    const a = feedTerminal(createTerminal(5), 'one\n');
    const b = feedTerminal(a, 'two\n');
    expect(terminalLines(a)).toEqual(['one']);
    expect(terminalLines(b)).toEqual(['one', 'two']);
  });

  it('feeds output pushed around the read of the tail once, where the tail already shows it', () => {
    /** The tail, then each push through the join, as the log view feeds them. */
    const view = (tail: string, ...pushes: string[]) => {
      const join = createTailJoin(tail);
      return tail + pushes.map((p) => join.push(p)).join('');
    };
    const show = (text: string) => terminalLines(feedTerminal(createTerminal(50), text));
    // A new experiment: its first line is on disk (read back without the newline the line split took) and in the
    // first push, with the progress that followed.
    expect(show(view('seed 1 (SEED=1)', 'seed 1 (SEED=1)\n\rstep 00200 | loss 2.35'))).toEqual(['seed 1 (SEED=1)', 'step 00200 | loss 2.35']);
    // The read came after more was on disk than had been pushed: the pushes that follow repeat it, and are skipped
    // until they bring something new.
    expect(view('a\nb\nc', 'b\n', 'c', '\nd\n')).toBe('a\nb\nc\nd\n');
    expect(view('a\nb\nc', 'b\nc\nd')).toBe('a\nb\nc\nd');
    // A progress line redrawn with \r and no newline yet: the tail ends inside it.
    expect(show(view('x\n\rstep 1\rstep 2', '\rstep 2\rstep 3'))).toEqual(['x', 'step 3']);
    // Nothing in common (the push came after the read): the tail, then the pushes, as before.
    expect(view('a\nb', '\nc\n', 'd\n')).toBe('a\nb\nc\nd\n');
    // Where the pushes stop agreeing with the tail, they are fed from there on.
    expect(view('a\nb\nc', 'b\n', 'X\n')).toBe('a\nb\ncX\n');
    expect(view('', 'c\n')).toBe('c\n');
  });
});
