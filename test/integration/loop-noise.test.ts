// The acceptance rules against a real trainer whose metric is pure noise (val_bpb = 1.0 + N(0, 0.01); its
// constants change nothing), driven by the real mutation proposer. The noise is a seeded sequence read by
// successive runs, so each run of this test measures exactly the same numbers.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMutationProposer } from '../../src/core/agent/mutation/mutation-proposer.js';
import { readJournalEvents, readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { runPaths } from '../../src/core/project/paths.js';
import type { ProjectConfigInput } from '../../src/shared/config.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';

afterEach(cleanupTempDirs);

const SIGMA = 0.01;
const CANDIDATES = 40;

const NOISE_TRAINER = `import { readFileSync, writeFileSync } from 'node:fs';
const LEARNING_RATE = 0.01;
const HIDDEN = 64;
const WARMUP_STEPS = 10;
const WEIGHT_DECAY = 0.1;
const DEPTH = 8;
const HEADS = 4;
const BATCH_SIZE = 32;
const DROPOUT = 0.1;
const BETA2 = 0.95;
const GRAD_CLIP = 1.0;
const EMBED_DIM = 128;
const LR_DECAY = 0.5;
// None of the constants above matter: the metric is the next number of the noise sequence.
const file = process.env.NOISE_FILE;
const lines = readFileSync(file, 'utf8').split('\\n').filter(Boolean);
if (lines.length === 0) { console.error('the noise sequence ran out'); process.exit(1); }
const offset = Number(lines.shift());
writeFileSync(file, lines.join('\\n') + '\\n');
console.log('val_bpb: ' + (1 + offset).toFixed(6));
`;

/** N(0, SIGMA) draws from a seeded generator (mulberry32 + Box–Muller). */
function noiseSequence(seed: number, count: number): number[] {
  let a = seed >>> 0;
  const rand = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return Array.from({ length: count }, () => SIGMA * Math.sqrt(-2 * Math.log(Math.max(rand(), 1e-12))) * Math.cos(2 * Math.PI * rand()));
}

async function noiseRun(acceptance: ProjectConfigInput['acceptance']) {
  const { dir, state } = scoredProject({ acceptance }, { 'train.mjs': NOISE_TRAINER }, { state: true });
  const noise = path.join(state, 'noise');
  writeFileSync(noise, noiseSequence(11, 1000).map((v) => v.toFixed(8)).join('\n') + '\n');
  const handle = await startRun({
    projectDir: dir,
    tag: 'noise',
    maxExperiments: CANDIDATES,
    deps: { env: { ...process.env, NOISE_FILE: noise }, nodePath: process.execPath, appVersion: 'test', createProposer: async () => createMutationProposer(), sleep: async () => undefined },
  });
  const outcome = await handle.done;
  const rec = await readRunRecord(dir, 'noise');
  expect(outcome.reason, [...rec.experiments.values()].map((e) => `${e.id} ${e.status} ${e.description} ${e.error ?? ''}`).join('\n')).toBe('max-experiments');
  const candidates = [...rec.experiments.values()].filter((e) => e.kind === 'candidate');
  expect(candidates.filter((e) => e.status === 'keep' || e.status === 'discard')).toHaveLength(CANDIDATES);
  return { dir, rec, candidates, kept: candidates.filter((e) => e.status === 'keep') };
}

describe('a metric that is pure noise', () => {
  it('the default (noise-aware) rule keeps nothing and reports no improvement beyond the noise band', async () => {
    const { dir, rec, candidates, kept } = await noiseRun(undefined);
    expect(rec.config.acceptance.rule).toBe('noise-aware');
    expect(kept).toEqual([]);
    expect(rec.bestId).toBe(0);
    // The baseline (the best throughout) was measured again beside promising candidates: its value is a mean
    // of several runs, within the noise of 1.0.
    const baseline = rec.experiments.get(0)!;
    expect(baseline.runs.length).toBeGreaterThanOrEqual(5);
    expect(Math.abs(rec.best! - 1)).toBeLessThan((3 * SIGMA) / Math.sqrt(baseline.runs.length));
    const events = await readJournalEvents(runPaths(dir, 'noise').journal);
    expect(events.events.filter((e) => e.type === 'best-remeasured').length).toBe(baseline.runs.length - 3);
    // Every decided candidate carries its confidence; none that was confirmed got near the bound.
    for (const c of candidates) {
      expect(c.confidence?.rule).toBe('noise-aware');
      expect(c.confidence?.noiseSd).toBeGreaterThan(SIGMA / 2);
      expect(c.confidence?.noiseSd).toBeLessThan(SIGMA * 2);
    }
    // It spent more runs than the classic rule would (one per candidate), but not many more.
    const runs = candidates.reduce((s, c) => s + c.runs.length, 0) + baseline.runs.length;
    expect(runs).toBeLessThan(1.5 * (CANDIDATES + 1));
  }, 240_000);

  it('the classic rule keeps some of the same noise, and claims an improvement that is not there', async () => {
    const { rec, kept } = await noiseRun({ rule: 'classic', baselineRuns: 1, confirmRuns: 0 });
    expect(kept.length).toBeGreaterThan(0);
    // The "improvement" it reports is luck: several σ below the true 1.0.
    expect(rec.best!).toBeLessThan(1 - 1.5 * SIGMA);
    // Its keeps show their confidence, and the last ones are marked as within the noise.
    for (const k of kept) expect(k.confidence?.rule).toBe('classic');
    expect(kept.some((k) => k.confidence?.label === 'within-noise' || k.confidence?.label === 'unknown')).toBe(true);
  }, 240_000);
});
