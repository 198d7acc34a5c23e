// A conflict does not idle the slot (proposal-queue.ts): one slot working ahead by default, a proposal made
// ahead conflicts with the change kept while it waited, and the slot trains the next ready proposal while the
// conflicting one is made again in a spare proposal worktree. The order is forced, never timed: the next
// proposal is held until the remake has started (so a remake that waited behind it would never start and the
// test fails), and the remake is held until the next experiment's trainer has started.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { summarize } from '../../src/core/journal/fold.js';
import { readJournalEvents, readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { usageAt } from '../../src/shared/slot-usage.js';
import { cleanupTempDirs, SCORED_TRAINER, scoredProject, tempDir } from '../helpers/project.js';
import { waitUntil } from '../helpers/processes.js';
import { scriptedProposer, setConst, type Step } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

/** The scored trainer with its constants apart (a merge takes both); #1 waits for go-1 (it reads, never writes, there). */
const TRAINER = `import { existsSync } from 'node:fs';
const id = process.env.AUTORESEARCH_EXPERIMENT_ID;
if (id === '1') while (!existsSync(process.env.HOLD_DIR + '/go-1')) await new Promise((r) => setTimeout(r, 20));
${SCORED_TRAINER.replace('const HIDDEN = 32;', '// spacer 1\n// spacer 2\n// spacer 3\nconst HIDDEN = 32;')}`;

/** Whether experiment `id`'s trainer has started (its process-start is in the journal). */
function trainerStarted(dir: string, id: number): boolean {
  const lines = readFileSync(runPaths(dir, 'test').journal, 'utf8').split('\n').filter(Boolean);
  return lines.some((l) => {
    try {
      const e = JSON.parse(l) as { type?: string; id?: number; what?: string };
      return e.type === 'process-start' && e.id === id && e.what === 'run';
    } catch {
      return false;
    }
  });
}

describe('a conflict with one slot working ahead (the default)', () => {
  it('the slot trains the next proposal while the conflicting one is made again elsewhere', async () => {
    // No agent.queueDepth: the default works one ahead with one slot.
    const { dir } = scoredProject({}, { 'train.mjs': TRAINER });
    const holdDir = tempDir();
    mkdirSync(holdDir, { recursive: true });
    let remakeStarted = false;
    const must = async (what: string, check: () => boolean) => {
      if (!(await waitUntil(check, 30_000))) throw new Error(`Timed out waiting for ${what}`);
    };
    const step: Step = async (ctx) => {
      if (ctx.conflict) {
        // The remake of #2: it starts while #3 is still being made, and ends only once #3 trains.
        remakeStarted = true;
        await must('#3 to train', () => trainerStarted(dir, 3));
        return setConst('LEARNING_RATE', '0.06')(ctx);
      }
      if (ctx.experimentId === 1) return setConst('LEARNING_RATE', '0.04')(ctx);
      if (ctx.experimentId === 2) {
        // Made on the baseline while #1 trains; then #1 (on the same line) may finish and be kept.
        const out = await setConst('LEARNING_RATE', '0.02')(ctx);
        writeFileSync(path.join(holdDir, 'go-1'), '');
        return out;
      }
      await must('the remake of #2 to start', () => remakeStarted);
      return setConst('HIDDEN', '40')(ctx);
    };
    const proposer = scriptedProposer([], step);
    const handle = await startRun({
      projectDir: dir,
      tag: 'test',
      maxExperiments: 3,
      deps: { env: { ...process.env, HOLD_DIR: holdDir }, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined },
    });
    expect((await handle.done).reason).toBe('max-experiments');

    const rec = await readRunRecord(dir, 'test');
    expect(rec.experiments.get(1)!.status).toBe('keep');
    // #2 conflicted with #1, was made again on the best with the conflict shown, and ran last.
    const remake = proposer.contexts.find((c) => c.conflict !== null)!;
    expect([remake.experimentId, remake.conflict!.withId]).toEqual([2, 1]);
    const { events } = await readJournalEvents(runPaths(dir, 'test').journal);
    // Found by the slot that took #2, or at #1's keep by the carry made ahead (pre-carry.ts), whichever came first.
    const conflictAt = events.findIndex((e) => e.type === 'notice' && e.id === 2 && /conflicts with #1/.test(e.message));
    const threeStarts = events.findIndex((e) => e.type === 'experiment-start' && e.experiment.id === 3);
    const remadeAt = events.findIndex((e, i) => e.type === 'proposal-made' && e.id === 2 && i > conflictAt);
    expect(conflictAt).toBeGreaterThan(-1);
    expect(threeStarts).toBeGreaterThan(conflictAt);
    expect(remadeAt).toBeGreaterThan(threeStarts);
    expect(rec.experiments.get(2)!.description).toBe('LEARNING_RATE → 0.06');
    expect(rec.experiments.get(3)!.baseId).toBe(1);
    // The slot's wait on the conflict ended when #3 was ready, before the remake was: shorter than the remake took.
    const [slot] = usageAt(summarize(rec).usage!, Date.now());
    const remakeMs = Date.parse(events[remadeAt]!.at) - Date.parse(events[conflictAt]!.at);
    expect(slot!.conflictMs).toBeLessThan(remakeMs);
  });
});
