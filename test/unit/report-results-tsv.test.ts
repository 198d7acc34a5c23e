import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { summarizeRun } from '../../src/shared/progress.js';
import { directionWarning, guessDirection } from '../../src/core/report/direction.js';
import { reportInputFromTsv } from '../../src/core/report/load-tsv.js';
import { readResultsTsv, ResultsTsvError } from '../../src/core/report/read-results-tsv.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// A copy of ../shared/data/autoresearch-h100-mar8-results.tsv, a real 126-experiment run on one H100.
const REAL_TSV = readFileSync(path.join(here, '..', 'fixtures', 'autoresearch-h100-mar8-results.tsv'), 'utf8');

const HEADER = 'commit\tval_bpb\tmemory_gb\tstatus\tdescription';

const SHARED_TSV = path.join(here, '..', '..', '..', 'shared', 'data', 'autoresearch-h100-mar8-results.tsv');

describe('readResultsTsv on the real H100 run', () => {
  it.skipIf(!existsSync(SHARED_TSV))('uses an exact copy of ../shared/data/autoresearch-h100-mar8-results.tsv', () => {
    expect(REAL_TSV).toBe(readFileSync(SHARED_TSV, 'utf8'));
  });

  const tsv = readResultsTsv(REAL_TSV);
  const figures = summarizeRun(tsv.experiments, 'min');
  // Counted straight from the text, independently of the parser.
  const dataLines = REAL_TSV.split('\n').slice(1).filter((l) => l.trim() !== '');
  const statusCount = (s: string) => dataLines.filter((l) => l.split('\t')[3] === s).length;

  it('reads every row, with the metric name from the header', () => {
    expect(tsv.metricName).toBe('val_bpb');
    expect(tsv.experiments).toHaveLength(dataLines.length);
    expect(tsv.experiments).toHaveLength(126);
    expect(tsv.warnings).toEqual([]);
  });

  it('shows baseline 0.997900, best 0.969686, 126 experiments, 23 keep rows (the baseline + 22 kept)', () => {
    expect(figures.baseline).toBe(0.9979);
    expect(figures.best).toBe(0.969686);
    expect(figures.experiments).toBe(126);
    expect(figures.keepRows).toBe(23);
    expect(figures.keepRows).toBe(statusCount('keep'));
    expect(figures.keptImprovements).toBe(22);
    expect(figures.counts.discard).toBe(statusCount('discard'));
    expect(figures.counts.crash).toBe(1);
    expect(figures.finishedCandidates).toBe(125);
    expect(figures.keepRate).toBeCloseTo(22 / 125, 12);
    expect(figures.improvementPct).toBeCloseTo(((0.9979 - 0.969686) / 0.9979) * 100, 9);
    // results.tsv records neither training time nor spend: unknown, not zero.
    expect(figures.gpuHours).toBeNull();
    expect(figures.spendUsd).toBeNull();
  });

  it('makes the first row the baseline and gives a crash no metric (not 0.000000)', () => {
    const [first] = tsv.experiments;
    expect(first).toMatchObject({ id: 0, kind: 'baseline', commit: 'baseline', status: 'keep', metric: 0.9979 });
    const crash = tsv.experiments.find((e) => e.status === 'crash')!;
    expect(crash.metric).toBeNull();
    expect(crash.metrics).toEqual({});
    expect(crash.commit).toBe('e05a87d');
    expect(tsv.experiments[2]!.metrics).toEqual({ val_bpb: 0.981773, memory_gb: 60.2 });
  });

  it('records each candidate against the commit of the last keep before it', () => {
    expect(tsv.experiments[3]!.parentCommit).toBe('7f2a65c');
    expect(tsv.experiments[4]!.parentCommit).toBe('7f2a65c');
    expect(tsv.experiments[5]!.parentCommit).toBe('4e6697f');
  });
});

describe('readResultsTsv tolerates what real files contain', () => {
  it('reads CRLF line ends, blank lines, a byte-order mark and trailing spaces', () => {
    const text = `\uFEFF${HEADER}\r\n\r\nabc1234\t1.000000\t44.0\tkeep \tbaseline\r\n\r\ndef5678\t0.990000\t44.0\tdiscard\ttry it\r\n`;
    const tsv = readResultsTsv(text);
    expect(tsv.experiments.map((e) => [e.status, e.metric, e.description])).toEqual([
      ['keep', 1, 'baseline'],
      ['discard', 0.99, 'try it'],
    ]);
  });

  it('takes the metric name from the header, keeps extra columns as metrics, and allows any column order', () => {
    const text = ['status\tcommit\taccuracy\tdescription\tmfu_percent', 'keep\taaaaaaa\t0.81\tbaseline\t39.8', 'discard\tbbbbbbb\t0.80\tnarrower\tn/a'].join('\n');
    const tsv = readResultsTsv(text);
    expect(tsv.metricName).toBe('accuracy');
    expect(tsv.experiments[0]!.metrics).toEqual({ accuracy: 0.81, mfu_percent: 39.8 });
    expect(tsv.experiments[1]!.metrics).toEqual({ accuracy: 0.8 });
  });

  it('keeps a tab inside the last column as part of the description', () => {
    const tsv = readResultsTsv(`${HEADER}\na\t1.0\t1.0\tkeep\tbaseline\nb\t0.9\t1.0\tkeep\tlr 0.1\tthen 0.2`);
    expect(tsv.experiments[1]!.description).toBe('lr 0.1 then 0.2');
  });

  it('accepts the other statuses the app writes (timeout, rejected, interrupted) without a metric', () => {
    const tsv = readResultsTsv(`${HEADER}\na\t1.0\t1.0\tkeep\tbaseline\nb\t0.000000\t0.0\ttimeout\tslow\nc\t0.000000\t0.0\trejected\ttouched prepare.py`);
    expect(tsv.experiments.map((e) => [e.status, e.metric])).toEqual([
      ['keep', 1],
      ['timeout', null],
      ['rejected', null],
    ]);
  });

  it('shows a discard with an unreadable number without a metric, and says so', () => {
    const tsv = readResultsTsv(`${HEADER}\na\t1.0\t1.0\tkeep\tbaseline\nb\tnan\t1.0\tdiscard\tdiverged`);
    expect(tsv.experiments[1]!.metric).toBeNull();
    expect(tsv.warnings.join(' ')).toMatch(/Line 3: a discard without a number in val_bpb \("nan"\)/);
  });
});

describe('readResultsTsv explains what is wrong with a bad file', () => {
  const bad = (text: string) => {
    try {
      readResultsTsv(text);
    } catch (err) {
      expect(err).toBeInstanceOf(ResultsTsvError);
      return (err as Error).message;
    }
    throw new Error('expected readResultsTsv to throw');
  };

  it('an empty file', () => {
    expect(bad('\n\n')).toMatch(/empty.*header such as: commit<TAB>val_bpb/);
  });
  it('a header without rows', () => {
    expect(bad(`${HEADER}\n`)).toMatch(/no experiments.*baseline/);
  });
  it('commas instead of tabs', () => {
    expect(bad('commit,val_bpb,memory_gb,status,description\na,1,1,keep,baseline')).toMatch(/one column.*tabs/);
  });
  it('no status column', () => {
    expect(bad('commit\tval_bpb\tdescription\na\t1\tbaseline')).toMatch(/no "status" column \(it has: commit, val_bpb, description\)/);
  });
  it('no metric column', () => {
    expect(bad('commit\tstatus\tdescription\na\tkeep\tbaseline')).toMatch(/no metric column/);
  });
  it('an unknown status, with its line number', () => {
    expect(bad(`${HEADER}\na\t1.0\t1.0\tkeep\tbaseline\nb\t0.9\t1.0\tmaybe\twhat`)).toMatch(/Line 3: the status "maybe" is not one of keep, discard, crash/);
  });
  it('a missing status', () => {
    expect(bad(`${HEADER}\na\t1.0\t1.0`)).toMatch(/Line 2 has no status/);
  });
  it('a keep without a number', () => {
    expect(bad(`${HEADER}\na\tabc\t1.0\tkeep\tbaseline`)).toMatch(/Line 2: a keep needs a number in the val_bpb column, found "abc"/);
  });
});

describe('metric direction for an imported results.tsv', () => {
  it('guesses "lower is better" only for names that say so', () => {
    for (const name of ['val_bpb', 'loss', 'val_loss', 'valLoss', 'test_error', 'wer', 'time_s', 'latency_ms', 'runtime', 'perplexity', 'ns']) {
      expect([name, guessDirection(name)]).toEqual([name, 'min']);
    }
    for (const name of ['accuracy', 'f1', 'throughput', 'score', 'tokens_per_second', 'status_ok']) {
      expect([name, guessDirection(name)]).toEqual([name, null]);
    }
  });

  it('asks for --metric-direction when the name does not tell', () => {
    const text = 'commit\taccuracy\tmemory_gb\tstatus\tdescription\na\t0.8\t1\tkeep\tbaseline\nb\t0.9\t1\tkeep\tbetter';
    expect(() => reportInputFromTsv(text, { fileName: 'r.tsv' })).toThrow(/Pass --metric-direction min .* or --metric-direction max/);
    expect(reportInputFromTsv(text, { fileName: 'r.tsv', direction: 'max' }).direction).toBe('max');
  });

  it('warns when the kept values move against the direction given', () => {
    const tsv = readResultsTsv(REAL_TSV);
    expect(directionWarning(tsv.experiments, 'min', 'val_bpb')).toBeNull();
    expect(directionWarning(tsv.experiments, 'max', 'val_bpb')).toMatch(/22 of 22 kept changes moved val_bpb the other way.*--metric-direction min/);
    const input = reportInputFromTsv(REAL_TSV, { fileName: 'x.tsv', direction: 'max' });
    expect((input.warnings ?? []).join(' ')).toMatch(/--metric-direction min/);
  });
});
