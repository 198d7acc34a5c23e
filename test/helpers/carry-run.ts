// The #2/#3/#4 case of parallel slots, forced by a scripted proposer that waits for what the journal says
// (never for time): #3 and #4 both start from the best #2; #3 is kept; #4, better than #3 alone, is
// carried onto #3 and measured with it. Used by the lineage test in Chromium (a real run through the loop).
import type { Proposer, ProposalContext } from '../../src/core/agent/proposer.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import type { LoopDeps } from '../../src/core/loop/types.js';
import { SCORED_TRAINER } from './project.js';
import { scriptedProposer, setConst, type Step } from './scripted-proposer.js';

/** The scored trainer with the two constants far enough apart that a three-way merge takes both. */
export const SPACED_TRAINER = SCORED_TRAINER.replace('const HIDDEN = 32;', '// spacer 1\n// spacer 2\n// spacer 3\nconst HIDDEN = 32;');
export const score = (lr: number, hidden: number) => 1 + Math.abs(Math.log2(lr / 0.08)) * 0.1 + Math.abs(hidden - 40) * 0.001;

export const carryDeps = (proposer: Proposer): LoopDeps => ({
  env: process.env,
  nodePath: process.execPath,
  appVersion: 'test',
  createProposer: async () => proposer,
  sleep: async () => undefined,
});

type Rec = Awaited<ReturnType<typeof readRunRecord>>;

/** Resolves once the run's journal satisfies `test` (polled; the run goes on meanwhile). */
export async function until(dir: string, test: (rec: Rec) => boolean, tag = 'test'): Promise<void> {
  for (;;) {
    const rec = await readRunRecord(dir, tag).catch(() => null);
    if (rec && test(rec)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
}
export const ended = (id: number) => (rec: Rec) => {
  const e = rec.experiments.get(id);
  return !!e && e.status !== 'running';
};
export const started = (id: number) => (rec: Rec) => rec.experiments.has(id);

/** A proposer that answers by experiment id: #1 waits for #2 to end, #3 for #4 to start, #4 for #3 to end. */
export function orderedProposer(dir: string, steps: Record<number, Step>): Proposer & { contexts: ProposalContext[] } {
  const waits: Record<number, (rec: Rec) => boolean> = { 1: ended(2), 3: started(4), 4: ended(3) };
  return scriptedProposer([], async (ctx) => {
    const wait = waits[ctx.experimentId];
    if (wait) await until(dir, wait);
    return steps[ctx.experimentId]!(ctx);
  });
}

/** The steps whose combination is kept: #3 sets HIDDEN, #4 (from #2) sets LEARNING_RATE, and both together win. */
export const COMBINED_STEPS: Record<number, Step> = {
  1: setConst('HIDDEN', '100'),
  2: setConst('LEARNING_RATE', '0.04'),
  3: setConst('HIDDEN', '40'),
  4: setConst('LEARNING_RATE', '0.08'),
};
