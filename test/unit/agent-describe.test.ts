import { describe, expect, it } from 'vitest';
import { cleanDescriptionLine, describeFromText, MAX_DESCRIPTION_CHARS, truncateDescription } from '../../src/core/agent/claude/describe.js';

describe('the description is the first line of the final text', () => {
  it('splits description and hypothesis', () => {
    expect(describeFromText('Lower the learning rate to 0.03\n\nSmaller steps, fewer spikes.\nSecond line.')).toEqual({
      description: 'Lower the learning rate to 0.03',
      hypothesis: 'Smaller steps, fewer spikes.\nSecond line.',
    });
  });

  it('skips blank lines and code fences before the first line', () => {
    expect(describeFromText('\n\n   \n```\nUse RMSNorm\nbecause')?.description).toBe('Use RMSNorm');
    expect(describeFromText('---\nUse RMSNorm')?.description).toBe('Use RMSNorm');
  });

  it.each([
    ['# Use RMSNorm', 'Use RMSNorm'],
    ['### Use RMSNorm', 'Use RMSNorm'],
    ['**Use RMSNorm**', 'Use RMSNorm'],
    ['> Use RMSNorm', 'Use RMSNorm'],
    ['- Use RMSNorm', 'Use RMSNorm'],
    ['1. Use RMSNorm', 'Use RMSNorm'],
    ['"Use RMSNorm"', 'Use RMSNorm'],
    ['Description: Use RMSNorm', 'Use RMSNorm'],
    ['**Description:** Use RMSNorm', 'Use RMSNorm'],
    ['`Use RMSNorm`', 'Use RMSNorm'],
    ['  Use   RMSNorm  ', 'Use RMSNorm'],
  ])('removes markdown from %j', (line, expected) => {
    expect(cleanDescriptionLine(line)).toBe(expected);
  });

  it('keeps markdown-like characters inside the line', () => {
    expect(cleanDescriptionLine('Scale lr * 0.5 for depth > 8')).toBe('Scale lr * 0.5 for depth > 8');
  });

  it(`cuts long lines to ${MAX_DESCRIPTION_CHARS} characters at a word, and keeps the whole line in the hypothesis`, () => {
    const long = `Replace the ${'very '.repeat(40)}long optimizer`;
    const d = describeFromText(`${long}\nbecause`)!;
    expect(d.description.length).toBeLessThanOrEqual(MAX_DESCRIPTION_CHARS);
    expect(d.description.endsWith('…')).toBe(true);
    expect(d.description).not.toMatch(/ …$/);
    expect(d.hypothesis).toBe(`${long}\n\nbecause`);
  });

  it('cuts a line without spaces hard', () => {
    const s = truncateDescription('x'.repeat(300));
    expect(s).toHaveLength(MAX_DESCRIPTION_CHARS);
  });

  it('returns null when there is nothing to describe', () => {
    expect(describeFromText('')).toBeNull();
    expect(describeFromText('\n  \n')).toBeNull();
    expect(describeFromText('**\n##')).toBeNull();
  });

  it('handles Windows line endings', () => {
    expect(describeFromText('Use RMSNorm\r\nbecause it is simpler\r\n')).toEqual({ description: 'Use RMSNorm', hypothesis: 'because it is simpler' });
  });
});

describe('DESCRIPTION:/HYPOTHESIS: markers (agent CLIs with chatter)', () => {
  it('uses the marked lines wherever they are', () => {
    const out = 'Reading train.py...\nApplied edit to train.py\n\nDESCRIPTION: Add dropout 0.1\nHYPOTHESIS: Regularisation helps\non the small dataset.\n';
    expect(describeFromText(out)).toEqual({ description: 'Add dropout 0.1', hypothesis: 'Regularisation helps\non the small dataset.' });
  });

  it('takes the last marked block when the prompt was echoed first', () => {
    const out = 'DESCRIPTION: <the experiment in one line>\nHYPOTHESIS: <why>\n...\nDESCRIPTION: Warm up for 50 steps\nHYPOTHESIS: fewer early spikes';
    expect(describeFromText(out)).toEqual({ description: 'Warm up for 50 steps', hypothesis: 'fewer early spikes' });
  });

  it('accepts decorated markers', () => {
    expect(describeFromText('**DESCRIPTION:** Use GELU\n**HYPOTHESIS:** smoother')?.description).toBe('Use GELU');
  });

  it('falls back to the first line when the marker is empty', () => {
    expect(describeFromText('Use GELU\nDESCRIPTION:   \n')?.description).toBe('Use GELU');
  });
});
