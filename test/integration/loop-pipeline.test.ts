// Pipelined proposals: the proposer makes the next candidate in its own proposal worktree while a slot
// trains. A proposal made on a best that moved before a slot took it is carried onto the best of then (a
// three-way merge) and measured with it; one whose change conflicts is proposed again with the conflict
// shown; the queue is journaled, so a stopped run resumes with it. The order of events is forced by the
// trainer, which waits for a file the scripted proposer writes — never by timing.
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Proposer } from '../../src/core/agent/proposer.js';
import { readJournalEvents } from '../../src/core/journal/read.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { LoopDeps } from '../../src/core/loop/types.js';
import { cleanupTempDirs, git, SCORED_TRAINER, scoredProject, tempDir } from '../helpers/project.js';
import { waitUntil } from '../helpers/processes.js';
import { scriptedProposer, setConst, type Step } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

/** The scored trainer with the constants apart (a three-way merge takes both), held by a file per experiment. */
const HELD_TRAINER = `import { existsSync } from 'node:fs';
const id = process.env.AUTORESEARCH_EXPERIMENT_ID;
// An experiment named in HOLD_IDS waits until the test (through the proposer) writes HOLD_DIR/go-<id>.
if ((process.env.HOLD_IDS ?? '').split(',').includes(id)) {
  while (!existsSync(process.env.HOLD_DIR + '/go-' + id)) await new Promise((r) => setTimeout(r, 20));
}
${SCORED_TRAINER.replace('const HIDDEN = 32;', '// spacer 1\n// spacer 2\n// spacer 3\nconst HIDDEN = 32;')}`;
const score = (lr: number, hidden: number) => 1 + Math.abs(Math.log2(lr / 0.08)) * 0.1 + Math.abs(hidden - 40) * 0.001;

function held(holdIds: number[]) {
  const holdDir = tempDir();
  mkdirSync(holdDir, { recursive: true });
  const deps = (proposer: Proposer): LoopDeps => ({
    env: { ...process.env, HOLD_DIR: holdDir, HOLD_IDS: holdIds.join(',') },
    nodePath: process.execPath,
    appVersion: 'test',
    createProposer: async () => proposer,
    sleep: async () => undefined,
  });
  const release = (id: number) => writeFileSync(path.join(holdDir, `go-${id}`), '');
  /** A step that lets experiment `id` finish training once it has run. */
  const releasing = (id: number, step: Step): Step => async (ctx) => {
    const out = await step(ctx);
    release(id);
    return out;
  };
  return { deps, release, releasing };
}

const ONE_SLOT_AHEAD = { agent: { queueDepth: 1 } } as const;

describe('pipelined proposals', () => {
  it('the next proposal is made in a proposal worktree while a slot trains, then carried onto the best kept meanwhile', async () => {
    const { dir } = scoredProject(ONE_SLOT_AHEAD, { 'train.mjs': HELD_TRAINER });
    const h = held([1]);
    // #1 trains until #2's proposal is journaled: so #2 is certainly made on #0, while #1 runs. (Released on the
    // journal's proposal-made, not when the proposer returns: the harness still commits and journals it after.)
    const proposer = scriptedProposer([setConst('HIDDEN', '40'), setConst('LEARNING_RATE', '0.08')]);
    const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 2, deps: h.deps(proposer) });
    expect(await waitUntil(() => handle.record().queuedProposals.has(2) || handle.record().experiments.has(2), 120_000)).toBe(true);
    h.release(1);
    expect((await handle.done).reason).toBe('max-experiments');

    // Proposals are made in proposal worktrees, never in the slot's.
    expect(proposer.contexts).toHaveLength(2);
    for (const c of proposer.contexts) expect(c.workspace.root).toBe(path.join(dir, '.autoresearch', 'worktrees', 'proposal-0'));
    expect(proposer.contexts.map((c) => c.base.id)).toEqual([0, 0]);

    const rec = await readRunRecord(dir, 'test');
    const e = (id: number) => rec.experiments.get(id)!;
    expect([...rec.experiments.keys()].sort()).toEqual([0, 1, 2]);
    expect(e(1).status).toBe('keep');
    // #2 was made on #0; #1 was kept before a slot took it, so its change ran on top of #1's.
    const two = e(2);
    expect(two.proposedOn).toEqual({ baseId: 0, parentCommit: e(0).commit, commit: expect.stringMatching(/^[0-9a-f]{40}$/) });
    expect(two.baseId).toBe(1);
    expect(two.parentCommit).toBe(e(1).commit);
    expect(two.status).toBe('keep');
    expect(two.metric).toBeCloseTo(score(0.08, 40), 6);
    const train = git(dir, 'show', `${two.commit}:train.mjs`);
    expect(train).toContain('const LEARNING_RATE = 0.08;');
    expect(train).toContain('const HIDDEN = 40;');
    expect(git(dir, 'rev-list', '--parents', '-n', '1', two.commit!).trim().split(' ').slice(1)).toEqual([e(1).commit, two.proposedOn!.commit]);
    expect(git(dir, 'rev-parse', 'autoresearch/test').trim()).toBe(two.commit);
    // Every candidate's ref is its commit: #2's is the carried one, written after the proposal's own (which the
    // start waits for beside the slot's reset), not overwritten by it.
    expect(git(dir, 'rev-parse', 'refs/autoresearch/test/1').trim()).toBe(e(1).commit);
    expect(git(dir, 'rev-parse', 'refs/autoresearch/test/2').trim()).toBe(two.commit);

    // Each experiment records when it was proposed and how long it waited for the slot.
    for (const x of [e(1), two]) {
      expect(Date.parse(x.proposedAt!)).toBeLessThanOrEqual(Date.parse(x.startedAt));
      expect(x.timings.queueWaitMs).toBeGreaterThanOrEqual(0);
      expect(x.timings.proposalMs).toBeGreaterThanOrEqual(0);
    }
    // The journal: #2's proposal was made while #1 trained, and nothing was proposed past the limit.
    const { events } = await readJournalEvents(runPaths(dir, 'test').journal);
    const at = (pred: (ev: (typeof events)[number]) => boolean) => events.findIndex(pred);
    expect(at((ev) => ev.type === 'proposal-made' && ev.id === 2)).toBeLessThan(at((ev) => ev.type === 'experiment-end' && ev.experiment.id === 1));
    expect(events.filter((ev) => ev.type === 'proposal-made').map((ev) => (ev as { id: number }).id)).toEqual([1, 2]);
    expect(rec.queuedProposals.size).toBe(0);
  });

  it('a proposal whose change conflicts with the best kept meanwhile is proposed again with the conflict shown', async () => {
    const { dir } = scoredProject(ONE_SLOT_AHEAD, { 'train.mjs': HELD_TRAINER });
    const h = held([1]);
    const proposer = scriptedProposer([setConst('LEARNING_RATE', '0.04'), h.releasing(1, setConst('LEARNING_RATE', '0.02')), setConst('LEARNING_RATE', '0.08')]);
    const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 2, deps: h.deps(proposer) });
    expect((await handle.done).reason).toBe('max-experiments');

    const rec = await readRunRecord(dir, 'test');
    expect(rec.experiments.get(1)!.status).toBe('keep');
    // The third call made #2 again, on #1, told why.
    expect(proposer.contexts.map((c) => c.experimentId)).toEqual([1, 2, 2]);
    const again = proposer.contexts[2]!;
    expect(again.base.id).toBe(1);
    expect(again.conflict).toEqual({ description: 'LEARNING_RATE → 0.02', withId: 1, files: ['train.mjs'] });
    const two = rec.experiments.get(2)!;
    expect(two.description).toBe('LEARNING_RATE → 0.08');
    expect(two.baseId).toBe(1);
    expect(two.proposedOn ?? null).toBeNull();
    expect(two.status).toBe('keep');
    expect(two.metric).toBeCloseTo(score(0.08, 32), 6);
    expect(rec.notices.some((n) => n.id === 2 && /conflicts with #1.*proposed again/.test(n.message))).toBe(true);
    const { events } = await readJournalEvents(runPaths(dir, 'test').journal);
    expect(events.filter((ev) => ev.type === 'proposal-made' && ev.id === 2)).toHaveLength(2);
  });

  it('a queued proposal dropped when the limit was all handed out is made up for: the run still reaches its limit', async () => {
    const { dir } = scoredProject(ONE_SLOT_AHEAD, { 'train.mjs': HELD_TRAINER });
    const h = held([1]);
    const proposer = scriptedProposer([setConst('LEARNING_RATE', '0.04'), setConst('HIDDEN', '40'), setConst('HIDDEN', '39')]);
    const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 2, deps: h.deps(proposer) });
    // #1 trains (held) and #2 waits in the queue: both ids of the limit are handed out, so the proposer is done.
    expect(await waitUntil(() => handle.record().queuedProposals.has(2), 120_000)).toBe(true);
    // #2's commit goes missing from the repository (its ref and loose object deleted): the slot that takes it drops it.
    const commit = handle.record().queuedProposals.get(2)!.commit!;
    for (const ref of git(dir, 'for-each-ref', '--format=%(refname)', '--points-at', commit).split('\n').filter(Boolean)) git(dir, 'update-ref', '-d', ref);
    rmSync(path.join(dir, '.git', 'objects', commit.slice(0, 2), commit.slice(2)));
    h.release(1);
    const outcome = await handle.done;
    expect(outcome.reason, outcome.message).toBe('max-experiments');
    const rec = await readRunRecord(dir, 'test');
    expect(rec.droppedProposals.get(2)).toMatch(/gone from the repository/);
    // A third proposal took the dropped one's place: two candidates measured, as asked.
    expect(proposer.contexts.map((c) => c.experimentId)).toEqual([1, 2, 3]);
    expect([...rec.experiments.values()].filter((e) => e.kind === 'candidate').map((e) => e.id)).toEqual([1, 3]);
    expect(rec.stopReason).toBe('max-experiments');
  });

  it('a stop while a proposer is still at work ends the run once it is done; what it made stays queued for the resume', async () => {
    const { dir } = scoredProject(ONE_SLOT_AHEAD, { 'train.mjs': HELD_TRAINER });
    const h = held([1]);
    // #2's proposer (one that does not watch the stop signal, as an agent CLI may not) finishes only when told.
    let finishTwo!: () => void;
    const twoMayFinish = new Promise<void>((r) => (finishTwo = r));
    const proposer = scriptedProposer([
      setConst('HIDDEN', '40'),
      async (ctx) => {
        await twoMayFinish;
        return setConst('LEARNING_RATE', '0.08')(ctx);
      },
    ]);
    const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 3, deps: h.deps(proposer) });
    // #2's proposer at work and #1 training (its start journaled: the slot takes #1 and starts it while the
    // proposer, now quick to prepare its worktree, may already be asking for #2).
    expect(await waitUntil(() => proposer.contexts.length === 2 && handle.record().experiments.get(1)?.status === 'running', 120_000)).toBe(true);
    const stopped = handle.stop();
    let ended = false;
    void stopped.then(() => (ended = true));
    // The slot ends #1 (interrupted) and the run closes its queue (the proposer's signal is aborted by it); only
    // then does #2's proposal come in. The run is still stopping at that point: it waits for the proposer.
    expect(await waitUntil(() => handle.record().experiments.get(1)?.status === 'interrupted', 60_000)).toBe(true);
    expect(proposer.contexts[1]!.signal.aborted).toBe(true);
    expect(handle.state()).toBe('stopping');
    expect(ended).toBe(false);
    finishTwo();
    await stopped;
    const rec = await readRunRecord(dir, 'test');
    expect(rec.stopReason).toBe('user');
    // Journaled as made, never started: the resumed run takes it first.
    expect([...rec.queuedProposals.keys()]).toEqual([2]);
    expect(rec.experiments.has(2)).toBe(false);
  });

  it('a run stopped with a proposal queued resumes with it: the queued proposal runs first, not proposed again', async () => {
    const { dir } = scoredProject(ONE_SLOT_AHEAD, { 'train.mjs': HELD_TRAINER });
    const h = held([1]);
    let queued!: () => void;
    const madeTwo = new Promise<void>((r) => (queued = r));
    const proposer = scriptedProposer([setConst('HIDDEN', '40'), setConst('LEARNING_RATE', '0.08')]);
    const handle = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 3, deps: h.deps(proposer) });
    handle.subscribe((ev) => {
      if (ev.kind === 'journal' && ev.event.type === 'proposal-made' && ev.event.id === 2) queued();
    });
    if (handle.record().queuedProposals.has(2)) queued();
    await madeTwo;
    // #1 trains (held), #2 waits in the queue: stop now.
    await handle.stop();
    const stopped = await readRunRecord(dir, 'test');
    expect(stopped.experiments.get(1)!.status).toBe('interrupted');
    expect([...stopped.queuedProposals.keys()]).toEqual([2]);
    expect(stopped.experiments.has(2)).toBe(false);

    // As if the app had died between #2's proposal-made and its ref (written beside the next start, not before the
    // journal): the resumed run writes it again when #2 starts.
    const twoCommit = stopped.queuedProposals.get(2)!.commit!;
    git(dir, 'update-ref', '-d', 'refs/autoresearch/test/2');
    h.release(1);
    const next = scriptedProposer([setConst('HIDDEN', '41'), setConst('HIDDEN', '39')], setConst('HIDDEN', '38'));
    const resumed = await startRun({ projectDir: dir, tag: 'test', maxExperiments: 3, deps: h.deps(next) });
    expect(resumed.resumed).toBe(true);
    expect((await resumed.done).reason).toBe('max-experiments');
    const rec = await readRunRecord(dir, 'test');
    // #2 ran as it was proposed (its commit, its description); only later ids were proposed after the resume.
    const two = rec.experiments.get(2)!;
    expect(two.description).toBe('LEARNING_RATE → 0.08');
    expect(two.status).toBe('keep');
    expect(two.commit).toBe(twoCommit);
    expect(git(dir, 'rev-parse', 'refs/autoresearch/test/2').trim()).toBe(twoCommit);
    expect(next.contexts[0]!.experimentId).toBe(3);
    expect(next.contexts.every((c) => c.experimentId >= 3)).toBe(true);
    // Three candidates counted (#1 was interrupted, so it does not count): #2, #3, #4.
    expect([...rec.experiments.values()].filter((e) => e.kind === 'candidate' && e.status !== 'interrupted')).toHaveLength(3);
    expect(rec.queuedProposals.size).toBe(0);
    expect(existsSync(path.join(dir, '.autoresearch', 'worktrees', 'proposal-0'))).toBe(true);
  });
});
