// kill -9 of `autoresearch run --slots 2` while two trainers run and a pipelined proposal waits in the queue.
// The real CLI, real trainers, a real SIGKILL. Resuming marks the running experiments interrupted, keeps the
// queued proposal (it runs first when the run goes on), leaves no process of the run, and loses no finished
// experiment. Every wait is for something the journal says, never for time.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { environHas } from '../../src/core/exec/proc-table.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli, spawnCli } from '../helpers/cli.js';
import { pidRunning, waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, SCORED_TRAINER, scoredProject, tempDir } from '../helpers/project.js';

beforeAll(buildCli);

const started: number[] = [];
afterEach(() => {
  // Whatever happens to the test, no trainer it started outlives it.
  for (const pid of started.splice(0)) {
    try {
      if (pidRunning(pid)) process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  cleanupTempDirs();
});

/**
 * The scored trainer. The first candidate whose trainer starts (its id claimed in FREE_FILE) runs to its end, its
 * confirmation runs too; every other candidate waits for RELEASE_FILE, so two are certainly running when killed.
 * Not "every candidate after #1": a slot takes the oldest *ready* proposal, so under load #2 and #3 may both
 * start before #1, and #1 then waited behind two held trainers for ever (seen once in CI). The trainer has no
 * MODE constant either, which the mutation proposer could set to 2 (hang until the 900-s limit).
 */
const SCORED_NO_MODE = SCORED_TRAINER.replace('const MODE = 0;\n', '').replace(/^if \(MODE === .*\n/gm, '');
const HELD_TRAINER = `import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
appendFileSync(process.env.PIDS_FILE, process.pid + '\\n');
const id = Number(process.env.AUTORESEARCH_EXPERIMENT_ID);
let free = id === 0;
if (!free) {
  try {
    writeFileSync(process.env.FREE_FILE, String(id), { flag: 'wx' });
    free = true;
  } catch {
    free = Number(readFileSync(process.env.FREE_FILE, 'utf8')) === id;
  }
}
while (!free && !existsSync(process.env.RELEASE_FILE)) await new Promise((r) => setTimeout(r, 20));
${SCORED_NO_MODE}`;

/** Processes that carry the run's marker (the trainers' environment names the run folder). */
function markedProcesses(runDir: string): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => pid !== process.pid && environHas(pid, 'AUTORESEARCH_RUN_DIR', runDir));
}

describe('kill -9 with pipelined proposals', () => {
  it('uses a trainer the mutation proposer cannot make hang', () => {
    expect(SCORED_NO_MODE).not.toMatch(/MODE/);
    expect(SCORED_NO_MODE).toMatch(/val_bpb/);
  });

  it('resume marks the running experiments interrupted, keeps the queued proposal, leaves no process and loses nothing finished', async () => {
    // A long hard limit: the held trainers must not time out on a slow machine before the kill.
    const { dir } = scoredProject({ budget: { seconds: 60, timeoutSeconds: 900, graceSeconds: 1 } }, { 'train.mjs': HELD_TRAINER });
    const work = tempDir();
    const pids = path.join(work, 'pids');
    const release = path.join(work, 'release');
    const free = path.join(work, 'free');
    writeFileSync(pids, '');
    // Unsandboxed: this test watches the trainer's host pid to prove the harness killed it; inside the sandbox's PID namespace the trainer cannot know that pid (and bwrap's --die-with-parent kills it with the CLI anyway); AUTORESEARCH_NO_PIDNS=1 keeps it out of the PID namespace an unsandboxed command gets otherwise (pid-namespace.ts), for the same reason. The sandboxed kill is in sandbox.test.ts.
    const env = { PIDS_FILE: pids, RELEASE_FILE: release, FREE_FILE: free, ANTHROPIC_API_KEY: '', AUTORESEARCH_SANDBOX: 'off', AUTORESEARCH_NO_PIDNS: '1' };
    const runDir = runPaths(dir, 'k9').dir;

    const child = spawnCli(['run', dir, '--tag', 'k9', '--slots', '2', '--proposer', 'mutation'], { env });
    let output = '';
    child.stdout!.on('data', (d) => (output += String(d)));
    child.stderr!.on('data', (d) => (output += String(d)));
    let exited = false;
    const closed = new Promise<number | null>((r) => child.once('close', (code) => ((exited = true), r(code))));
    // Two trainers run (held) and at least one proposal made ahead waits for a slot; the free candidate has finished.
    type Rec = Awaited<ReturnType<typeof readRunRecord>>;
    let before: Rec | null = null;
    let lastSeen = 'no record yet';
    const reached = await waitUntil(async () => {
      // A run that ended by itself never reaches it: say so at once, with what it printed.
      if (exited) throw new Error(`the run exited before the kill:\n${output}`);
      const rec = await readRunRecord(dir, 'k9').catch(() => null);
      if (!rec) return false;
      lastSeen = JSON.stringify({
        experiments: [...rec.experiments.values()].map((e) => `#${e.id} ${e.kind} ${e.status} ${e.description}`),
        processes: [...rec.openProcesses.values()].map((p) => p.what),
        queued: [...rec.queuedProposals.values()].map((p) => `${p.description} ${p.commit ?? 'no commit'}`),
        notices: rec.notices.map((n) => n.message),
      });
      const running = [...rec.experiments.values()].filter((e) => e.status === 'running');
      const trainers = [...rec.openProcesses.values()].filter((p) => p.what === 'run');
      const queued = [...rec.queuedProposals.values()].filter((p) => p.commit !== null);
      const one = existsSync(free) ? rec.experiments.get(Number(readFileSync(free, 'utf8'))) : undefined;
      if (running.length === 2 && trainers.length === 2 && queued.length >= 1 && one && one.status !== 'running') {
        before = rec;
        return true;
      }
      return false;
    }, 240_000);
    for (const pid of readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number)) started.push(pid);
    expect(reached, `the run's record when the wait ended: ${lastSeen}\nthe run printed:\n${output}`).toBe(true);
    const snapshot = before as unknown as Rec;
    child.kill('SIGKILL');
    await closed;
    for (const pid of readFileSync(pids, 'utf8').split('\n').filter(Boolean).map(Number)) if (!started.includes(pid)) started.push(pid);

    const finished = [...snapshot.experiments.values()].filter((e) => e.status !== 'running');
    const running = [...snapshot.experiments.values()].filter((e) => e.status === 'running').map((e) => e.id);
    const queuedIds = [...snapshot.queuedProposals.keys()];
    const freed = Number(readFileSync(free, 'utf8'));
    expect(freed).toBeGreaterThan(0);
    expect(finished.map((e) => e.id)).toEqual(expect.arrayContaining([0, freed]));
    const counted = finished.filter((e) => e.kind === 'candidate' && e.status !== 'interrupted').length;
    // The held trainers outlived the app (their own process groups).
    expect(markedProcesses(runDir).length).toBeGreaterThan(0);

    // Resume and stop at once (the limit is what already ran): the repair is all that happens.
    const resumed = await runCli(['run', dir, '--tag', 'k9', '--slots', '2', '--proposer', 'mutation', '--max-experiments', String(counted)], { env, timeoutMs: 120_000 });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/Resuming run k9/);
    expect(markedProcesses(runDir)).toEqual([]);
    for (const pid of started) expect(pidRunning(pid)).toBe(false);

    const rec = await readRunRecord(dir, 'k9');
    for (const id of running) {
      expect(rec.experiments.get(id)!.status).toBe('interrupted');
      expect(rec.experiments.get(id)!.error).toMatch(/app stopped/);
    }
    // Nothing finished was lost or changed.
    for (const e of finished) expect(rec.experiments.get(e.id)).toEqual(e);
    // The queued proposals are still queued (or recorded as dropped, with why): none vanished.
    for (const id of queuedIds) expect(rec.queuedProposals.has(id) || rec.droppedProposals.has(id)).toBe(true);
    const kept = queuedIds.filter((id) => rec.queuedProposals.has(id));
    expect(kept.length).toBeGreaterThan(0);

    // Going on, the queued proposals run first, as they were made (no new proposal for their ids).
    writeFileSync(release, '');
    const limit = counted + kept.length;
    const more = await runCli(['run', dir, '--tag', 'k9', '--slots', '2', '--proposer', 'mutation', '--max-experiments', String(limit)], { env, timeoutMs: 180_000 });
    expect(more.code, more.stderr).toBe(0);
    const after = await readRunRecord(dir, 'k9');
    expect(after.stopReason).toBe('max-experiments');
    for (const id of kept) {
      const e = after.experiments.get(id)!;
      expect(['keep', 'discard', 'rejected']).toContain(e.status);
      // As it was made — unless the best moved under it and its change conflicted, and it was made again (said so).
      const remade = after.notices.some((n) => n.id === id && /proposed again/.test(n.message));
      if (!remade) {
        expect(e.description).toBe(snapshot.queuedProposals.get(id)!.description);
        expect(e.proposedAt).toBe(snapshot.queuedProposals.get(id)!.proposedAt);
      }
    }
    expect(after.queuedProposals.size).toBe(0);
    expect(markedProcesses(runDir)).toEqual([]);
    expect(existsSync(path.join(dir, '.autoresearch', 'run.lock'))).toBe(false);
  }, 480_000);
});
