// The generated run used by the history e2e tests and bench/ui-history must be what the engine would
// have written: a config the schema accepts unchanged, a journal the real reader folds into the same
// counts, and real commits under the refs the Api diffs.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import { makeBigRun, type MakeBigRunResult } from '../fixtures/make-big-run.mjs';

let parent: string;
let dir: string;
let result: MakeBigRunResult;
const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8' }).trim();

beforeAll(async () => {
  parent = mkdtempSync(path.join(os.tmpdir(), 'big-run-fixture-'));
  dir = path.join(parent, 'project');
  result = await makeBigRun({ dir, n: 300, tag: 'fx', slots: 2, bigLogMb: 1, transcripts: 3, seed: 4 });
});

afterAll(() => rmSync(parent, { recursive: true, force: true }));

describe('make-big-run fixture', () => {
  it('writes a config the schema accepts as is', () => {
    const saved = JSON.parse(readFileSync(path.join(dir, '.autoresearch', 'config.json'), 'utf8'));
    expect(ProjectConfigSchema.parse(saved)).toEqual(saved);
  });

  it('writes a journal the engine folds into the same experiments and counts', async () => {
    const rec = await readRunRecord(dir, 'fx');
    expect(rec.badLines).toEqual([]);
    expect(rec.experiments.size).toBe(300);
    const counts = { total: 0, keep: 0, discard: 0, crash: 0, timeout: 0, rejected: 0, interrupted: 0, 'stopped-early': 0, running: 0 };
    for (const e of rec.experiments.values()) {
      counts.total += 1;
      counts[e.status] += 1;
    }
    // The generator writes no stopped-early experiment (a status added after it), so it has no count for one.
    expect(counts).toEqual({ 'stopped-early': 0, ...result.counts });
    expect(rec.bestId).toBe(result.bestId);
    expect(rec.best).toBe(result.best);
    expect(rec.noiseFloor).toBeGreaterThan(0);
    // Two slots: candidates alternate, and each starts from a kept experiment (or the baseline).
    const slots = new Set([...rec.experiments.values()].map((e) => e.slot));
    expect(slots).toEqual(new Set([0, 1]));
    for (const e of rec.experiments.values()) {
      if (e.baseId === null) continue;
      const base = rec.experiments.get(e.baseId)!;
      expect(base.status === 'keep').toBe(true);
    }
  });

  it('makes real commits: each candidate on its base, the run branch at the best', async () => {
    const rec = await readRunRecord(dir, 'fx');
    const candidate = [...rec.experiments.values()].find((e) => e.id > 2 && e.commit !== null && e.baseId !== 0)!;
    expect(git('rev-parse', `refs/autoresearch/fx/${candidate.id}`)).toBe(candidate.commit);
    expect(git('rev-parse', `${candidate.commit}^`)).toBe(candidate.parentCommit);
    expect(git('diff', '--name-only', candidate.parentCommit, candidate.commit!)).toBe('train.py');
    expect(git('rev-parse', 'autoresearch/fx')).toBe(rec.bestCommit);
    const rejected = [...rec.experiments.values()].filter((e) => e.status === 'rejected');
    for (const e of rejected) expect(e.commit).toBeNull();
  });

  it('writes logs (one large, with \\r progress lines), transcripts and results.tsv', () => {
    const big = readFileSync(result.bigLogPath!, 'utf8');
    expect(big.length).toBeGreaterThan(1024 * 1024 - 1);
    expect(big).toContain('\r');
    expect(big.trimEnd().split('\n').pop()).toMatch(/^val_bpb:\s+\d\.\d{6}$/);
    for (const id of result.transcriptIds) {
      const t = JSON.parse(readFileSync(path.join(result.runDir, 'agent', `${id}.json`), 'utf8'));
      expect(t.proposer).toBe('claude');
      expect(t.turns.length).toBeGreaterThan(0);
    }
    const tsv = readFileSync(path.join(result.runDir, 'results.tsv'), 'utf8').trimEnd().split('\n');
    expect(tsv[0]).toBe('commit\tval_bpb\tmemory_gb\tstatus\tdescription');
    expect(tsv).toHaveLength(301);
  });

  it('adds a second run to the same project, and refuses a tag that exists', async () => {
    const second = await makeBigRun({ dir, n: 20, tag: 'fx2', seed: 2 });
    expect(second.startCommit).toBe(result.startCommit);
    expect((await readRunRecord(dir, 'fx2')).experiments.size).toBe(20);
    await expect(makeBigRun({ dir, n: 5, tag: 'fx' })).rejects.toThrow(/already has a run "fx"/);
  });
});
