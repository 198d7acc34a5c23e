// Search strategies (config `search`, core/loop/search-base.ts) on a real run: real git, the trainer run as a
// user's would be, a proposer that steps one hyperparameter from whatever node it is given. The landscape has a
// local optimum on the way greedy climbs (A = 2, B = 0) and the global one behind a change that looks worse
// from the best (B = 1, then A down): greedy stops at the local optimum, tree search steps back and finds it.
import { afterEach, describe, expect, it } from 'vitest';
import { SearchSpaceExhaustedError, type Proposer, type ProposalContext } from '../../src/core/agent/proposer.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { LoopDeps, RunOutcome } from '../../src/core/loop/types.js';
import type { SearchStrategy } from '../../src/shared/config.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';

afterEach(cleanupTempDirs);

/** f(A, B): B = 0 has its optimum 8 at A = 2; B = 1 falls to the global optimum 2.5 at A = -3; elsewhere bad. */
const LANDSCAPE = `// train.mjs: a landscape with a local optimum (lower is better).
const A = 0;
const B = 0;
const f = B === 0 ? 8 + Math.abs(A - 2) : B === 1 ? 2.5 + 2 * Math.abs(A + 3) : 14 + Math.abs(A) + Math.abs(B);
console.log('val_bpb:          ' + f.toFixed(6));
`;
const score = (a: number, b: number) => (b === 0 ? 8 + Math.abs(a - 2) : b === 1 ? 2.5 + 2 * Math.abs(a + 3) : 14 + Math.abs(a) + Math.abs(b));
const GLOBAL = score(-3, 1);
const LOCAL = score(2, 0);

const MOVES = [
  ['A', 1],
  ['B', 1],
  ['A', -1],
  ['B', -1],
] as const;

/**
 * Steps one constant by ±1 from its base, the first move in a fixed order not yet measured from this base; with
 * none left it has nothing new to try there (as the mutation proposer says when its space is spent).
 */
function stepper(): Proposer & { contexts: ProposalContext[] } {
  const contexts: ProposalContext[] = [];
  return {
    name: 'stepper',
    contexts,
    async propose(ctx) {
      contexts.push(ctx);
      const text = await ctx.workspace.readFile('train.mjs');
      const value = (name: string) => Number(new RegExp(`^const ${name} = (-?\\d+);`, 'm').exec(text)![1]);
      const tried = new Set(ctx.history.filter((e) => e.parentCommit === ctx.base.commit && e.kind === 'candidate').map((e) => e.description));
      for (const [name, step] of MOVES) {
        const description = `${name} ${value(name)} → ${value(name) + step}`;
        if (tried.has(description)) continue;
        await ctx.workspace.writeFile('train.mjs', text.replace(new RegExp(`^const ${name} = -?\\d+;`, 'm'), `const ${name} = ${value(name) + step};`));
        return { description, hypothesis: `step ${name}`, usage: null, transcript: null };
      }
      throw new SearchSpaceExhaustedError(`Every step from #${ctx.base.id} was measured.`);
    },
  };
}

const deps = (proposer: Proposer): LoopDeps => ({
  env: process.env,
  nodePath: process.execPath,
  appVersion: 'test',
  createProposer: async () => proposer,
  sleep: async () => undefined,
});

async function searchRun(strategy: SearchStrategy): Promise<{ dir: string; outcome: RunOutcome; proposer: ReturnType<typeof stepper> }> {
  const { dir } = scoredProject(
    { acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 }, search: { strategy } },
    { 'train.mjs': LANDSCAPE },
  );
  const proposer = stepper();
  const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 20, deps: deps(proposer) });
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
