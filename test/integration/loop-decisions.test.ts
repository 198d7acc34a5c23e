import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Proposer } from '../../src/core/agent/proposer.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { LoopDeps, RunOutcome } from '../../src/core/loop/types.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { runPaths } from '../../src/core/project/paths.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

/** The SCORED_TRAINER's metric for a learning rate (HIDDEN stays 32). */
const score = (lr: number) => 1 + Math.abs(Math.log2(lr / 0.08)) * 0.1 + 8 * 0.001;

const deps = (proposer: Proposer): LoopDeps => ({
  env: process.env,
  nodePath: process.execPath,
  appVersion: 'test',
  createProposer: async () => proposer,
  sleep: async () => undefined,
});

async function runToEnd(dir: string, proposer: Proposer, maxExperiments: number, tag = 'test'): Promise<RunOutcome> {
  const handle = await startRun({ projectDir: dir, tag, maxExperiments, deps: deps(proposer) });
  return handle.done;
}

describe('the loop decides keep, discard, crash, timeout and rejected', () => {
  it('keeps a better change, discards a worse one, and moves the branch only on keep', async () => {
    // The sequential loop (no proposal made ahead): the second proposal must see the first one's result.
    const { dir } = scoredProject({ agent: { queueDepth: 0 } });
    const headBefore = git(dir, 'rev-parse', 'HEAD').trim();
    const trainBefore = readFileSync(path.join(dir, 'train.mjs'), 'utf8');
    const proposer = scriptedProposer([setConst('LEARNING_RATE', '0.02'), setConst('LEARNING_RATE', '0.001')]);
    const outcome = await runToEnd(dir, proposer, 2);
    expect(outcome.reason).toBe('max-experiments');

    const rec = await readRunRecord(dir, 'test');
    const [baseline, keep, discard] = [0, 1, 2].map((id) => rec.experiments.get(id)!) as [Experiment, Experiment, Experiment];
    expect(baseline.status).toBe('keep');
    expect(baseline.metric).toBeCloseTo(score(0.01), 6);
    expect(keep.status).toBe('keep');
    expect(keep.metric).toBeCloseTo(score(0.02), 6);
    expect(keep.bestBefore).toBeCloseTo(score(0.01), 6);
    expect(discard.status).toBe('discard');
    expect(discard.metric).toBeCloseTo(score(0.001), 6);
    expect(discard.parentCommit).toBe(keep.commit);

    // The branch points at the best commit; every candidate stays reachable.
    expect(git(dir, 'rev-parse', 'autoresearch/test').trim()).toBe(keep.commit);
    expect(git(dir, 'rev-parse', 'refs/autoresearch/test/2').trim()).toBe(discard.commit);
    expect(git(dir, 'show', `${discard.commit}:train.mjs`)).toContain('const LEARNING_RATE = 0.001;');

    // The user's checkout is untouched.
    expect(git(dir, 'rev-parse', 'HEAD').trim()).toBe(headBefore);
    expect(git(dir, 'rev-parse', '--abbrev-ref', 'HEAD').trim()).toBe('main');
    expect(readFileSync(path.join(dir, 'train.mjs'), 'utf8')).toBe(trainBefore);
    expect(git(dir, 'status', '--porcelain')).toBe('');

    // results.tsv mirrors the journal in autoresearch's format.
    const tsv = readFileSync(runPaths(dir, 'test').results, 'utf8').trimEnd().split('\n');
    expect(tsv[0]).toBe('commit\tval_bpb\tmemory_gb\tstatus\tdescription');
    expect(tsv.slice(1).map((l) => l.split('\t')[3])).toEqual(['keep', 'keep', 'discard']);
    expect(tsv[2]).toBe(`${keep.commit!.slice(0, 7)}\t${score(0.02).toFixed(6)}\t2.0\tkeep\tLEARNING_RATE → 0.02`);

    // The proposer saw the history and the best diff.
    expect(proposer.contexts[1]!.history.map((e) => e.id)).toEqual([0, 1]);
    expect(proposer.contexts[1]!.bestDiff).toContain('+const LEARNING_RATE = 0.02;');
  });

  it('records a crash with the tail of the output, and a NaN metric as a crash', async () => {
    // The sequential loop: the proposal after the crash is made after it, so it sees the crash's log tail.
    const { dir } = scoredProject({ agent: { queueDepth: 0 } });
    const proposer = scriptedProposer([
      setConst('MODE', '1'),
      async (ctx) => {
        const text = await ctx.workspace.readFile('train.mjs');
        await ctx.workspace.writeFile('train.mjs', text.replace("console.log('val_bpb:          ' + loss.toFixed(6));", "console.log('val_bpb:          nan');"));
        return { description: 'diverge' };
      },
    ]);
    await runToEnd(dir, proposer, 2);
    const rec = await readRunRecord(dir, 'test');
    const crash = rec.experiments.get(1)!;
    expect(crash.status).toBe('crash');
    expect(crash.metric).toBeNull();
    expect(crash.error).toContain('exited with code 1');
    expect(crash.error).toContain('Traceback: boom');
    expect(rec.experiments.get(2)!.status).toBe('crash');
    expect(rec.experiments.get(2)!.error).toMatch(/NaN/);
    // The next proposal after a crash sees the crash's log tail.
    expect(proposer.contexts[1]!.lastCrashLogTail).toContain('Traceback: boom');
    // A crash writes 0.000000 in results.tsv, for autoresearch compatibility.
    const rows = readFileSync(runPaths(dir, 'test').results, 'utf8').trimEnd().split('\n');
    expect(rows[2]!.split('\t').slice(1, 4)).toEqual(['0.000000', '0.0', 'crash']);
  });

  it('kills a hung experiment at the timeout and records it as timeout', async () => {
    const { dir } = scoredProject({ budget: { seconds: 1, timeoutSeconds: 2, graceSeconds: 1 } });
    // MODE 2 never ends by itself: that the run ends at all, with a timeout status, is the timeout at work.
    const proposer = scriptedProposer([setConst('MODE', '2')]);
    await runToEnd(dir, proposer, 1);
    const rec = await readRunRecord(dir, 'test');
    const e = rec.experiments.get(1)!;
    expect(e.status).toBe('timeout');
    expect(e.error).toContain('2 s timeout');
    // Nothing of it is left running.
    expect([...rec.openProcesses.values()]).toEqual([]);
  });

  it('rejects an empty proposal, an edit outside the editable files and an edit of a protected file', async () => {
    const { dir } = scoredProject({}, { 'notes.txt': 'hello\n' });
    const proposer = scriptedProposer([
      async () => ({ description: 'nothing' }),
      // An external agent (command proposer) edits files directly; the harness still checks the diff.
      async (ctx) => {
        writeFileSync(path.join(ctx.workspace.root, 'notes.txt'), 'changed\n');
        return { description: 'edit notes' };
      },
      async (ctx) => {
        writeFileSync(path.join(ctx.workspace.root, 'prepare.mjs'), 'export const EVAL = 0; // forged\n');
        await ctx.workspace.writeFile('train.mjs', (await ctx.workspace.readFile('train.mjs')).replace('0.01', '0.04'));
        return { description: 'forge the evaluator' };
      },
      setConst('LEARNING_RATE', '0.04'),
    ]);
    await runToEnd(dir, proposer, 4);
    const rec = await readRunRecord(dir, 'test');
    expect(rec.experiments.get(1)!.status).toBe('rejected');
    expect(rec.experiments.get(1)!.error).toMatch(/empty diff/);
    expect(rec.experiments.get(2)!.status).toBe('rejected');
    expect(rec.experiments.get(2)!.error).toContain('notes.txt');
    expect(rec.experiments.get(3)!.status).toBe('rejected');
    expect(rec.experiments.get(3)!.error).toContain('protected');
    // After the rejections the worktree is clean again: the next legal edit runs and is kept.
    expect(rec.experiments.get(4)!.status).toBe('keep');
    expect(git(dir, 'show', 'autoresearch/test:prepare.mjs')).toContain('EVAL = 1');
  });

  it('rejects an experiment that rewrites a protected file while it runs, and restores the file', async () => {
    const { dir } = scoredProject();
    const proposer = scriptedProposer([
      async (ctx) => {
        const text = await ctx.workspace.readFile('train.mjs');
        await ctx.workspace.writeFile(
          'train.mjs',
          text.replace('const MODE = 0;', "const MODE = 0;\nimport { writeFileSync } from 'node:fs';\nwriteFileSync('prepare.mjs', 'export const EVAL = 0;\\n');").replace('0.01', '0.08'),
        );
        return { description: 'rewrite the evaluator at run time' };
      },
      setConst('LEARNING_RATE', '0.02'),
    ]);
    await runToEnd(dir, proposer, 2);
    const rec = await readRunRecord(dir, 'test');
    const hacked = rec.experiments.get(1)!;
    expect(hacked.status).toBe('rejected');
    expect(hacked.error).toMatch(/changed protected files while it ran: prepare\.mjs/);
    expect(rec.bestId).toBe(2);
    // The file is back for the next experiment: its own worktree has the original evaluator.
    const wt = path.join(dir, '.autoresearch', 'worktrees', 'slot-0', 'prepare.mjs');
    expect(readFileSync(wt, 'utf8')).toContain('EVAL = 1');
  });

  it('rejects a baseline that rewrites a protected file, naming the file, and measures nothing against it', async () => {
    const tamperingTrainer = `import { writeFileSync } from 'node:fs';
writeFileSync('prepare.mjs', 'export const EVAL = 0;\\n');
console.log('val_bpb: 0.5');
`;
    const { dir } = scoredProject({}, { 'train.mjs': tamperingTrainer });
    const proposer = scriptedProposer([setConst('LEARNING_RATE', '0.02')]);
    const outcome = await runToEnd(dir, proposer, 1);
    expect(outcome.reason).toBe('error');
    expect(outcome.message).toMatch(/baseline was rejected: its run changed protected files: prepare\.mjs/);
    const rec = await readRunRecord(dir, 'test');
    const baseline = rec.experiments.get(0)!;
    expect(baseline.status).toBe('rejected');
    expect(baseline.error).toMatch(/prepare\.mjs/);
    expect(rec.bestId).toBeNull();
    expect(rec.experiments.has(1)).toBe(false);
    expect(proposer.contexts).toHaveLength(0);
    // Restored in the worktree, and the user's checkout never changed.
    expect(readFileSync(path.join(dir, '.autoresearch', 'worktrees', 'slot-0', 'prepare.mjs'), 'utf8')).toContain('EVAL = 1');
    expect(readFileSync(path.join(dir, 'prepare.mjs'), 'utf8')).toContain('EVAL = 1');
  });

  it('refuses a dirty tree and names the files; refuses an existing branch of another run', async () => {
    const { dir } = scoredProject();
    writeFileSync(path.join(dir, 'train.mjs'), '// changed\n');
    await expect(startRun({ projectDir: dir, tag: 't1', deps: deps(scriptedProposer([])) })).rejects.toThrow(/uncommitted changes to tracked files: train\.mjs/);
    git(dir, 'checkout', '--', 'train.mjs');
    git(dir, 'branch', 'autoresearch/t2');
    await expect(startRun({ projectDir: dir, tag: 't2', deps: deps(scriptedProposer([])) })).rejects.toThrow(/branch autoresearch\/t2 already exists/);
    expect(existsSync(runPaths(dir, 't1').journal)).toBe(false);
  });

  it('stops on the circuit breaker after N failures in a row', async () => {
    const { dir } = scoredProject({ stop: { maxConsecutiveFailures: 3 } });
    const proposer = scriptedProposer([], async () => ({ description: 'nothing again' }));
    const outcome = await runToEnd(dir, proposer, 50);
    expect(outcome.reason).toBe('failures');
    const rec = await readRunRecord(dir, 'test');
    expect([...rec.experiments.values()].filter((e) => e.status === 'rejected')).toHaveLength(3);
  });

  it('runs slots in parallel, each in its own worktree with its own environment, and keeps the branch at the best', async () => {
    const trainer = `const LEARNING_RATE = 0.01;
await new Promise((r) => setTimeout(r, 300));
console.log('gpu: ' + process.env.CUDA_VISIBLE_DEVICES);
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;
    const { dir } = scoredProject(
      { slots: [{ env: { CUDA_VISIBLE_DEVICES: '0' } }, { env: { CUDA_VISIBLE_DEVICES: '1' } }], metric: { name: 'val_bpb', direction: 'min', secondary: ['gpu'] } },
      { 'train.mjs': trainer },
    );
    // Distinct values: with two slots the proposals are pipelined, and one made again after a conflict with a
    // kept change must still change something.
    const lrs = ['0.02', '0.005', '0.04', '0.03', '0.06', '0.001', '0.07', '0.05', '0.015', '0.025', '0.035', '0.045'];
    let i = 0;
    const proposer = scriptedProposer([], async (ctx) => setConst('LEARNING_RATE', lrs[i++ % lrs.length]!)(ctx));
    const outcome = await runToEnd(dir, proposer, 6);
    expect(outcome.reason).toBe('max-experiments');
    const rec = await readRunRecord(dir, 'test');
    const candidates = [...rec.experiments.values()].filter((e) => e.kind === 'candidate');
    expect(candidates).toHaveLength(6);
    expect(new Set(candidates.map((e) => e.slot))).toEqual(new Set([0, 1]));
    // Each slot's process saw its own CUDA_VISIBLE_DEVICES.
    for (const e of candidates) expect(e.metrics.gpu).toBe(e.slot);
    expect(existsSync(path.join(dir, '.autoresearch', 'worktrees', 'slot-1', 'train.mjs'))).toBe(true);
    // Lineage: every candidate names the experiment it was based on, and that one was a keep at the time.
    for (const e of candidates) expect(rec.experiments.get(e.baseId!)?.status).toBe('keep');
    // The best is the best kept metric, and the branch points at its commit.
    const kept = [...rec.experiments.values()].filter((e) => e.status === 'keep');
    expect(rec.best).toBe(Math.min(...kept.map((e) => e.metric!)));
    expect(git(dir, 'rev-parse', 'autoresearch/test').trim()).toBe(rec.bestCommit);
    // No keep is worse than the best it was finally judged against.
    for (const e of kept.filter((k) => k.kind === 'candidate')) expect(e.metric!).toBeLessThan(e.bestBefore!);
  });
});

