// A conflict foreseen (proposal-queue.ts, conflictIfKept): one slot works ahead, and the proposal made ahead on the
// best edits the line the candidate training now changed. Its carry onto that candidate, made ahead while it
// trains (pre-carry.ts), conflicts: were the candidate kept, the queued proposal would have to be made again while
// the slot waited. So one proposal more is made meanwhile, on the candidate itself, and the candidate's keep finds
// it ready: the slot goes on at once, even for the run's first conflict (before conflicts are "frequent"). The order
// is forced, not timed: #1's trainer waits until a proposal made on #1 exists (a fallback after 20 s only keeps a
// broken build from hanging; the assertions then fail).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/shared/journal.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { cleanupTempDirs, SCORED_TRAINER, scoredProject, tempDir } from '../helpers/project.js';
import { scriptedProposer, setConst, type Step } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

/** The scored trainer; #1 waits for go-1 (it reads, never writes, there). */
const TRAINER = `import { existsSync } from 'node:fs';
if (process.env.AUTORESEARCH_EXPERIMENT_ID === '1') while (!existsSync(process.env.HOLD_DIR + '/go-1')) await new Promise((r) => setTimeout(r, 20));
${SCORED_TRAINER}`;

function journal(dir: string): JournalEvent[] {
  const file = runPaths(dir, 'test').journal;
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((l) => {
      try {
        return l ? [JSON.parse(l) as JournalEvent] : [];
      } catch {
        return []; // a line being written: read again on the next look
      }
    });
}

describe('a conflict foreseen while the candidate trains (one slot working ahead, the default)', () => {
  it('makes a proposal on that candidate meanwhile, so its keep finds one ready and no slot waits on the conflict', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': TRAINER });
    const holdDir = tempDir();
    mkdirSync(holdDir, { recursive: true });
    // Every proposal moves the learning rate nearer 0.08 than the one before it (so each is kept where it runs), on
    // the same line (so one made on an older best conflicts with a newer one).
    let calls = 0;
    const step: Step = async (ctx) => setConst('LEARNING_RATE', (0.01 + 0.01 * ++calls).toFixed(2))(ctx);
    const proposer = scriptedProposer([], step);
    let watching = true;
    const started = Date.now();
    const watcher = (async () => {
      while (watching) {
        const onOne = journal(dir).some((e) => e.type === 'proposal-made' && e.baseId === 1);
        if (onOne || Date.now() - started > 20_000) writeFileSync(path.join(holdDir, 'go-1'), '');
        await new Promise((r) => setTimeout(r, 25));
      }
    })();
    try {
      const handle = await startRun({
        projectDir: dir,
        tag: 'test',
        maxExperiments: 3,
        deps: { env: { ...process.env, HOLD_DIR: holdDir }, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined },
      });
      expect((await handle.done).reason).toBe('max-experiments');
    } finally {
      watching = false;
      await watcher;
    }

    const rec = await readRunRecord(dir, 'test');
    const events = journal(dir);
    const one = rec.experiments.get(1)!;
    expect(one.status).toBe('keep');
    // A proposal was made on #1 while #1 trained, before conflicts were frequent (no notice says so before it).
    const endOne = events.findIndex((e) => e.type === 'experiment-end' && e.experiment.id === 1);
    const onOne = events.findIndex((e) => e.type === 'proposal-made' && e.baseId === 1);
    expect(onOne).toBeGreaterThan(-1);
    expect(onOne).toBeLessThan(endOne);
    expect(events.slice(0, onOne).some((e) => e.type === 'notice' && /conflict often/.test(e.message))).toBe(false);
    // It ran next, on #1 as it was made: no carry, the parent #1's commit.
    const next = events.slice(endOne).find((e) => e.type === 'experiment-start');
    const spec = rec.experiments.get(next?.type === 'experiment-start' ? next.experiment.id : -1)!;
    expect(spec.id).toBe((events[onOne] as { id: number }).id);
    expect([spec.baseId, spec.parentCommit, spec.proposedOn ?? null]).toEqual([1, one.commit, null]);
    // The proposal made on the baseline while #1 trained conflicted with #1 and was made again; no slot waited on it.
    // (Later ones may: the trainers after #1 end before a carry onto them is begun, so nothing is foreseen there.)
    const withOne = events.filter((e) => e.type === 'notice' && /was proposed on #0; its change conflicts with #1/.test(e.message));
    expect(withOne).toHaveLength(1);
    expect(withOne[0]).not.toHaveProperty('conflictSlot');
  });
});
