// A real Proposer whose edits are scripted by the test: each step edits files through the same
// restricted workspace the real proposers use (or, to imitate an unruly external agent, the disk).
import type { Proposal, Proposer, ProposalContext } from '../../src/core/agent/proposer.js';

export type Step = (ctx: ProposalContext) => Promise<Partial<Proposal> & { description: string }>;

export function scriptedProposer(steps: Step[], fallback?: Step): Proposer & { contexts: ProposalContext[] } {
  const contexts: ProposalContext[] = [];
  let i = 0;
  return {
    name: 'scripted',
    contexts,
    async propose(ctx) {
      contexts.push(ctx);
      const step = steps[i++] ?? fallback;
      if (!step) throw new Error('scripted proposer ran out of steps');
      const p = await step(ctx);
      return { hypothesis: '', usage: null, transcript: null, ...p };
    },
  };
}

/** Replace `const NAME = value;` in train.mjs through the workspace. */
export const setConst = (name: string, value: string, file = 'train.mjs'): Step => async (ctx) => {
  const text = await ctx.workspace.readFile(file);
  const next = text.replace(new RegExp(`^const ${name} = [^;]+;`, 'm'), `const ${name} = ${value};`);
  await ctx.workspace.writeFile(file, next);
  return { description: `${name} → ${value}`, hypothesis: `try ${name} = ${value}` };
};
