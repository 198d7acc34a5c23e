// A plateau's step back and a conflict, together, end to end (search-base.ts, chooseRemakeBase). Greedy on a
// plateau makes every other proposal on an earlier node of the best's line; made ahead, such a proposal is carried
// onto the best when a slot takes it, and an edit to the line the best changed conflicts. It is then made once
// more, on the best it conflicted with. Made on the earlier node again (as the plateau, which lasts until an
// experiment ends, may still choose), it conflicted again and was dropped, and so was every proposal after it: no
// experiment ran, and the agent was asked again and again for as long as the run went on (seen in
// bench/utilization's conflicting row). Here one slot's timing usually ends an experiment between a proposal and
// its remake, so the exact state is forced in test/unit/proposal-queue.test.ts; this run shows the whole loop
// through a plateau with conflicts to its end, every remake on the best.
import { afterEach, describe, expect, it } from 'vitest';
import { readJournalEvents, readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst, type Step } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

describe('a plateau that steps back, with every proposal editing the line the best changed', () => {
  it('makes a conflicting proposal again on the best, and the run goes on to its end', async () => {
    // No keep in 2 experiments is a plateau; one slot works one proposal ahead (the default).
    const { dir } = scoredProject({ search: { plateauAfter: 2 } });
    let n = 0;
    // #1 finds the optimum (LR 0.08); every later idea moves the same line somewhere worse, each time elsewhere.
    const step: Step = async (ctx) => (ctx.experimentId === 1 && !ctx.conflict ? setConst('LEARNING_RATE', '0.08')(ctx) : setConst('LEARNING_RATE', `0.0${2 + (n++ % 5)}`)(ctx));
    const proposer = scriptedProposer([], step);
    const handle = await startRun({
      projectDir: dir,
      tag: 'test',
      // Enough that ids are still to be handed out once the plateau is seen: one slot works ahead, and with
      // conflicts found at the keep (pre-carry.ts) the proposers may have made the first few before any ended.
      maxExperiments: 12,
      deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined },
    });
    // With the livelock the run never ends; stopped after a bound far beyond the few seconds it needs, it fails here.
    let timer: NodeJS.Timeout | undefined;
    const bound = new Promise<'stuck'>((resolve) => (timer = setTimeout(() => resolve('stuck'), 90_000)));
    const outcome = await Promise.race([handle.done, bound]);
    clearTimeout(timer);
    if (outcome === 'stuck') await handle.stop();
    expect(outcome === 'stuck' ? `stuck after ${proposer.contexts.length} proposals` : outcome.reason).toBe('max-experiments');

    const rec = await readRunRecord(dir, 'test');
    expect(rec.experiments.get(1)!.status).toBe('keep');
    const { events } = await readJournalEvents(runPaths(dir, 'test').journal);
    // The plateau did step back (the test can fail only if it did): a proposal was made on the baseline after #1 was kept.
    const steppedBack = proposer.contexts.filter((c) => c.experimentId > 2 && c.base.id === 0 && !c.conflict);
    expect(steppedBack.length).toBeGreaterThan(0);
    // Every remake after a conflict was made on the best it conflicted with, and none was dropped for conflicting again.
    const remakes = proposer.contexts.filter((c) => c.conflict);
    expect(remakes.length).toBeGreaterThan(0);
    for (const r of remakes) expect([r.experimentId, r.base.id]).toEqual([r.experimentId, r.conflict!.withId]);
    expect(events.filter((e) => e.type === 'proposal-dropped')).toEqual([]);
  });
});
