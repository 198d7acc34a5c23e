// Issue #22, noise from seeds: a trainer that reads its seed from SEED. Identical reruns agree to the digit; the
// seed moves the metric by about 0.006 (σ). With the seed setting, the baseline's repeats run under different
// seeds (journaled, and the first line of each log), a candidate's confirmation runs use the best's seeds in the
// same order (a paired comparison), a real 5σ change is kept and a change that only re-rolls the randomness is
// not. Without it, the repeats agree exactly and the run says the noise is unknown instead of "no noise".
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { statusCommand } from '../../src/cli/commands/status.js';
import type { Proposer } from '../../src/core/agent/proposer.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { auditRun } from '../../src/core/loop/audit-run.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { LoopDeps } from '../../src/core/loop/types.js';
import { describeConfidence, NOISE_UNKNOWN_NOTICE } from '../../src/shared/experiment.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

/**
 * The metric: a learning-rate curve, an IMPROVEMENT taken off, and the seed's luck: a fixed pseudo-random
 * offset in ±0.01 per (seed, ORDER). ORDER stands for a change that reorders the random calls: every seed
 * draws another offset, with the same mean.
 */
const SEEDED_TRAINER = `// train.mjs: its seed comes from SEED; identical reruns agree to the digit.
const SEED = Number(process.env.SEED ?? 42);
const ORDER = 0;
const IMPROVEMENT = 0;
let h = 2166136261;
for (const c of SEED + ':' + ORDER) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
const seedLuck = ((h % 10007) / 10007 - 0.5) * 0.02;
const loss = 1.3 - IMPROVEMENT + seedLuck;
console.log('val_bpb: ' + loss.toFixed(6));
`;
/** The seed's spread: a uniform offset over 0.02. */
const SIGMA = 0.02 / Math.sqrt(12);

const deps = (proposer: Proposer): LoopDeps => ({ env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined });

function journal(dir: string, tag: string): JournalEvent[] {
  return readFileSync(join(dir, '.autoresearch', 'runs', tag, 'journal.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalEvent);
}

const firstLine = (dir: string, tag: string, logPath: string): string => readFileSync(join(dir, '.autoresearch', 'runs', tag, logPath), 'utf8').split('\n')[0]!;

async function statusText(dir: string): Promise<string> {
  let out = '';
  await statusCommand.run([dir], { out: (t) => void (out += t), err: (t) => void (out += t), cwd: dir, env: process.env, appVersion: 'test', appRoot: process.cwd() });
  return out;
}

describe('noise from seeds', () => {
  it('varies the seed over the baseline repeats, pairs the confirmations with the best\'s seeds, keeps a 5σ change and not a re-rolled one', async () => {
    // The sequential loop: the scripted proposals edit the same lines in order, each on the one before's result.
    const { dir } = scoredProject({ seed: { kind: 'env', name: 'SEED' }, agent: { queueDepth: 0 } } as never, { 'train.mjs': SEEDED_TRAINER });
    const steps = [setConst('ORDER', '1'), setConst('IMPROVEMENT', (5 * SIGMA).toFixed(4)), setConst('ORDER', '2'), setConst('ORDER', '3')];
    const outcome = await (await startRun({ projectDir: dir, tag: 'seeded', maxExperiments: steps.length, deps: deps(scriptedProposer(steps)) })).done;
    expect(outcome.reason).toBe('max-experiments');
    const record = await readRunRecord(dir, 'seeded');
    const events = journal(dir, 'seeded');

    // The baseline's repeats: seeds 1, 2, 3, journaled with each repeat and shown as the first line of its log.
    const baseline = record.experiments.get(0)!;
    expect(baseline.runs.map((r) => r.seed)).toEqual([1, 2, 3]);
    const repeatEvents = events.filter((e): e is Extract<JournalEvent, { type: 'baseline-run' }> => e.type === 'baseline-run');
    expect(repeatEvents.map((e) => e.run.seed)).toEqual([1, 2, 3]);
    for (const r of baseline.runs) expect(firstLine(dir, 'seeded', r.logPath)).toBe(`seed ${r.seed} (SEED=${r.seed})`);
    // Different seeds, different values: the spread is the seed's, not zero as identical reruns would give.
    expect(new Set(baseline.runs.map((r) => r.metric)).size).toBe(3);
    expect(record.noiseFloor).toBeGreaterThan(0);

    const [reroll1, real, reroll2, reroll3] = [1, 2, 3, 4].map((id) => record.experiments.get(id)!);
    expect(real!.status, real!.error ?? '').toBe('keep');
    expect(real!.confidence?.paired).toBe(true);
    expect(describeConfidence(real!.confidence)).toMatch(/under the same seeds/);
    // Kept on confirmation runs under the baseline's (the best's) seeds, in the same order, journaled with the
    // decision (experiment-end); each log says its seed.
    const ended = events.find((e): e is Extract<JournalEvent, { type: 'experiment-end' }> => e.type === 'experiment-end' && e.experiment.id === real!.id)!;
    const decidedOn = ended.experiment.runs;
    expect(decidedOn.length).toBeGreaterThan(1);
    const bestSeeds = baseline.runs.map((r) => r.seed);
    expect(decidedOn.map((r) => r.seed)).toEqual(bestSeeds.slice(0, decidedOn.length));
    for (const r of decidedOn) expect(firstLine(dir, 'seeded', r.logPath)).toBe(`seed ${r.seed} (SEED=${r.seed})`);
    // Measured again as the new best, it takes seeds it has not run (a seed it ran would only repeat exactly).
    const again = events.filter((e): e is Extract<JournalEvent, { type: 'best-remeasured' }> => e.type === 'best-remeasured' && e.id === real!.id);
    const seedsAfter = [...decidedOn, ...again.map((e) => e.run)].map((r) => r.seed);
    expect(new Set(seedsAfter).size).toBe(seedsAfter.length);
    expect(record.experiments.get(real!.id)!.runs.map((r) => r.seed)).toEqual(seedsAfter);

    // Changes that only re-roll the randomness (another draw per seed, the same mean) are not kept, and the ones
    // after the keep are measured under the kept candidate's seeds (now the best's).
    for (const e of [reroll1!, reroll2!, reroll3!]) expect(e.status, `#${e.id}: ${e.error}`).toBe('discard');
    const newBest = record.experiments.get(real!.id)!;
    for (const e of [reroll2!, reroll3!]) expect(e.runs.map((r) => r.seed)).toEqual(newBest.runs.map((r) => r.seed).slice(0, e.runs.length));
    expect(record.bestId).toBe(real!.id);
    expect(record.notices.some((n) => n.message === NOISE_UNKNOWN_NOTICE)).toBe(false);
    expect(await statusText(dir)).not.toMatch(/noise unknown/);

    // The audit runs each pair (baseline, best) under one seed, pair p under seed p + 1, and journals them.
    const audit = await auditRun({ projectDir: dir, tag: 'seeded', repeats: 2, env: process.env, nodePath: process.execPath });
    expect(audit.seeds).toEqual([1, 2]);
    expect(audit.baseline).toEqual(baseline.runs.slice(0, 2).map((r) => r.metric));
    expect(firstLine(dir, 'seeded', 'logs/audit-1.2.best.log')).toBe('seed 2 (SEED=2)');
    expect(audit.improvement).toBeCloseTo(5 * SIGMA, 3);
  });

  it('says the noise is unknown when the seed is fixed and the repeats agree exactly, in the decision, one notice and the CLI status', async () => {
    // The sequential loop: the scripted proposals edit the same line in order, each on the one before's result.
    const { dir } = scoredProject({ agent: { queueDepth: 0 } }, { 'train.mjs': SEEDED_TRAINER });
    const steps = [setConst('IMPROVEMENT', '0.001'), setConst('IMPROVEMENT', '-0.001')];
    const outcome = await (await startRun({ projectDir: dir, tag: 'fixed', maxExperiments: steps.length, deps: deps(scriptedProposer(steps)) })).done;
    expect(outcome.reason).toBe('max-experiments');
    const record = await readRunRecord(dir, 'fixed');
    const baseline = record.experiments.get(0)!;
    expect(baseline.runs.every((r) => r.seed === undefined)).toBe(true);
    expect(new Set(baseline.runs.map((r) => r.metric)).size).toBe(1);
    expect(firstLine(dir, 'fixed', baseline.runs[0]!.logPath)).toMatch(/^val_bpb: /);

    // A gain above the minimum improvement (0: any gain) is kept, but labelled "noise unknown", never "exact".
    const better = record.experiments.get(1)!;
    expect(better.status).toBe('keep');
    expect(better.confidence?.label).toBe('unknown');
    expect(describeConfidence(better.confidence)).toBe('noise unknown');
    const worse = record.experiments.get(2)!;
    expect(worse.status).toBe('discard');
    expect(worse.error).toContain('noise unknown: the runs repeat exactly because the seed is fixed — set how the seed is varied in Setup → Seed, or a minimum improvement');
    expect(JSON.stringify([...record.experiments.values()].map((e) => e.confidence))).not.toContain('"exact"');
    // One warning for the run, however many decisions made without the noise.
    const warnings = record.notices.filter((n) => n.message === NOISE_UNKNOWN_NOTICE);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.level).toBe('warning');
    expect(await statusText(dir)).toContain('noise unknown: the runs repeat exactly because the seed is fixed');
  });
});
