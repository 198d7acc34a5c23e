// Issue #22's first acceptance point: a seeded trainer (no noise between identical reruns, about 0.006 of spread
// between seeds) and an agent that changes nothing but the seed. Before the guard, a new seed was "kept" whenever
// its luck beat the baseline's, as no noise was ever measured. Now every seed-only change is refused before it
// runs, with a reason the agent sees in its history; a real hyperparameter change on the same trainer is kept.
import { afterEach, describe, expect, it } from 'vitest';
import { startRun } from '../../src/core/loop/start-run.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import type { Proposer } from '../../src/core/agent/proposer.js';
import type { LoopDeps } from '../../src/core/loop/types.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

/** The metric moves with the seed (a fixed pseudo-random offset per seed) and with the learning rate. */
const SEEDED_TRAINER = `// train.mjs: seeded, so identical reruns agree to the digit.
const SEED = 42;
const LEARNING_RATE = 0.01;
let h = 2166136261;
for (const c of String(SEED)) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
const seedLuck = ((h % 1000) / 1000 - 0.5) * 0.02;
const loss = 1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1 + seedLuck;
console.log('val_bpb: ' + loss.toFixed(6));
`;

const deps = (proposer: Proposer): LoopDeps => ({ env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined });

describe('a change that only touches the seed', () => {
  it('is refused every time (0 kept in 12), and the agent is told why; a real change on the same trainer is kept', async () => {
    // Twelve refusals in a row would otherwise stop the run as failing (stop.maxConsecutiveFailures, default 8).
    // The sequential loop (queueDepth 0): each proposal is made after the one before was refused, so it sees why.
    const { dir } = scoredProject({ stop: { maxConsecutiveFailures: 20 }, agent: { queueDepth: 0 } } as never, { 'train.mjs': SEEDED_TRAINER });
    const seeds = [7, 1, 2, 3, 1234, 99, 5, 8, 13, 21, 34, 55];
    const proposer = scriptedProposer([...seeds.map((s) => setConst('SEED', String(s))), setConst('LEARNING_RATE', '0.02')]);
    const outcome = await (await startRun({ projectDir: dir, tag: 'seeds', maxExperiments: seeds.length + 1, deps: deps(proposer) })).done;
    expect(outcome.reason).toBe('max-experiments');

    const record = await readRunRecord(dir, 'seeds');
    const changes = [...record.experiments.values()].filter((e) => e.id > 0 && e.id <= seeds.length);
    expect(changes).toHaveLength(12);
    for (const e of changes) {
      expect(e.status, `#${e.id} ${e.description}`).toBe('rejected');
      expect(e.error).toMatch(/only changes the random seed \(train\.mjs: const SEED = 42; → const SEED = \d+;\)\. Changing the random seed is not an improvement/);
      expect(e.metric).toBeNull();
    }
    // The agent sees its refused proposals and why, before it proposes the next one.
    const seen = proposer.contexts[seeds.length]!.history.filter((e) => e.status === 'rejected');
    expect(seen.length).toBe(12);
    expect(seen.every((e) => /random seed is not an improvement/.test(e.error ?? ''))).toBe(true);

    // The real change: the learning rate's effect (0.1) is about 17 times the seed's spread.
    const real = record.experiments.get(seeds.length + 1)!;
    expect(real.status).toBe('keep');
    expect(git(dir, 'show', 'autoresearch/seeds:train.mjs')).toContain('const LEARNING_RATE = 0.02;');
    expect(git(dir, 'show', 'autoresearch/seeds:train.mjs')).toContain('const SEED = 42;');
  });
});
