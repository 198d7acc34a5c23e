// Search strategies (config `search`, core/loop/search-base.ts) on a real run: real git, the trainer run as a
// user's would be, a proposer that steps one hyperparameter from whatever node it is given. The landscape has a
// local optimum on the way greedy climbs (A = 2, B = 0) and the global one behind a change that looks worse
// from the best (B = 1, then A down): greedy stops at the local optimum, tree search steps back and finds it.
import { afterEach, describe, expect, it } from 'vitest';
import { createMutationProposer } from '../../src/core/agent/mutation/mutation-proposer.js';
import type { Proposer } from '../../src/core/agent/proposer.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { RunOutcome } from '../../src/core/loop/types.js';
import type { SearchStrategy } from '../../src/shared/config.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { GLOBAL, LANDSCAPE, LOCAL, searchDeps, stepper } from '../helpers/search-run.js';

afterEach(cleanupTempDirs);

async function searchRun(strategy: SearchStrategy): Promise<{ dir: string; outcome: RunOutcome; proposer: ReturnType<typeof stepper> }> {
  const { dir } = scoredProject(
    // One at a time (queueDepth 0): each proposal sees the previous result, so the 20 experiments follow the
    // strategy's choices in order (working ahead is covered by the two-slot test below).
    { acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 }, search: { strategy }, agent: { queueDepth: 0 } } as never,
    { 'train.mjs': LANDSCAPE },
  );
  const proposer = stepper();
  const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 20, deps: searchDeps(proposer) });
  return { dir, outcome: await handle.done, proposer };
}

describe('search strategies on a landscape with a local optimum', () => {
  it('greedy stops at the local optimum; tree search reaches the global one in 20 experiments', async () => {
    const greedy = await searchRun('greedy');
    const greedyRec = await readRunRecord(greedy.dir, 'test');
    expect(greedyRec.best).toBeCloseTo(LOCAL, 6);
    // Every greedy proposal started from the best of its time, and the prompt said so plainly.
    for (const ctx of greedy.proposer.contexts) expect(ctx.base.id).toBe(ctx.best!.id);
    expect(greedy.proposer.contexts.every((c) => !c.baseWhy)).toBe(true);
    expect(greedy.outcome.reason).toBe('exhausted');

    const tree = await searchRun('tree');
    const rec = await readRunRecord(tree.dir, 'test');
    expect(rec.best).toBeCloseTo(GLOBAL, 6);
    const candidates = [...rec.experiments.values()].filter((e) => e.kind === 'candidate');
    expect(candidates.length).toBeLessThanOrEqual(20);
    // The way out went through a discarded node: some experiment started from a discard.
    const fromDiscard = candidates.filter((e) => e.baseId !== null && rec.experiments.get(e.baseId)!.status === 'discard');
    expect(fromDiscard.length).toBeGreaterThan(0);
    // A keep on a line that is not the old best's was kept as it is (no carry), and the branch points at the best.
    const best = rec.experiments.get(rec.bestId!)!;
    expect(best.carried ?? null).toBeNull();
    expect(git(tree.dir, 'rev-parse', 'autoresearch/test').trim()).toBe(best.commit);
    expect(git(tree.dir, 'show', `${best.commit}:train.mjs`)).toMatch(/const A = -3;\nconst B = 1;/);
    // The prompt was told why each node was chosen.
    expect(tree.proposer.contexts.every((c) => typeof c.baseWhy === 'string' && c.baseWhy.includes('Tree search chose experiment'))).toBe(true);
    const offBest = tree.proposer.contexts.find((c) => c.base.id !== c.best!.id);
    expect(offBest).toBeDefined();
  }, 240_000);
});

describe('tree search with two slots and proposals made ahead', () => {
  it('runs each queued proposal on the node it was made on, never carried onto the best', async () => {
    const { dir } = scoredProject(
      { acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 }, search: { strategy: 'tree' }, slots: [{ env: {} }, { env: {} }] },
      { 'train.mjs': LANDSCAPE },
    );
    const proposer = stepper();
    const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 8, deps: searchDeps(proposer) });
    await handle.done;
    const rec = await readRunRecord(dir, 'test');
    const candidates = [...rec.experiments.values()].filter((e) => e.kind === 'candidate' && e.status !== 'interrupted');
    expect(candidates.length).toBeGreaterThanOrEqual(6);
    // Proposals were made ahead (more than one slot), and each ran where it was made.
    expect(candidates.some((e) => e.proposedAt)).toBe(true);
    for (const e of candidates) {
      expect(e.proposedOn ?? null).toBeNull();
      expect(e.carried ?? null).toBeNull();
      expect(e.parentCommit).toBe(rec.experiments.get(e.baseId!)!.commit);
      expect(git(dir, 'rev-parse', `${e.commit}^`).trim()).toBe(e.parentCommit);
    }
    // Some proposal started from a node that was not the best (the tree branched).
    expect(proposer.contexts.some((c) => c.base.id !== c.best!.id)).toBe(true);
    expect(git(dir, 'rev-parse', 'autoresearch/test').trim()).toBe(rec.experiments.get(rec.bestId!)!.commit);
  }, 240_000);
});

describe('the offline mutation proposer under every strategy', () => {
  it.each([
    ['tree', /^Tree search chose experiment \d+/],
    ['islands', /^Islands: this proposal belongs to island [12] of 2/],
  ] as const)('%s: proposes from the nodes the strategy chooses, and the run reaches its limit', async (strategy, why) => {
    // One at a time (queueDepth 0): the proposer is asked once per experiment, in order.
    const { dir } = scoredProject({ acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 }, search: { strategy, migrateEvery: 3 }, agent: { queueDepth: 0 } } as never);
    const mutation = createMutationProposer();
    const seen: { base: number; best: number; why: string | null }[] = [];
    const proposer: Proposer = {
      name: 'mutation',
      propose: async (ctx) => {
        seen.push({ base: ctx.base.id, best: ctx.best!.id, why: ctx.baseWhy ?? null });
        return mutation.propose(ctx);
      },
    };
    const outcome = await (await startRun({ projectDir: dir, tag: 'test', maxExperiments: 6, deps: searchDeps(proposer) })).done;
    expect(outcome.reason).toBe('max-experiments');
    const rec = await readRunRecord(dir, 'test');
    const candidates = [...rec.experiments.values()].filter((e) => e.kind === 'candidate');
    expect(candidates.map((e) => e.status).filter((s) => s === 'keep' || s === 'discard')).toHaveLength(6);
    // Each change is one mutation of its own base's file.
    for (const e of candidates) expect(e.parentCommit).toBe(rec.experiments.get(e.baseId!)!.commit);
    expect(seen).toHaveLength(6);
    for (const s of seen) expect(s.why).toMatch(why);
    // Islands climb two lines from the start; tree may climb the best alone on this smooth trainer.
    if (strategy === 'islands') expect(seen.some((s) => s.base !== s.best)).toBe(true);
  }, 240_000);
});
