import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { resultsHeader, resultsRow, resultsRows, writeResults } from '../../src/core/journal/results-tsv.js';
import { readResultsTsv } from '../../src/core/report/read-results-tsv.js';
import { MetricSchema } from '../../src/shared/config.js';
import type { Experiment } from '../../src/shared/experiment.js';

const REAL = readFileSync(path.join(__dirname, '..', 'fixtures', 'autoresearch-h100-mar8-results.tsv'), 'utf8').trimEnd().split('\n');
const metric = MetricSchema.parse({ name: 'val_bpb', direction: 'min', memoryMb: 'peak_vram_mb' });

const base: Experiment = {
  id: 3, kind: 'candidate', slot: 0, baseId: 0, parentCommit: 'aaaaaaaaaaaaaaaaaaaa', commit: 'bea057b1234567890abc',
  description: 'halve batch 524K to 262K (more steps in 5 min)', hypothesis: '', status: 'keep', metric: 0.986041,
  metrics: { val_bpb: 0.986041, peak_vram_mb: 44953.6 }, runs: [], guard: null, bestBefore: 0.9979, startedAt: '', finishedAt: '',
  timings: { proposalMs: null, trainingMs: null, totalMs: null }, usage: null, logPath: null, transcriptPath: null, error: null, changedFiles: [],
};

/** The shape of a row of karpathy/autoresearch's results.tsv, read off the real file. */
const ROW_SHAPE = /^[0-9a-z]{7,8}\t\d+\.\d{6}\t\d+\.\d\t(keep|discard|crash)\t[^\t]+$/;

describe('results.tsv matches autoresearch', () => {
  it('has the same header as the real H100 file', () => {
    expect(resultsHeader(metric)).toBe(`${REAL[0]}\n`);
  });

  it('writes rows of the real file’s shape: 7-char commit, 6 decimals, memory GB to 1 decimal', () => {
    // Every real row but the baseline (whose commit column says "baseline") fits the shape.
    expect(REAL.slice(2).every((row) => ROW_SHAPE.test(row))).toBe(true);
    const row = resultsRow(base, metric);
    expect(row).toMatch(ROW_SHAPE);
    expect(row).toBe('bea057b\t0.986041\t43.9\tkeep\thalve batch 524K to 262K (more steps in 5 min)\n');
    expect(REAL).toContain(row.trimEnd());
  });

  it('writes a crash as 0.000000 and 0.0, and keeps a description on one line', () => {
    const crash = resultsRow({ ...base, status: 'crash', metric: null, metrics: {}, description: 'bad\tidea\nsecond line' }, metric);
    expect(crash).toBe('bea057b\t0.000000\t0.0\tcrash\tbad idea second line\n');
    expect(crash.split('\t')).toHaveLength(5);
  });

  it('shows no commit for an experiment stopped before its proposal was committed, not its parent’s again', () => {
    const baseline = resultsRow({ ...base, id: 0, kind: 'baseline', commit: 'aaaaaaaaaaaaaaaaaaaa', description: 'baseline' }, metric);
    const interrupted = resultsRow({ ...base, id: 1, commit: null, status: 'interrupted', metric: null, metrics: {}, description: '' }, metric);
    expect(baseline.split('\t')[0]).toBe('aaaaaaa');
    expect(interrupted).toBe('-------\t0.000000\t0.0\tinterrupted\t-\n');
    // The report reads such a row back as an experiment without a commit.
    expect(readResultsTsv(resultsHeader(metric) + baseline + interrupted).experiments[1]!.commit).toBeNull();
  });

  it('kept rows: replacing one (a best measured again) gives the file a full rewrite gives, rows by id', async () => {
    const exps: Experiment[] = [5, 1, 3].map((id, i) => ({ ...base, id, metric: 1 + i / 10, description: `change ${id}` }));
    const rows = resultsRows([...exps, { ...base, id: 9, status: 'running' }], metric);
    const remeasured = { ...exps[1]!, metric: 0.5 };
    rows.set(remeasured);
    rows.set({ ...base, id: 2, metric: 2, description: 'ended later' });
    const dir = mkdtempSync(path.join(tmpdir(), 'ar-rows-'));
    try {
      const file = path.join(dir, 'results.tsv');
      await writeResults(file, [exps[0]!, remeasured, exps[2]!, { ...base, id: 2, metric: 2, description: 'ended later' }], metric);
      expect(rows.text()).toBe(readFileSync(file, 'utf8'));
      expect(rows.text().split('\n').slice(1, -1).map((l) => l.split('\t')[4])).toEqual(['change 1', 'ended later', 'change 3', 'change 5']);
      expect(rows.text()).toContain('0.500000');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
