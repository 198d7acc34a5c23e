// The ablation's edges, through the engine (real git, real trainer processes in the sandbox): a project whose seed
// cannot be varied runs plain repeats and says its intervals hold no noise; the run lock keeps it off a live run;
// finalize --min-contribution refuses an ablation of an older best and one that is not valid.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AblationError, ablateRun } from '../../src/core/finalize/ablate.js';
import { finalizeRun } from '../../src/core/finalize/finalize-run.js';
import { RunLockedError } from '../../src/core/project/run-lock.js';
import { ablationFile } from '../../src/core/report/ablation-file.js';
import { makeAblationRun } from '../helpers/ablation-run.js';
import { cleanupTempDirs } from '../helpers/project.js';

afterEach(cleanupTempDirs);

describe('ablateRun', () => {
  it('runs plain repeats when the seed cannot be varied, and says the intervals hold no noise', async () => {
    const { dir } = await makeAblationRun('p', { seed: false });
    const seen: number[] = [];
    const a = await ablateRun({ projectDir: dir, tag: 'p', repeats: 2, env: process.env, nodePath: process.execPath, onProgress: (p) => seen.push(p.done) });
    expect(a.seeds).toBeNull();
    // Progress from 0 to every run: 4 versions (the best and three that apply) × 2.
    expect(seen[0]).toBe(0);
    expect(seen[seen.length - 1]).toBe(8);
    // Identical reruns: the trainer's default seed every time, the same value twice.
    const logs = path.join(dir, '.autoresearch', 'runs', 'p', 'logs');
    expect(readFileSync(path.join(logs, 'ablation.2.without-2.log'), 'utf8')).toMatch(/seed:\s+42/);
    expect(a.best[0]).toBe(a.best[1]);
    const measured = a.rows.filter((r) => r.contribution !== null);
    expect(measured.map((r) => r.id)).toEqual([2, 3, 4]);
    for (const r of measured) {
      expect(r.ciHigh! - r.ciLow!).toBeLessThan(1e-9);
      expect(r.reason).toContain('the seed cannot be varied and the reruns agree exactly');
    }
  }, 120_000);

  it('refuses while the run lock is held, and repeats out of range', async () => {
    const { dir } = await makeAblationRun('l');
    await expect(ablateRun({ projectDir: dir, tag: 'l', repeats: 1, env: process.env, nodePath: process.execPath })).rejects.toThrow(AblationError);
    // Another live process (this test's parent) holds the project's run lock, as a live run would.
    const lock = path.join(dir, '.autoresearch', 'run.lock');
    writeFileSync(lock, JSON.stringify({ pid: process.ppid, host: hostname(), tag: 'other', startedAt: new Date().toISOString() }) + '\n');
    await expect(ablateRun({ projectDir: dir, tag: 'l', repeats: 2, env: process.env, nodePath: process.execPath })).rejects.toThrow(RunLockedError);
    expect(existsSync(ablationFile(dir, 'l'))).toBe(false);
  }, 60_000);
});

describe('finalize --min-contribution', () => {
  it('refuses an ablation of an older best and a damaged ablation.json, saying what to run', async () => {
    const { dir } = await makeAblationRun('s');
    await ablateRun({ projectDir: dir, tag: 's', repeats: 2, env: process.env, nodePath: process.execPath });
    const file = ablationFile(dir, 's');
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { bestId: number };
    writeFileSync(file, JSON.stringify({ ...saved, bestId: 3 }));
    await expect(finalizeRun({ projectDir: dir, tag: 's', minContribution: 0.01 })).rejects.toThrow('The ablation of run s is of an older best (#3; the best is now #4): run `autoresearch ablate --tag s` again first.');
    writeFileSync(file, '{"version": 1');
    await expect(finalizeRun({ projectDir: dir, tag: 's', minContribution: 0.01 })).rejects.toThrow(`${file} is not a valid ablation; delete it and run \`autoresearch ablate --tag s\` again.`);
    // A threshold no measured keep reaches: they are all left out; #1, which the ablation could not measure, stays.
    writeFileSync(file, JSON.stringify(saved));
    const fin = await finalizeRun({ projectDir: dir, tag: 's', minContribution: 5 });
    expect(fin.commits.map((c) => c.id)).toEqual([1]);
    expect(fin.leftOut.map((l) => l.id)).toEqual([2, 3, 4]);
    expect(fin.leftOut[2]!.reason).toMatch(/^#4 contributes \+0\.\d+ val_bpb in the ablation, below --min-contribution 5: left out\.$/);
  }, 60_000);
});
