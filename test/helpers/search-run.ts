// A landscape with a local optimum, and a proposer that steps one hyperparameter from whatever node the search
// strategy gives it: greedy stops at the local optimum, tree search finds the global one
// (test/integration/loop-search.test.ts, test/e2e/lineage-tree-chromium.test.ts).
import { SearchSpaceExhaustedError, type Proposer, type ProposalContext } from '../../src/core/agent/proposer.js';
import type { LoopDeps } from '../../src/core/loop/types.js';

/** f(A, B): B = 0 has its optimum 8 at A = 2; B = 1 falls to the global optimum 2.5 at A = -3; elsewhere bad. */
export const LANDSCAPE = `// train.mjs: a landscape with a local optimum (lower is better).
const A = 0;
const B = 0;
const f = B === 0 ? 8 + Math.abs(A - 2) : B === 1 ? 2.5 + 2 * Math.abs(A + 3) : 14 + Math.abs(A) + Math.abs(B);
console.log('val_bpb:          ' + f.toFixed(6));
`;
const score = (a: number, b: number) => (b === 0 ? 8 + Math.abs(a - 2) : b === 1 ? 2.5 + 2 * Math.abs(a + 3) : 14 + Math.abs(a) + Math.abs(b));
export const GLOBAL = score(-3, 1);
export const LOCAL = score(2, 0);

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
export function stepper(): Proposer & { contexts: ProposalContext[] } {
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

export const searchDeps = (proposer: Proposer): LoopDeps => ({
  env: process.env,
  nodePath: process.execPath,
  appVersion: 'test',
  createProposer: async () => proposer,
  sleep: async () => undefined,
});

