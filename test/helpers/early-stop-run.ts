// The early-stop fixture (issue #23 item 3): a real run of test/fixtures/trainers/curve-steps.mjs (a trainer that
// prints step lines) with early stopping on, driven by the scripted proposer: #1 sets BUG = 1 (a curve 0.5 worse
// at every step, where the baseline's seeded repeats spread by 0.01) and is stopped early; #2 raises the learning
// rate (better at every step) and runs to its end and is kept.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startRun } from '../../src/core/loop/start-run.js';
import { TRAINERS, scoredProject } from './project.js';
import { scriptedProposer, setConst } from './scripted-proposer.js';

export const CURVE_PATTERN = 'step (\\d+) .* val_loss ([0-9.]+)';
export const CURVE_STEPS = 60;

/** Makes the project and runs two candidates on it to the end; returns the project folder and the tag. */
export async function earlyStopRun(tag = 'es'): Promise<{ dir: string; tag: string }> {
  const { dir } = scoredProject({
    budget: { seconds: 3, timeoutSeconds: 30, graceSeconds: 2 },
    seed: { kind: 'env', name: 'SEED' },
    acceptance: { rule: 'classic', confirmRuns: 0 },
    earlyStop: { enabled: true, pattern: CURVE_PATTERN, minFraction: 0.3, margin: 3 },
  }, { 'train.mjs': readFileSync(path.join(TRAINERS, 'curve-steps.mjs'), 'utf8') });
  const proposer = scriptedProposer([setConst('BUG', '1'), setConst('LEARNING_RATE', '0.04')]);
  const handle = await startRun({
    projectDir: dir,
    tag,
    maxExperiments: 2,
    deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer },
  });
  await handle.done;
  return { dir, tag };
}
