// bench/search's carry() must behave as the loop's: for every pair of one- and two-line edits of a hyperparameter
// block (and the same edit made on both sides), the simulated carry and the real carryOnto (git/carry-change.ts,
// on real commits) agree on whether it merges and on the merged text.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { carry } from '../../bench/scenarios/search-sim.js';
import { carryOnto } from '../../src/core/git/carry-change.js';
import { cleanupTempDirs, git, makeRepo } from '../helpers/project.js';

afterAll(cleanupTempDirs);

const BASE = ['LEARNING_RATE = 0.01', 'WEIGHT_DECAY = 0.1', 'BATCH_SIZE = 64', 'WARMUP_STEPS = 200', ''];

/** The file with lines `at` changed to `tag`-marked values. */
function edit(at: readonly number[], tag: string): string {
  return BASE.map((line, k) => (at.includes(k) ? `${line}${tag}` : line)).join('\n');
}

describe('bench/search carry()', () => {
  it('merges a proposal onto a moved best exactly when the loop does, to the same text', async () => {
    const base = BASE.join('\n');
    const dir = makeRepo({ 'train.py': base });
    const root = git(dir, 'rev-parse', 'HEAD').trim();
    const commitOf = new Map<string, string>();
    const commit = (text: string): string => {
      const known = commitOf.get(text);
      if (known) return known;
      git(dir, 'checkout', '-q', '--detach', root);
      writeFileSync(path.join(dir, 'train.py'), text);
      git(dir, 'commit', '-qam', 'edit');
      const sha = git(dir, 'rev-parse', 'HEAD').trim();
      commitOf.set(text, sha);
      return sha;
    };
    const edits = [[0], [1], [2], [3], [0, 1], [0, 2], [1, 3], [2, 3]];
    let conflicts = 0;
    let clean = 0;
    for (const mine of edits) {
      for (const best of edits) {
        for (const same of [false, true]) {
          if (same && mine.join() !== best.join()) continue;
          const proposal = edit(mine, '1');
          const onto = edit(best, same ? '1' : '2');
          const real = await carryOnto(dir, commit(proposal), commit(onto), 'carried');
          const expected = 'commit' in real ? git(dir, 'show', `${real.commit}:train.py`) : null;
          expect(carry(base, proposal, onto), `proposal edits ${mine}, best edits ${best}${same ? ' the same way' : ''}`).toBe(expected);
          if (expected === null) conflicts++;
          else clean++;
        }
      }
    }
    // Both outcomes were exercised, so the comparison meant something.
    expect(conflicts).toBeGreaterThan(0);
    expect(clean).toBeGreaterThan(0);
  }, 180_000);
});
