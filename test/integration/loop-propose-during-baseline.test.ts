// The first proposal is made while the baseline's repeats run: once its first repeat has measured (the code runs
// and prints the metric), the proposers start on the unchanged code, so the GPU does not wait for the agent when
// the baseline ends. A baseline whose first run fails spends no agent call. The order is forced by the trainer,
// which holds the baseline's second repeat until the proposal is journaled — never by timing.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildRunStatePrompt } from '../../src/core/agent/claude/prompt.js';
import { readJournalEvents, readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { LoopDeps } from '../../src/core/loop/types.js';
import type { Proposer } from '../../src/core/agent/proposer.js';
import { cleanupTempDirs, SCORED_TRAINER, scoredProject } from '../helpers/project.js';
import { waitUntil } from '../helpers/processes.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

/**
 * The scored trainer; experiment 0's runs count themselves in the state folder (a linked input the sandbox lets
 * it write), and its second run waits there for `go` — which the test writes once the proposal is journaled.
 */
const BASELINE_HELD = `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
if (process.env.AUTORESEARCH_EXPERIMENT_ID === '0') {
  const counter = 'state/baseline-runs';
  const n = existsSync(counter) ? Number(readFileSync(counter, 'utf8')) + 1 : 1;
  writeFileSync(counter, String(n));
  if (n === 2) while (!existsSync('state/go')) await new Promise((r) => setTimeout(r, 20));
}
${SCORED_TRAINER}`;

const deps = (proposer: Proposer): LoopDeps => ({ env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined });

describe('proposing while the baseline is measured', () => {
  it('the first proposal is made on the unchanged code while the baseline repeats, and runs as soon as the baseline is kept', async () => {
    const { dir, state } = scoredProject({ acceptance: { baselineRuns: 3 } } as never, { 'train.mjs': BASELINE_HELD }, { state: true });
    const step = setConst('LEARNING_RATE', '0.08');
    let baselineAtProposal: string | null = null;
    // One slot, the default settings: one proposal is made ahead.
    const proposer = scriptedProposer([
      async (ctx) => {
        // The baseline is still running here: its second repeat waits for this very call.
        baselineAtProposal = ctx.baseline?.status ?? null;
        return step(ctx);
      },
    ]);
    const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 1, deps: deps(proposer) });
    // Released once the proposal is journaled (the harness commits it after the proposer returns), so the
    // journal's order below is forced, not a race.
    expect(await waitUntil(() => handle.record().queuedProposals.has(1), 120_000)).toBe(true);
    expect(handle.record().experiments.get(0)!.status).toBe('running');
    writeFileSync(path.join(state, 'go'), '');
    expect((await handle.done).reason).toBe('max-experiments');

    expect(baselineAtProposal).toBe('running');
    const ctx = proposer.contexts[0]!;
    // Nothing is measured as a best yet; the proposal starts from the baseline, whose first run is shown.
    expect(ctx.best).toBeNull();
    expect(ctx.base.id).toBe(0);
    expect(ctx.baseline!.runs.filter((r) => r.metric !== null)).toHaveLength(1);
    const prompt = buildRunStatePrompt(ctx);
    expect(prompt).toMatch(/Baseline val_bpb: still being measured \(experiment 0\); its runs so far gave 1\.3/);
    expect(prompt).toContain('starts from experiment 0');
    expect(prompt).toContain('the unchanged code (the baseline)');

    const rec = await readRunRecord(dir, 'test');
    expect(rec.experiments.get(0)!.runs).toHaveLength(3);
    const one = rec.experiments.get(1)!;
    expect(one.baseId).toBe(0);
    expect(one.parentCommit).toBe(rec.startCommit);
    expect(one.status).toBe('keep');
    // The journal: proposal 1 was made before the baseline ended.
    const { events } = await readJournalEvents(runPaths(dir, 'test').journal);
    const madeAt = events.findIndex((e) => e.type === 'proposal-made' && e.id === 1);
    const baselineEnd = events.findIndex((e) => e.type === 'experiment-end' && e.experiment.id === 0);
    expect(madeAt).toBeGreaterThan(-1);
    expect(madeAt).toBeLessThan(baselineEnd);
  });

  it('a baseline whose first run fails asks the agent nothing', async () => {
    const { dir } = scoredProject({ acceptance: { baselineRuns: 3 } } as never, { 'train.mjs': SCORED_TRAINER.replace('const MODE = 0;', 'const MODE = 1;') });
    const proposer = scriptedProposer([setConst('LEARNING_RATE', '0.08')]);
    const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 2, deps: deps(proposer) });
    const outcome = await handle.done;
    expect(outcome.reason).toBe('error');
    expect(proposer.contexts).toHaveLength(0);
    const { events } = await readJournalEvents(runPaths(dir, 'test').journal);
    expect(events.some((e) => e.type === 'proposal-made')).toBe(false);
  });
});
