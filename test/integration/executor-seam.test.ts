// The loop reaches processes and workspaces only through its Executor: a recording executor around the local
// one sees every workspace prepared, every command started (with its environment and budget) and every kill.
import { afterEach, describe, expect, it } from 'vitest';
import type { Executor, ExecutorJob } from '../../src/core/exec/executor.js';
import { createLocalExecutor } from '../../src/core/exec/local-executor.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { runPaths } from '../../src/core/project/paths.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

function recordingExecutor(projectDir: string, linked: readonly string[], hold?: { gate: Promise<void> }) {
  const local = createLocalExecutor({ projectDir, linked, env: process.env });
  const workspaces: { slot: number; commit: string }[] = [];
  const jobs: ExecutorJob[] = [];
  const aborted: boolean[] = [];
  const executor: Executor = {
    kind: 'recording',
    prepareWorkspace: (slot, commit) => {
      workspaces.push({ slot, commit });
      return local.prepareWorkspace(slot, commit);
    },
    async run(job) {
      jobs.push(job);
      if (hold) await hold.gate;
      const result = await local.run(job);
      aborted.push(result.aborted);
      return result;
    },
    reattach: (refs, runDir) => local.reattach(refs, runDir),
  };
  return { executor, workspaces, jobs, aborted };
}

describe('the executor seam', () => {
  it('prepares workspaces and runs every command through the executor it is given', async () => {
    const { dir } = scoredProject();
    const start = git(dir, 'rev-parse', 'HEAD').trim();
    const rec = recordingExecutor(dir, []);
    const proposer = scriptedProposer([setConst('LEARNING_RATE', '0.02'), setConst('LEARNING_RATE', '0.001')]);
    const handle = await startRun({
      projectDir: dir,
      tag: 't',
      maxExperiments: 2,
      deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined, executor: () => rec.executor },
    });
    expect((await handle.done).reason).toBe('max-experiments');
    const run = await readRunRecord(dir, 't');
    expect(rec.workspaces).toEqual([{ slot: 0, commit: start }]);
    // Baseline (its repeats) and both candidates ran through it, with the experiment's environment and budget.
    const ran = run.experiments.size;
    expect(ran).toBe(3);
    const runs = [...run.experiments.values()].reduce((n, e) => n + e.runs.length, 0);
    expect(rec.jobs.length).toBe(runs);
    for (const job of rec.jobs) {
      expect(job.env.AUTORESEARCH_TIME_BUDGET).toBe('5');
      expect(job.timeoutMs).toBe(20_000);
      expect(job.logFile.startsWith(runPaths(dir, 't').dir)).toBe(true);
      expect(job.cwd).toContain('slot-0');
    }
  });

  it('a stop kills the job through the executor, and the experiment is recorded as interrupted', async () => {
    const { dir } = scoredProject({}, {});
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const rec = recordingExecutor(dir, [], { gate });
    const proposer = scriptedProposer([setConst('MODE', '2')]);
    const handle = await startRun({
      projectDir: dir,
      tag: 't',
      maxExperiments: 1,
      deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer, sleep: async () => undefined, executor: () => rec.executor },
    });
    // The baseline waits at the gate; let it through, then the candidate (MODE 2 never exits) starts.
    open();
    for (;;) {
      const r = await readRunRecord(dir, 't').catch(() => null);
      if (r && [...r.openProcesses.values()].some((p) => p.id === 1)) break;
      await new Promise((res) => setTimeout(res, 25));
    }
    await handle.stop();
    const run = await readRunRecord(dir, 't');
    expect(run.experiments.get(1)?.status).toBe('interrupted');
    expect(rec.aborted.at(-1)).toBe(true);
    expect(run.openProcesses.size).toBe(0);
  });
});
