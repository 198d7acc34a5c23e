// One start per project, enforced by the studio: a second Start while the first is still starting (a click
// then Ctrl+Enter) is refused with a message, not begun as a second loop on the same tag; and run pushes
// name their project, so two projects' runs with the same tag never mix. Trainers run sandboxed (the
// suite's default): the scored trainer is the project's own train.mjs and keeps no state anywhere.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/processes.js';
import type { StudioEvent } from '../../src/shared/api.js';
import type { Studio } from '../../src/core/studio/index.js';
import { testStudio } from '../helpers/studio.js';
import { listRunTags } from '../../src/core/journal/read.js';
import { projectPaths, runPaths } from '../../src/core/project/paths.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { makeExperiment, writeRunJournal } from '../fixtures/make-run.js';
import { makeAblationRun } from '../helpers/ablation-run.js';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.dispose();
  studio = null;
  cleanupTempDirs();
});

async function makeStudio() {
  const made = await testStudio();
  studio = made.studio;
  return made;
}

const waitFor = async (check: () => boolean, ms = 90_000) => {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

const stopped = (events: StudioEvent[], tag: string) => () => events.some((e) => e.type === 'notice' && e.message.startsWith(`Run ${tag} stopped`));
const runStarts = (dir: string, tag: string) => readFileSync(runPaths(dir, tag).journal, 'utf8').split('\n').filter((l) => l.includes('"type":"run-start"')).length;

describe('Studio: one start per project', () => {
  it('refuses a second start while the first is starting: one loop, one run-start, no failure', async () => {
    const { dir } = scoredProject();
    const { studio, events } = await makeStudio();
    await studio.api.openProject({ dir });
    // Both calls in the same tick: the second reaches the studio long before the first has a run or a lock.
    const [first, second] = await Promise.allSettled([studio.api.startRun({ maxExperiments: 1 }), studio.api.startRun({ maxExperiments: 1 })]);
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    expect((second as PromiseRejectedResult).reason.message).toMatch(/already starting in this project.*Wait a moment/);
    const { tag } = (first as PromiseFulfilledResult<{ tag: string }>).value;
    await waitFor(stopped(events, tag));
    expect(runStarts(dir, tag)).toBe(1);
    expect(await listRunTags(dir)).toEqual([tag]);
    const detail = await studio.api.getRun({ tag });
    expect(detail.stopReason).toBe('max-experiments');
    expect(detail.experiments.map((e) => e.status)).not.toContain('interrupted');
    // The refusal is over once the start is: the project can start again (a resume of the same tag here).
    const again = await studio.api.startRun({ tag, maxExperiments: 2 });
    expect(again.tag).toBe(tag);
    await expect(studio.api.startRun({ tag })).rejects.toThrow(/already live|already starting/);
    await studio.api.stopRun({});
  });

  it('keeps another project closed while a start is in flight', async () => {
    const a = scoredProject();
    const b = scoredProject();
    const { studio, events } = await makeStudio();
    const opened = await studio.api.openProject({ dir: a.dir });
    const starting = studio.api.startRun({ tag: 'one', maxExperiments: 1 });
    await expect(studio.api.openProject({ dir: b.dir })).rejects.toThrow(/A run is starting in .*Wait until it has started/);
    await starting;
    await waitFor(stopped(events, 'one'));
    expect((await studio.api.snapshot({})).project?.dir).toBe(opened.dir);
  });

  it('names the project in every run push, so two projects with the same tag never mix', async () => {
    const a = scoredProject();
    const b = scoredProject();
    const { studio, events } = await makeStudio();
    const pa = await studio.api.openProject({ dir: a.dir });
    await studio.api.startRun({ tag: 'same', maxExperiments: 2 });
    await waitFor(stopped(events, 'same'));
    // Read until settled: a read made as the run ends may come back short (known race; the app re-reads).
    const ids = async () => (await studio.api.getRun({ tag: 'same' })).experiments.map((e) => e.id).join(',');
    expect(await waitUntil(async () => (await ids()) === '0,1,2', 30_000), await ids()).toBe(true);

    const mark = events.length;
    const pb = await studio.api.openProject({ dir: b.dir });
    expect(pb.dir).not.toBe(pa.dir);
    await studio.api.startRun({ tag: 'same', maxExperiments: 1 });
    await waitFor(() => events.slice(mark).some((e) => e.type === 'notice' && e.message.startsWith('Run same stopped')));
    const runPushes = events.slice(mark).filter((e) => e.type === 'experiment' || e.type === 'log' || e.type === 'live' || e.type === 'runs');
    expect(runPushes.filter((e) => e.type === 'experiment' && e.project === pb.dir).length).toBeGreaterThan(0);
    // A late push of A's run may still arrive after the switch: it names A, so the page drops it. None names
    // anything else, and none is unlabelled.
    expect(runPushes.filter((e) => !('project' in e) || (e.project !== pb.dir && e.project !== pa.dir))).toEqual([]);
    expect(await waitUntil(async () => (await ids()) === '0,1', 30_000), await ids()).toBe(true);
  });

  it('follows a run started elsewhere only once its journal has begun, never as a run with no tag', async () => {
    const { dir } = scoredProject();
    const { studio, events } = await makeStudio();
    const opened = await studio.api.openProject({ dir });
    // Another process holds the lock of run "e" and has not written its journal yet (the moment right after
    // `autoresearch run` took the lock). A sleeping child stands in for it: a live pid on this host.
    const owner = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      writeFileSync(projectPaths(dir).lockFile, JSON.stringify({ pid: owner.pid, host: hostname(), tag: 'e', startedAt: new Date().toISOString() }) + '\n');
      // Nothing must happen, so this waits a bounded time: the studio checks for outside runs every second,
      // and 3.5 s give it a few checks. That the checks ran (and see this lock) is shown below.
      const mark = events.length;
      await new Promise((r) => setTimeout(r, 3500));
      const snap = await studio.api.snapshot({});
      expect(snap.live).toBeNull();
      expect(snap.runs.map((r) => r.tag)).toEqual([]);
      expect(events.slice(mark).filter((e) => e.type === 'live' || e.type === 'runs')).toEqual([]);
      expect(opened.dir).toBe(snap.project?.dir);
      // The owner writes its journal's first events: the same checks now follow run "e".
      const head = git(dir, 'rev-parse', 'HEAD').trim();
      await writeRunJournal(dir, { tag: 'e', experiments: [makeExperiment({ id: 0, parentCommit: head, commit: head, status: 'running' })], startCommit: head, stop: false });
      await waitFor(() => events.slice(mark).some((e) => e.type === 'live' && e.live?.tag === 'e'), 15_000);
    } finally {
      owner.kill('SIGKILL');
    }
  });

  it("refuses Start while this app ablates a run of the project (run.lock names this process, so the lock alone would not)", async () => {
    const { dir, tag } = await makeAblationRun('ab');
    const { studio, events } = await makeStudio();
    await studio.api.openProject({ dir });
    const ablating = studio.api.ablateRun({ tag, repeats: 3 });
    // Its first progress push: the ablation is under way, running the trainer.
    await waitFor(() => events.some((e) => e.type === 'ablation' && e.progress !== null));
    await expect(studio.api.startRun({ maxExperiments: 1 })).rejects.toThrow(/Run ab is being ablated.*wait for it or cancel it, then start/);
    await expect(studio.api.auditRun({ tag, repeats: 2 })).rejects.toThrow(/being ablated/);
    expect(await listRunTags(dir)).toEqual([tag]);
    await studio.api.cancelAblation({ tag });
    await expect(ablating).rejects.toThrow();
    // Once it is over, Start works again.
    const started = await studio.api.startRun({ tag: 'after', maxExperiments: 1 });
    await waitFor(stopped(events, started.tag));
    expect(await listRunTags(dir)).toContain('after');
  });
});
