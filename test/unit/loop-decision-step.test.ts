// The decision step on in-memory parts (test/helpers/loop-memory.ts): the real fold and acceptance rule, no
// git and no disk. It is the one place the branch moves; these pin down when it does, and in what order.
import { describe, expect, it } from 'vitest';
import { decide, decisionInput } from '../../src/core/loop/decide.js';
import { decisionStep, MAX_CARRIES, type DecisionContext } from '../../src/core/loop/decision-step.js';
import type { Target } from '../../src/core/loop/outcomes.js';
import type { Trained } from '../../src/core/loop/train.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { memoryCandidate, memoryCloser, memoryConfig, memoryGit, memoryJournal, memoryLock, memoryRunAtBaseline, memorySlot, type MemoryLog } from '../helpers/loop-memory.js';

const BRANCH = 'refs/heads/autoresearch/t';

async function setup(baseline = [1]) {
  const log: MemoryLog = [];
  const journal = memoryJournal(log);
  const git = memoryGit(log);
  const config = memoryConfig({ acceptance: { rule: 'classic', baselineRuns: baseline.length } } as never);
  await memoryRunAtBaseline(journal, config, baseline);
  const ctx: DecisionContext = { config, tag: 't', ...journal, ...memoryCloser(journal), ...memoryLock(), git };
  return { log, journal, git, ctx };
}

/** What training found for `values`, judged against the best as it is now (as train.ts hands it over). */
function trained(ctx: DecisionContext, values: number[], guard: Experiment['guard'] = null): Extract<Trained, { kind: 'trained' }> {
  const verdict = decide(decisionInput(ctx, values));
  if (verdict.kind !== 'keep' && verdict.kind !== 'discard') throw new Error(`The classic rule asked for ${verdict.kind}`);
  const runs = values.map((metric) => ({ metric, metrics: {}, exitCode: 0, signal: null, timedOut: false, durationMs: 1, logPath: 'logs/x.log' }));
  const best = ctx.record.experiments.get(ctx.record.bestId!)!;
  return { kind: 'trained', verdict, runs, guard, judgedBest: { id: ctx.record.bestId, runs: best.runs.length }, measured: () => ({ runs }) };
}

const on = (commit: string, parentCommit = 'c0', baseId: number | null = 0): Target => ({ commit, parentCommit, baseId });

describe('the decision step', () => {
  it('keeps a better candidate: experiment-end first, then the branch moves, then best', async () => {
    const { log, journal, git, ctx } = await setup();
    await memoryCandidate(journal, 1, 'c1');
    const slot = memorySlot();
    const out = await decisionStep(ctx, slot, 1, { target: on('c1'), carried: null, carries: 0, trained: trained(ctx, [0.8]) });
    expect(out).toEqual({ kind: 'decided' });
    expect(log.slice(-3)).toEqual(['experiment-end', `ref ${BRANCH} c1`, 'best']);
    expect(journal.record.experiments.get(1)).toMatchObject({ status: 'keep', metric: 0.8, bestBefore: 1, error: null });
    expect(git.refs.get(BRANCH)).toBe('c1');
    expect(journal.record).toMatchObject({ bestId: 1, bestCommit: 'c1', best: 0.8 });
    expect(slot.phase).toBe('idle');
  });

  it('discards a worse candidate with why, and leaves the branch alone', async () => {
    const { journal, git, ctx } = await setup();
    await memoryCandidate(journal, 1, 'c1');
    await decisionStep(ctx, memorySlot(), 1, { target: on('c1'), carried: null, carries: 0, trained: trained(ctx, [1.2]) });
    const e = journal.record.experiments.get(1)!;
    expect(e.status).toBe('discard');
    expect(e.error).toBeTruthy();
    expect(git.refs.has(BRANCH)).toBe(false);
    expect(journal.record.bestId).toBe(0);
  });

  it('does not keep a winner whose guard command failed, and says which exit code', async () => {
    const { journal, git, ctx } = await setup();
    await memoryCandidate(journal, 1, 'c1');
    const guard = { passed: false, exitCode: 3, durationMs: 5, logPath: 'logs/1.guard.log' };
    await decisionStep(ctx, memorySlot(), 1, { target: on('c1'), carried: null, carries: 0, trained: trained(ctx, [0.8], guard) });
    expect(journal.record.experiments.get(1)).toMatchObject({ status: 'discard', guard });
    expect(journal.record.experiments.get(1)!.error).toContain('exit code 3');
    expect(git.refs.has(BRANCH)).toBe(false);
  });

  it('serialises two slots: the first win moves the branch, the second is judged again against it', async () => {
    const { journal, git, ctx } = await setup();
    await memoryCandidate(journal, 1, 'c1', 0);
    await memoryCandidate(journal, 2, 'c2', 1);
    // Both measured against the baseline; #2 is better than it but worse than #1.
    const t1 = trained(ctx, [0.8]);
    const t2 = trained(ctx, [0.9]);
    expect(t2.verdict.kind).toBe('keep');
    await Promise.all([
      decisionStep(ctx, memorySlot(0), 1, { target: on('c1'), carried: null, carries: 0, trained: t1 }),
      decisionStep(ctx, memorySlot(1), 2, { target: on('c2'), carried: null, carries: 0, trained: t2 }),
    ]);
    expect(git.refs.get(BRANCH)).toBe('c1');
    expect(journal.record.experiments.get(1)!.status).toBe('keep');
    const second = journal.record.experiments.get(2)!;
    expect(second.status).toBe('discard');
    expect(second.error).toContain('#1 reached 0.8 meanwhile');
    expect(journal.events.filter((e) => e.type === 'best').map((e) => (e.type === 'best' ? e.id : null))).toEqual([0, 1]);
  });

  it('sends a winner whose parent is no longer the best to be carried onto it, recording nothing', async () => {
    const { journal, git, ctx } = await setup();
    await memoryCandidate(journal, 1, 'c1', 0);
    await memoryCandidate(journal, 2, 'c2', 1);
    const t1 = trained(ctx, [0.8]);
    await decisionStep(ctx, memorySlot(1), 2, { target: on('c2'), carried: null, carries: 0, trained: trained(ctx, [0.9]) });
    const before = journal.events.length;
    const out = await decisionStep(ctx, memorySlot(0), 1, { target: on('c1'), carried: null, carries: 0, trained: t1 });
    expect(out).toEqual({ kind: 'carry', onto: { commit: 'c2', parentCommit: 'c2', baseId: 2 } });
    expect(journal.events.length).toBe(before);
    expect(journal.record.experiments.get(1)!.status).toBe('running');
    expect(git.refs.get(BRANCH)).toBe('c2');
  });

  it(`gives up after ${MAX_CARRIES} carries: not kept, so the change kept meanwhile is not dropped`, async () => {
    const { journal, git, ctx } = await setup();
    await memoryCandidate(journal, 1, 'c1', 0);
    await memoryCandidate(journal, 2, 'c2', 1);
    const t1 = trained(ctx, [0.8]);
    await decisionStep(ctx, memorySlot(1), 2, { target: on('c2'), carried: null, carries: 0, trained: trained(ctx, [0.9]) });
    const out = await decisionStep(ctx, memorySlot(0), 1, { target: on('c1'), carried: null, carries: MAX_CARRIES, trained: t1 });
    expect(out).toEqual({ kind: 'decided' });
    expect(journal.record.experiments.get(1)).toMatchObject({ status: 'discard' });
    expect(journal.record.experiments.get(1)!.error).toContain(`moved ${MAX_CARRIES + 1} times`);
    expect(git.refs.get(BRANCH)).toBe('c2');
  });
});
