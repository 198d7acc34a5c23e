// bench/search's simulated parts must behave as the real ones: carry() as git's three-way merge of a proposal onto
// a moved best (checked against `git merge-file` on every pair of one- and two-line edits of a hyperparameter
// block), and the curves it feeds the real early-stop rule ending at the run's metric.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { carry, CURVE_STEPS, runCurve, stopStep } from '../../bench/scenarios/search-sim.js';
import { cleanupTempDirs, tempDir } from '../helpers/project.js';

afterAll(cleanupTempDirs);

const BASE = ['LEARNING_RATE = 0.01', 'WEIGHT_DECAY = 0.1', 'BATCH_SIZE = 64', 'WARMUP_STEPS = 200', ''];

/** The file with lines `at` changed to `tag`-marked values. */
function edit(at: readonly number[], tag: string): string {
  return BASE.map((line, k) => (at.includes(k) ? `${line}${tag}` : line)).join('\n');
}

/** git merge-file's answer: the merged text, or null on a conflict. */
function gitMerge(dir: string, base: string, ours: string, theirs: string): string | null {
  for (const [name, text] of [['base', base], ['ours', ours], ['theirs', theirs]] as const) writeFileSync(path.join(dir, name), text);
  try {
    return execFileSync('git', ['merge-file', '-p', 'theirs', 'base', 'ours'], { cwd: dir, encoding: 'utf8' });
  } catch {
    return null;
  }
}

describe('bench/search simulation', () => {
  it('carries a proposal onto a moved best exactly when git merges it, to the same text', () => {
    const dir = tempDir('ar-carry-');
    const edits = [[0], [1], [2], [3], [0, 1], [0, 2], [1, 3], [2, 3]];
    const base = BASE.join('\n');
    let conflicts = 0;
    let clean = 0;
    for (const mine of edits) {
      for (const best of edits) {
        for (const same of [false, true]) {
          const proposal = edit(mine, '1');
          const onto = edit(best, same ? '1' : '2');
          const expected = gitMerge(dir, base, proposal, onto);
          expect(carry(base, proposal, onto), `proposal edits ${mine}, best edits ${best}${same ? ' the same way' : ''}`).toBe(expected);
          if (expected === null) conflicts++;
          else clean++;
        }
      }
    }
    // Both outcomes were exercised, so the comparison meant something.
    expect(conflicts).toBeGreaterThan(0);
    expect(clean).toBeGreaterThan(0);
  });

  it('ends every curve at the run metric and stops a clearly worse candidate, not an equal one', () => {
    const best = [1, 2, 3].map((k) => runCurve(0.9, 0, 0.004, 100 + k));
    for (const c of best) expect(c[c.length - 1]).toEqual([CURVE_STEPS, 0.9]);
    const worse = runCurve(0.95, 0, 0.004, 7);
    const at = stopStep(worse, best, best);
    expect(at).not.toBeNull();
    expect(at!).toBeLessThan(CURVE_STEPS);
    expect(stopStep(runCurve(0.9, 0, 0.004, 8), best, best)).toBeNull();
  });
});
