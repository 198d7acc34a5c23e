// LoopGit.carryAhead (core/loop/loop-git.ts) in a real repository: the slot's carryOnto with the same arguments
// gets the carry made ahead (its message, parents and merged file), once; a conflict found ahead is the same
// conflict, and a carry ahead that failed fails the slot's carry the same way (experiment-start's "commit gone").
import { afterEach, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { GitError } from '../../src/core/git/git.js';
import { createLoopGit } from '../../src/core/loop/loop-git.js';
import { cleanupTempDirs, git, makeRepo } from '../helpers/project.js';

afterEach(cleanupTempDirs);

function commitOn(dir: string, from: string, text: string, message: string): string {
  git(dir, 'checkout', '-q', '--detach', from);
  writeFileSync(path.join(dir, 'train.py'), text);
  git(dir, 'commit', '-qam', message);
  return git(dir, 'rev-parse', 'HEAD').trim();
}

const lines = (n: number, at: number, value: string) => Array.from({ length: n }, (_, i) => (i === at ? value : `K${i} = 10`)).join('\n') + '\n';

/** A repository of `n` knob lines, a candidate and a proposal each changing one line of it, and its LoopGit. */
function candidateAndProposal(n: number, candidateAt: [number, string], proposalAt: [number, string]) {
  const dir = makeRepo({ 'train.py': lines(n, -1, '') });
  const base = git(dir, 'rev-parse', 'HEAD').trim();
  const candidate = commitOn(dir, base, lines(n, ...candidateAt), 'candidate');
  const proposal = commitOn(dir, base, lines(n, ...proposalAt), 'proposal');
  return { dir, candidate, proposal, loopGit: createLoopGit(dir, []) };
}

describe('carry ahead', () => {
  it('hands the carry made ahead to the slot, and a carry not made ahead is computed then', async () => {
    const { dir, candidate, proposal, loopGit } = candidateAndProposal(12, [0, 'K0 = 5'], [10, 'K10 = 5']);
    loopGit.carryAhead!(proposal, candidate, 'carried ahead');
    const got = await loopGit.carryOnto(proposal, candidate, 'carried ahead');
    expect(got.kind).toBe('carried');
    const commit = (got as { commit: string }).commit;
    expect(git(dir, 'log', '-1', '--format=%s', commit).trim()).toBe('carried ahead');
    expect(git(dir, 'rev-list', '--parents', '-n', '1', commit).trim().split(' ').slice(1)).toEqual([candidate, proposal]);
    expect(git(dir, 'show', `${commit}:train.py`)).toContain('K0 = 5\n');
    expect(git(dir, 'show', `${commit}:train.py`)).toContain('K10 = 5\n');
    // Taken once: asked again (another message, so another commit), it is computed anew.
    const again = await loopGit.carryOnto(proposal, candidate, 'carried later');
    expect(again.kind === 'carried' && again.commit).not.toBe(commit);
  });

  it('gives the conflict found ahead, and the error of a carry ahead that failed', async () => {
    const { candidate, proposal, loopGit } = candidateAndProposal(4, [1, 'K1 = 5'], [1, 'K1 = 7']);
    loopGit.carryAhead!(proposal, candidate, 'm');
    expect(await loopGit.carryOnto(proposal, candidate, 'm')).toEqual({ kind: 'conflict', files: ['train.py'] });
    const gone = 'f'.repeat(40);
    loopGit.carryAhead!(gone, candidate, 'm');
    await expect(loopGit.carryOnto(gone, candidate, 'm')).rejects.toBeInstanceOf(GitError);
    expect(await loopGit.commitExists(gone)).toBe(false);
  });
});
