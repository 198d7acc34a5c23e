// The acceptance rule: baseline repeats and the noise floor, thresholds, confirmation runs, the guard.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Proposer } from '../../src/core/agent/proposer.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { ProjectConfigInput } from '../../src/shared/config.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

/**
 * metric = LEARNING_RATE itself + the next noise offset from NOISE_FILE (one number per line, consumed
 * in order by successive runs), so the test decides exactly what each run measures.
 */
const NOISY_TRAINER = `import { readFileSync, writeFileSync } from 'node:fs';
const LEARNING_RATE = 1.0;
const file = process.env.NOISE_FILE;
const lines = readFileSync(file, 'utf8').split('\\n').filter(Boolean);
const offset = Number(lines.shift() ?? 0);
writeFileSync(file, lines.join('\\n') + '\\n');
console.log('val_bpb: ' + (LEARNING_RATE + offset).toFixed(6));
`;

async function run(extra: Partial<ProjectConfigInput>, offsets: number[], steps: Parameters<typeof scriptedProposer>[0], files: Record<string, string> = {}) {
  const { dir, state } = scoredProject(extra, { 'train.mjs': NOISY_TRAINER, ...files }, { state: true });
  const noise = path.join(state, 'noise');
  writeFileSync(noise, offsets.join('\n') + '\n');
  const proposer: Proposer = scriptedProposer(steps);
  const handle = await startRun({
    projectDir: dir,
    tag: 't',
    maxExperiments: steps.length,
    deps: { env: { ...process.env, NOISE_FILE: noise }, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer },
  });
  await handle.done;
  return readRunRecord(dir, 't');
}

describe('acceptance rule', () => {
  it('classic rule: repeats the baseline, records its spread as the noise floor, and requires k × spread to keep', async () => {
    // Baseline runs measure 1.00, 1.02, 0.98: mean 1.0, sample std dev 0.02. Threshold = 2 × 0.02 = 0.04.
    const rec = await run(
      { acceptance: { rule: 'classic', baselineRuns: 3, minImprovementMode: 'noise', minImprovement: 2 } },
      [0, 0.02, -0.02, 0, 0],
      [setConst('LEARNING_RATE', '0.97'), setConst('LEARNING_RATE', '0.95')],
    );
    const baseline = rec.experiments.get(0)!;
    expect(baseline.runs.map((r) => r.metric)).toEqual([1, 1.02, 0.98]);
    expect(baseline.metric).toBeCloseTo(1.0, 9);
    expect(rec.noiseFloor).toBeCloseTo(0.02, 9);
    expect(rec.noiseValues).toEqual([1, 1.02, 0.98]);
    // 0.97 is better, but by 0.03 < 0.04: inside the noise, discarded. 0.95 clears it: kept.
    expect(rec.experiments.get(1)!.status).toBe('discard');
    expect(rec.experiments.get(2)!.status).toBe('keep');
    // Each repeat has its own log.
    expect(baseline.runs.map((r) => r.logPath)).toEqual(['logs/0.log', 'logs/0.2.log', 'logs/0.3.log']);
  });

  it('classic rule: re-runs a narrow win and keeps it only if the mean still wins (a false win is caught)', async () => {
    // Threshold 0.01 absolute. #1 measures 0.985 (wins by 0.015 < 2 × 0.01 → confirm twice: +0.02, +0.02 → mean 0.998 → not enough).
    // #2 measures 0.95 (wins by 0.05, no confirmation needed).
    const rec = await run(
      { acceptance: { rule: 'classic', baselineRuns: 1, minImprovementMode: 'absolute', minImprovement: 0.01, confirmRuns: 2 } },
      [0, 0.005, 0.025, 0.025, 0],
      [setConst('LEARNING_RATE', '0.98'), setConst('LEARNING_RATE', '0.95')],
    );
    const narrow = rec.experiments.get(1)!;
    expect(narrow.runs.map((r) => r.metric)).toEqual([0.985, 1.005, 1.005]);
    expect(narrow.metric).toBeCloseTo(0.998333, 5);
    expect(narrow.status).toBe('discard');
    const clear = rec.experiments.get(2)!;
    expect(clear.runs).toHaveLength(1);
    expect(clear.status).toBe('keep');
  });

  it('keeps a better candidate only when the guard command passes', async () => {
    // The guard is the project's "test suite": it fails when LEARNING_RATE is below 0.9.
    const guard = `import { readFileSync } from 'node:fs';
const lr = Number(/LEARNING_RATE = ([0-9.]+)/.exec(readFileSync('train.mjs', 'utf8'))[1]);
console.log(lr < 0.9 ? 'FAILED: lr too small' : 'ok');
process.exit(lr < 0.9 ? 1 : 0);
`;
    const rec = await run(
      { acceptance: { guardCommand: `"${process.execPath}" guard.mjs` } },
      [0, 0, 0],
      [setConst('LEARNING_RATE', '0.8'), setConst('LEARNING_RATE', '0.95')],
      { 'guard.mjs': guard },
    );
    const failed = rec.experiments.get(1)!;
    expect(failed.status).toBe('discard');
    expect(failed.guard).toMatchObject({ passed: false, exitCode: 1, logPath: 'logs/1.guard.log' });
    expect(failed.error).toMatch(/guard command .* failed with exit code 1/);
    const passed = rec.experiments.get(2)!;
    expect(passed.status).toBe('keep');
    expect(passed.guard?.passed).toBe(true);
  });

  it('audits the result at the end of the run when asked: baseline and best interleaved, journaled', async () => {
    // Baseline 1.0 (one run), candidate 0.95 kept; then the audit: pairs (1.0 + a, 0.95 + b).
    const rec = await run(
      { acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0, auditRepeats: 3 } },
      [0, 0, 0.01, 0.0, -0.01, 0.02, 0.0, 0.01],
      [setConst('LEARNING_RATE', '0.95')],
    );
    expect(rec.experiments.get(1)!.status).toBe('keep');
    expect(rec.audits).toHaveLength(1);
    const a = rec.audits[0]!;
    // Interleaved: baseline, best, baseline, best… consume the offsets in that order.
    expect(a.baseline.map((v) => Number(v.toFixed(6)))).toEqual([1.01, 0.99, 1.0]);
    expect(a.best.map((v) => Number(v.toFixed(6)))).toEqual([0.95, 0.97, 0.96]);
    expect(a.improvement).toBeCloseTo(0.04, 9);
    // Gains 0.06, 0.02, 0.04: sd 0.02, t(0.975, 2) = 4.303, half-width 4.303 × 0.02 / √3.
    expect(a.ciHigh - a.improvement).toBeCloseTo((4.303 * 0.02) / Math.sqrt(3), 3);
    // 0.04 ± 0.0497: three pairs this noisy cannot rule out zero, and the audit says so.
    expect(a.ciLow).toBeLessThan(0);
    expect(a.confirmed).toBe(false);
    expect(a.recordedImprovement).toBeCloseTo(0.05, 9);
    expect(rec.stopReason).toBe('max-experiments');
  });

  it('stops when the target is reached', async () => {
    // The sequential loop: the proposals edit the same line, so made ahead the third would run while the second,
    // conflicting with the first's keep, is made again; here the second must decide before the third exists.
    const rec = await run({ stop: { target: 0.9 }, agent: { queueDepth: 0 } }, [0, 0, 0, 0], [setConst('LEARNING_RATE', '0.95'), setConst('LEARNING_RATE', '0.85'), setConst('LEARNING_RATE', '0.5')]);
    expect(rec.stopReason).toBe('target');
    expect(rec.experiments.has(3)).toBe(false);
  });
});
