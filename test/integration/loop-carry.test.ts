// Parallel slots never drop a kept change: #3 and #4 both start from the best #2; #3 is kept; #4, better
// than #3 alone, is carried onto #3 and measured again before the branch moves. The order of events is
// forced by the scripted proposer (each step waits for what the journal says), never by timing.
import { afterEach, describe, expect, it } from 'vitest';
import type { Proposer, ProposalContext } from '../../src/core/agent/proposer.js';
import { finalizeRun } from '../../src/core/finalize/finalize-run.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { LoopDeps } from '../../src/core/loop/types.js';
import { cleanupTempDirs, git, SCORED_TRAINER, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst, type Step } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

/** The scored trainer with the two constants far enough apart that a three-way merge takes both. */
const SPACED_TRAINER = SCORED_TRAINER.replace('const HIDDEN = 32;', '// spacer 1\n// spacer 2\n// spacer 3\nconst HIDDEN = 32;');
/**
 * Each slot proposes for itself (no proposals made ahead): these tests force the order of proposals and
 * decisions to reach the carry at decision time; pipelined proposals are test/integration/loop-pipeline.test.ts.
 */
const SEQUENTIAL = { agent: { queueDepth: 0 } } as const;
const score = (lr: number, hidden: number) => 1 + Math.abs(Math.log2(lr / 0.08)) * 0.1 + Math.abs(hidden - 40) * 0.001;

const deps = (proposer: Proposer): LoopDeps => ({
  env: process.env,
  nodePath: process.execPath,
  appVersion: 'test',
  createProposer: async () => proposer,
  sleep: async () => undefined,
});

/** Resolves once the run's journal satisfies `test` (polled; the run goes on meanwhile). */
async function until(dir: string, test: (rec: Awaited<ReturnType<typeof readRunRecord>>) => boolean): Promise<void> {
  for (;;) {
    const rec = await readRunRecord(dir, 'test').catch(() => null);
    if (rec && test(rec)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}
const ended = (id: number) => (rec: Awaited<ReturnType<typeof readRunRecord>>) => {
  const e = rec.experiments.get(id);
  return !!e && e.status !== 'running';
};
const started = (id: number) => (rec: Awaited<ReturnType<typeof readRunRecord>>) => rec.experiments.has(id);

/** A proposer that answers by experiment id: #1 waits for #2 to end, #3 for #4 to start, #4 for #3 to end. */
function orderedProposer(dir: string, steps: Record<number, Step>): Proposer & { contexts: ProposalContext[] } {
  const waits: Record<number, (rec: Awaited<ReturnType<typeof readRunRecord>>) => boolean> = { 1: ended(2), 3: started(4), 4: ended(3) };
  return scriptedProposer([], async (ctx) => {
    const wait = waits[ctx.experimentId];
    if (wait) await until(dir, wait);
    return steps[ctx.experimentId]!(ctx);
  });
}

describe('parallel slots never drop a kept change', () => {
  it('#4, started from #2 and better than #3 kept meanwhile, is carried onto #3 and measured with it', async () => {
    const { dir } = scoredProject(SEQUENTIAL, { 'train.mjs': SPACED_TRAINER });
    const proposer = orderedProposer(dir, {
      1: setConst('HIDDEN', '100'),
      2: setConst('LEARNING_RATE', '0.04'),
      3: setConst('HIDDEN', '40'),
      4: setConst('LEARNING_RATE', '0.08'),
    });
    const handle = await startRun({ projectDir: dir, tag: 'test', slots: 2, maxExperiments: 4, deps: deps(proposer) });
    const outcome = await handle.done;
    expect(outcome.reason).toBe('max-experiments');

    const rec = await readRunRecord(dir, 'test');
    const e = (id: number) => rec.experiments.get(id)!;
    expect(e(2).status).toBe('keep');
    expect(e(3).status).toBe('keep');
    expect(e(3).baseId).toBe(2);
    expect(e(3).metric).toBeCloseTo(score(0.04, 40), 6);
    // #4 started from #2 too, and alone beat #3.
    const four = e(4);
    expect(four.carried?.fromBaseId).toBe(2);
    expect(four.carried?.fromParentCommit).toBe(e(2).commit);
    expect(four.carried?.aloneMetric).toBeCloseTo(score(0.08, 32), 6);
    expect(four.carried?.earlierRuns.length).toBeGreaterThan(0);
    // Carried onto #3 and measured there: both changes together.
    expect(four.status).toBe('keep');
    expect(four.baseId).toBe(3);
    expect(four.parentCommit).toBe(e(3).commit);
    expect(four.metric).toBeCloseTo(score(0.08, 40), 6);
    expect(four.runs.every((r) => Math.abs(r.metric! - score(0.08, 40)) < 1e-6)).toBe(true);
    expect(four.commit).not.toBe(four.carried?.proposedCommit);

    // The branch holds both kept changes; the combination's commit has both parents.
    const tip = git(dir, 'rev-parse', 'autoresearch/test').trim();
    expect(tip).toBe(four.commit);
    expect(rec.bestId).toBe(4);
    const train = git(dir, 'show', `${tip}:train.mjs`);
    expect(train).toContain('const LEARNING_RATE = 0.08;');
    expect(train).toContain('const HIDDEN = 40;');
    expect(git(dir, 'rev-list', '--parents', '-n', '1', tip).trim().split(' ').slice(1)).toEqual([e(3).commit, four.carried!.proposedCommit]);
    // The change the proposer made is still reachable under its own ref; the combination under carried/.
    expect(git(dir, 'rev-parse', 'refs/autoresearch/test/4').trim()).toBe(four.carried!.proposedCommit);
    expect(git(dir, 'rev-parse', 'refs/autoresearch/test/carried/4').trim()).toBe(four.commit);

    // Finalize rebuilds the lineage through #3 and #4: nothing kept is left out.
    const final = await finalizeRun({ projectDir: dir, tag: 'test' });
    expect(final.commits.map((c) => c.id)).toEqual([2, 3, 4]);
    expect(final.leftOut).toEqual([]);
  });

  it('a change that conflicts with the change kept meanwhile is not kept, and the branch keeps #3', async () => {
    const { dir } = scoredProject(SEQUENTIAL, { 'train.mjs': SPACED_TRAINER });
    const proposer = orderedProposer(dir, {
      1: setConst('HIDDEN', '100'),
      2: setConst('LEARNING_RATE', '0.02'),
      3: setConst('LEARNING_RATE', '0.04'),
      4: setConst('LEARNING_RATE', '0.08'),
    });
    const handle = await startRun({ projectDir: dir, tag: 'test', slots: 2, maxExperiments: 4, deps: deps(proposer) });
    await handle.done;
    const rec = await readRunRecord(dir, 'test');
    const e = (id: number) => rec.experiments.get(id)!;
    expect(e(3).status).toBe('keep');
    expect(e(4).baseId).toBe(2);
    expect(e(4).metric).toBeCloseTo(score(0.08, 32), 6);
    expect(e(4).status).toBe('discard');
    expect(e(4).error).toMatch(/conflicts with #3.*train\.mjs/);
    expect(git(dir, 'rev-parse', 'autoresearch/test').trim()).toBe(e(3).commit);
    expect(rec.bestId).toBe(3);
  });
  it('when the combination measures worse than #3, #3 stays the best and #4 is discarded with both numbers', async () => {
    // The two changes interact: together they are worse than either alone.
    const clash = SPACED_TRAINER.replace("if (MODE === 1)", "if (LEARNING_RATE === 0.08 && HIDDEN === 40) loss += 0.5;\nif (MODE === 1)").replace('const loss =', 'let loss =');
    const { dir } = scoredProject(SEQUENTIAL, { 'train.mjs': clash });
    const proposer = orderedProposer(dir, {
      1: setConst('HIDDEN', '100'),
      2: setConst('LEARNING_RATE', '0.04'),
      3: setConst('HIDDEN', '40'),
      4: setConst('LEARNING_RATE', '0.08'),
    });
    const handle = await startRun({ projectDir: dir, tag: 'test', slots: 2, maxExperiments: 4, deps: deps(proposer) });
    await handle.done;
    const rec = await readRunRecord(dir, 'test');
    const e = (id: number) => rec.experiments.get(id)!;
    expect(e(3).status).toBe('keep');
    const four = e(4);
    expect(four.carried?.aloneMetric).toBeCloseTo(score(0.08, 32), 6);
    expect(four.metric).toBeCloseTo(score(0.08, 40) + 0.5, 6);
    expect(four.status).toBe('discard');
    expect(four.error).toMatch(/^Carried onto #3/);
    expect(rec.bestId).toBe(3);
    expect(git(dir, 'rev-parse', 'autoresearch/test').trim()).toBe(e(3).commit);
  });
});
