// A proposal made ahead is committed by the harness in its proposal worktree (git/fast-commit.ts), which is then
// put back at its base by rewriting the files that proposal changed (restoreBase), not by a checkout. If either
// went wrong, a proposal would carry the one before it along, or miss a file: each experiment's commit must
// hold exactly its own change on its base.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { proposalWorktree } from '../../src/core/project/paths.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { scriptedProposer, type Step } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

/** Step i: a comment line of its own at the end of train.mjs, and every other step a new file. */
const step = (i: number): Step => async (ctx) => {
  const text = await ctx.workspace.readFile('train.mjs');
  await ctx.workspace.writeFile('train.mjs', `${text}// note ${i}\n`);
  if (i % 2 === 0) await ctx.workspace.writeFile(`lib/extra_${i}.mjs`, `export const X${i} = ${i};\n`);
  return { description: `note ${i}` };
};

/** Each candidate's commit holds exactly its own step's change on its parent, and its ref names it. */
function expectOwnChanges(dir: string, candidates: { id: number; description: string | null; parentCommit: string | null; commit: string | null }[]): void {
  for (const e of candidates) {
    const i = Number(/note (\d+)/.exec(e.description ?? '')![1]);
    const files = git(dir, 'diff', '--name-status', e.parentCommit!, e.commit!).trim().split('\n').sort();
    expect(files).toEqual(i % 2 === 0 ? [`A\tlib/extra_${i}.mjs`, 'M\ttrain.mjs'] : ['M\ttrain.mjs']);
    const added = git(dir, 'diff', '-U0', e.parentCommit!, e.commit!, '--', 'train.mjs').split('\n').filter((l) => l.startsWith('+') && !l.startsWith('+++'));
    expect(added).toEqual([`+// note ${i}`]);
    expect(git(dir, 'log', '-1', '--format=%P', e.commit!).trim()).toBe(e.parentCommit);
    expect(git(dir, 'rev-parse', `refs/autoresearch/t/${e.id}`).trim()).toBe(e.commit);
  }
}

const project = () =>
  scoredProject({ files: { editable: ['train.mjs', 'lib/*.mjs'], protected: ['prepare.mjs'] }, agent: { queueDepth: 1 }, acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } }, { 'lib/base.mjs': 'export const B = 1;\n' });

describe('proposals committed in their proposal worktree', () => {
  it('each commit holds its own change on its base, and the worktree is back at the base between them', async () => {
    const { dir } = project();
    const proposer = scriptedProposer(Array.from({ length: 6 }, (_, i) => step(i + 1)));
    const handle = await startRun({
      projectDir: dir,
      tag: 't',
      maxExperiments: 6,
      deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined },
    });
    expect((await handle.done).reason).toBe('max-experiments');
    const rec = await readRunRecord(dir, 't');
    const candidates = [...rec.experiments.values()].filter((e) => e.kind === 'candidate').sort((a, b) => a.id - b.id);
    expect(candidates.length).toBe(6);
    expectOwnChanges(dir, candidates);
    // Made by the harness: the proposal worktree's HEAD never left the base, and the objects are sound.
    const wt = proposalWorktree(dir, 0);
    expect(candidates.map((e) => e.parentCommit)).toContain(git(wt, 'rev-parse', 'HEAD').trim());
    expect(() => git(dir, 'fsck', '--strict', '--no-dangling')).not.toThrow();
  });

  it('loses nothing when its long-lived git processes are killed under it (a ref or a restore falls back to plain git)', async () => {
    const { dir } = project();
    const proposer = scriptedProposer(Array.from({ length: 10 }, (_, i) => step(i + 1)));
    // A shell loop kills the run's update-ref --stdin and cat-file --batch processes as soon as it finds them,
    // so some die in the middle of a transaction or a read. It counts its kills in a file. It starts once the
    // baseline is measured: the branch, which moves only then here (every candidate is discarded), is the ref
    // whose lock a killed writer leaves for the user to remove (ref-writer.ts); the run's own refs are the test.
    const tally = path.join(dir, '.git', 'kills');
    let killer: ChildProcess | null = null;
    try {
      const handle = await startRun({
        projectDir: dir,
        tag: 't',
        maxExperiments: 10,
        deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined },
      });
      handle.subscribe((e) => {
        if (killer || e.kind !== 'journal' || e.event.type !== 'experiment-start' || e.event.experiment.id !== 1) return;
        killer = spawn('sh', ['-c', `n=0; while :; do if pkill -KILL -f "$0.*(update-ref --stdin|cat-file --batch)"; then n=$((n+1)); echo $n > "$1"; fi; done`, dir, tally], { stdio: 'ignore' });
      });
      expect((await handle.done).reason).toBe('max-experiments');
    } finally {
      (killer as ChildProcess | null)?.kill('SIGKILL');
    }
    expect(Number(readFileSync(tally, 'utf8'))).toBeGreaterThan(3);
    const rec = await readRunRecord(dir, 't');
    const candidates = [...rec.experiments.values()].filter((e) => e.kind === 'candidate').sort((a, b) => a.id - b.id);
    expect(candidates.length).toBe(10);
    expect(candidates.filter((e) => e.status !== 'discard' && e.status !== 'keep').map((e) => `#${e.id} ${e.status}: ${e.error ?? ''}`)).toEqual([]);
    expectOwnChanges(dir, candidates);
    expect(() => git(dir, 'fsck', '--strict', '--no-dangling')).not.toThrow();
  });
});
