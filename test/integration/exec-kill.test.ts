import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isProcessGroupAlive, killProcessGroup } from '../../src/core/exec/kill-tree.js';
import { killOrphans } from '../../src/core/exec/kill-orphans.js';
import { killHard, pidRunning, pythonTrainer, readPidsFile, startFakeApp, waitUntil } from '../helpers/processes.js';

const MARKER_KEY = 'AUTORESEARCH_RUN_DIR';

let dir: string;
const leftovers = new Set<number>();
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ar-kill-'));
});
afterEach(async () => {
  killHard(leftovers);
  leftovers.clear();
  await rm(dir, { recursive: true, force: true });
});

/** A process in its own group, started directly by the test (its pid is the pgid). */
function startGroup(command: string, env: Record<string, string> = {}): number {
  const child = spawn('/bin/sh', ['-c', command], { detached: true, stdio: 'ignore', env: { ...process.env, ...env } });
  child.unref();
  leftovers.add(child.pid!);
  return child.pid!;
}

const ownPgid = () => {
  const stat = readFileSync('/proc/self/stat', 'latin1');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[2]);
};

describe('killProcessGroup', () => {
  it('says "gone" for a group with no process, "terminated" when SIGTERM is enough', async () => {
    const pgid = startGroup('sleep 60');
    expect(isProcessGroupAlive(pgid)).toBe(true);
    expect(await killProcessGroup(pgid, 5_000)).toBe('terminated');
    expect(isProcessGroupAlive(pgid)).toBe(false);
    expect(await killProcessGroup(pgid, 5_000)).toBe('gone');
  });

  it('SIGKILLs a group that ignores SIGTERM after the grace period, grandchildren included', async () => {
    const pidsFile = path.join(dir, 'pids');
    const pgid = startGroup(`exec ${pythonTrainer('hang-ignore-term.py')}`, { PIDS_FILE: pidsFile });
    const pids = await readPidsFile(pidsFile);
    pids.forEach((p) => leftovers.add(p));
    const started = Date.now();
    expect(await killProcessGroup(pgid, 700)).toBe('killed');
    expect(Date.now() - started).toBeGreaterThanOrEqual(650);
    for (const pid of pids) expect(pidRunning(pid)).toBe(false);
  });

  it('ends a stopped process too', async () => {
    const pgid = startGroup('sleep 60');
    process.kill(pgid, 'SIGSTOP');
    expect(await killProcessGroup(pgid, 3_000)).toBe('terminated');
    expect(pidRunning(pgid)).toBe(false);
  });

  it('refuses process group ids that would mean "every process" or "my own group"', async () => {
    for (const bad of [0, 1, -1, -42, 1.5, Number.NaN]) {
      expect(() => isProcessGroupAlive(bad)).toThrow(RangeError);
      await expect(killProcessGroup(bad, 0)).rejects.toThrow(RangeError);
    }
  });
});

describe('killOrphans', () => {
  it('kills the trainer tree an app left behind when it was kill -9ed', async () => {
    const runDir = path.join(dir, 'run-a');
    const pidsFile = path.join(dir, 'pids');
    const app = await startFakeApp({
      command: pythonTrainer('hang-ignore-term.py'),
      cwd: dir,
      env: { ...(process.env as Record<string, string>), PIDS_FILE: pidsFile, [MARKER_KEY]: runDir },
    });
    leftovers.add(app.childPid);
    const pids = await readPidsFile(pidsFile);
    pids.forEach((p) => leftovers.add(p));
    await app.crash();
    expect(pidRunning(app.appPid)).toBe(false);
    // The app is dead; its experiment is not.
    for (const pid of pids) expect(pidRunning(pid)).toBe(true);

    const { killed } = await killOrphans({ pgids: [app.childPid], marker: { key: MARKER_KEY, value: runDir }, graceMs: 500 });
    for (const pid of pids) expect(pidRunning(pid), `pid ${pid}`).toBe(false);
    expect(isProcessGroupAlive(app.childPid)).toBe(false);
    for (const pid of pids) expect(killed).toContain(pid);
  });

  it('also kills a process that left the group with setsid, found by its environment', async () => {
    const runDir = path.join(dir, 'run-b');
    const pidsFile = path.join(dir, 'pids');
    const app = await startFakeApp({
      command: pythonTrainer('escape-setsid.py'),
      cwd: dir,
      env: { ...(process.env as Record<string, string>), PIDS_FILE: pidsFile, [MARKER_KEY]: runDir },
    });
    leftovers.add(app.childPid);
    const [trainerPid, escaped] = await readPidsFile(pidsFile);
    leftovers.add(trainerPid!).add(escaped!);
    await app.crash();
    expect(pidRunning(escaped!)).toBe(true);
    expect(isProcessGroupAlive(escaped!)).toBe(true);

    const { killed } = await killOrphans({ pgids: [app.childPid], marker: { key: MARKER_KEY, value: runDir }, graceMs: 500 });
    expect(await waitUntil(() => !pidRunning(trainerPid!) && !pidRunning(escaped!), 10_000)).toBe(true);
    expect(killed).toEqual(expect.arrayContaining([trainerPid, escaped]));
  });

  it('never kills a live group without the marker, or with another run\'s marker', async () => {
    const stranger = startGroup('sleep 60');
    const otherRun = startGroup('sleep 60', { [MARKER_KEY]: path.join(dir, 'other-run') });
    const { killed } = await killOrphans({ pgids: [stranger, otherRun], marker: { key: MARKER_KEY, value: path.join(dir, 'this-run') }, graceMs: 200 });
    expect(killed).toEqual([]);
    expect(pidRunning(stranger)).toBe(true);
    expect(pidRunning(otherRun)).toBe(true);
  });

  it('kills by pgid alone when no marker is given', async () => {
    const pgid = startGroup('sleep 60');
    const { killed } = await killOrphans({ pgids: [pgid], graceMs: 2_000 });
    // The group is the shell and, once it has forked, its `sleep`: both go, nothing else does.
    expect(killed).toContain(pgid);
    expect(killed.length).toBeLessThanOrEqual(2);
    expect(killed.every((pid) => !pidRunning(pid))).toBe(true);
  });

  it('ignores dead, invalid and its own process groups', async () => {
    const dead = startGroup('exit 0');
    await waitUntil(() => !pidRunning(dead));
    const { killed } = await killOrphans({ pgids: [dead, 0, 1, -7, 2.5, ownPgid(), process.pid], graceMs: 100 });
    expect(killed).toEqual([]);
    expect(pidRunning(process.pid)).toBe(true);
  });
});
