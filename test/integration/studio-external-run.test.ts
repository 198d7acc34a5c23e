// A run started from a terminal (`autoresearch run`) is visible, live, in the app that opens the project,
// and can be steered and stopped from it.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../src/shared/api.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { createEnvSecretStore, createStudio, type Studio } from '../../src/core/studio/index.js';
import { buildCli, spawnCli } from '../helpers/cli.js';
import { pidRunning, waitUntil } from '../helpers/processes.js';
import { makeExperiment, writeRunJournal } from '../fixtures/make-run.js';
import { cleanupTempDirs, git, REPO_ROOT, scoredProject, tempDir } from '../helpers/project.js';
import { linkTestTrust } from '../helpers/trust.js';

beforeAll(buildCli);
let studio: Studio | null = null;
afterEach(async () => {
  await studio?.dispose();
  studio = null;
  cleanupTempDirs();
});

const TRAINER = `const LEARNING_RATE = 0.01;
for (let i = 0; i < 40; i++) {
  process.stdout.write('step ' + i + '\\n');
  await new Promise((r) => setTimeout(r, 100));
}
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;

describe('a run owned by another process', () => {
  it('is shown live, steered and stopped from the Studio', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': TRAINER });
    const cli = spawnCli(['run', dir, '--tag', 'ext']);
    const exited = new Promise<number | null>((r) => cli.once('close', r));
    expect(await waitUntil(() => existsSync(runPaths(dir, 'ext').journal) && readFileSync(runPaths(dir, 'ext').journal, 'utf8').includes('process-start'), 30_000)).toBe(true);

    studio = await createStudio({
      app: { version: 'test', host: 'serve', platform: process.platform },
      dataDir: linkTestTrust(tempDir('ar-data-')),
      appRoot: REPO_ROOT,
      secrets: createEnvSecretStore({}),
    });
    const events: StudioEvent[] = [];
    studio.onEvent((e) => events.push(e));
    await studio.api.openProject({ dir });

    // Within a poll or two the run appears as running, with its experiment in a slot and its output.
    expect(await waitUntil(() => events.some((e) => e.type === 'live' && e.live?.tag === 'ext'), 10_000)).toBe(true);
    const snap = await studio.api.snapshot({});
    expect(snap.runs.find((r) => r.tag === 'ext')?.state).toBe('running');
    expect(snap.live?.slots[0]?.experimentId).toBe(0);
    expect(await waitUntil(() => events.some((e) => e.type === 'log' && e.tag === 'ext' && /step \d+/.test(e.text)), 10_000)).toBe(true);
    await expect(studio.api.pauseRun({})).rejects.toThrow(/started outside this app/);

    await studio.api.steer({ note: 'from the app' });
    expect(await waitUntil(() => events.some((e) => e.type === 'experiment' && e.tag === 'ext' && e.experiment.id === 0 && e.experiment.status === 'keep'), 30_000)).toBe(true);
    await studio.api.stopRun({});
    expect(await exited).toBe(0);
    expect(await waitUntil(() => events.some((e) => e.type === 'notice' && /Run ext .* stopped/.test(e.message)), 10_000)).toBe(true);

    const rec = await readRunRecord(dir, 'ext');
    expect(rec.stopReason).toBe('signal');
    expect(rec.steering.map((s) => s.note)).toEqual(['from the app']);
    const detail = await studio.api.getRun({ tag: 'ext' });
    expect(detail.state).toBe('stopped');
  }, 90_000);

  it('never signals an unrelated local process that a planted run.lock names', async () => {
    const { dir } = scoredProject();
    // A long-lived local process that is not a run, like the user's editor.
    const bystander = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const bystanderExit = new Promise<NodeJS.Signals | null>((r) => bystander.once('exit', (_c, sig) => r(sig)));
    try {
      const head = git(dir, 'rev-parse', 'HEAD').trim();
      await writeRunJournal(dir, { tag: 'planted', experiments: [makeExperiment({ id: 0, parentCommit: head, commit: head, status: 'running' })], startCommit: head, stop: false });
      studio = await createStudio({
        app: { version: 'test', host: 'serve', platform: process.platform },
        dataDir: linkTestTrust(tempDir('ar-data-')),
        appRoot: REPO_ROOT,
        secrets: createEnvSecretStore({}),
      });
      await studio.api.openProject({ dir });
      const lockFile = `${dir}/.autoresearch/run.lock`;
      for (const host of [hostname(), 'another-host']) {
        writeFileSync(lockFile, JSON.stringify({ pid: bystander.pid, host, tag: 'planted', startedAt: new Date().toISOString() }));
        expect(await waitUntil(async () => (await studio!.api.snapshot({})).live?.tag === 'planted', 10_000)).toBe(true);
        await expect(studio.api.stopRun({})).rejects.toThrow(host === 'another-host' ? /not this machine/ : /does not hold its journal open/);
      }
      // Nothing must happen (no late signal), so a bounded wait; the refusals above are the positive signal
      // that each stop was tried and answered.
      await new Promise((r) => setTimeout(r, 300));
      expect(pidRunning(bystander.pid!)).toBe(true);
      expect(bystander.exitCode).toBeNull();
      expect(bystander.signalCode).toBeNull();
    } finally {
      bystander.kill('SIGKILL');
      await bystanderExit;
    }
  }, 60_000);
  it('says once, as a warning, when a run it should follow cannot be read, and follows it once it can', async () => {
    const { dir } = scoredProject();
    // The run's owner: a live local process (the lock must read as live for the app to follow the run).
    const owner = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const ownerExit = new Promise((r) => owner.once('exit', r));
    try {
      // A journal that is a folder: every read of it fails the same way (EISDIR), tick after tick, even as root.
      const journal = runPaths(dir, 'blocked').journal;
      mkdirSync(journal, { recursive: true });
      writeFileSync(`${dir}/.autoresearch/run.lock`, JSON.stringify({ pid: owner.pid, host: hostname(), tag: 'blocked', startedAt: new Date().toISOString() }));
      studio = await createStudio({
        app: { version: 'test', host: 'serve', platform: process.platform },
        dataDir: linkTestTrust(tempDir('ar-data-')),
        appRoot: REPO_ROOT,
        secrets: createEnvSecretStore({}),
      });
      const events: StudioEvent[] = [];
      studio.onEvent((e) => events.push(e));
      await studio.api.openProject({ dir });
      const warnings = () => events.filter((e) => e.type === 'notice' && e.level === 'warning' && e.message.startsWith('Cannot follow the run'));
      expect(await waitUntil(() => warnings().length > 0, 15_000)).toBe(true);
      expect(warnings()[0]).toMatchObject({ message: expect.stringMatching(/EISDIR.*Check that this user can read/) });

      rmSync(journal, { recursive: true });
      const head = git(dir, 'rev-parse', 'HEAD').trim();
      await writeRunJournal(dir, { tag: 'blocked', experiments: [makeExperiment({ id: 0, parentCommit: head, commit: head, status: 'running' })], startCommit: head, stop: false });
      expect(await waitUntil(() => events.some((e) => e.type === 'live' && e.live?.tag === 'blocked'), 10_000)).toBe(true);
      expect(warnings()).toHaveLength(1);
    } finally {
      owner.kill('SIGKILL');
      await ownerExit;
    }
  }, 60_000);
});
