// One number for the best: when the noise rule measures the best again, the fold, the shared figures
// (progress.ts's currentBest), the CLI and the reports state the same current estimate and say what it is a
// mean of, and the value its decision saw stays on the record.
import { describe, expect, it } from 'vitest';
import { formatBestRemeasured, formatRunSummary } from '../../src/cli/format.js';
import { foldEvents, summarize } from '../../src/core/journal/fold.js';
import { buildReportModel } from '../../src/core/report/model.js';
import { renderMarkdownReport } from '../../src/core/report/markdown.js';
import type { Experiment, ExperimentRunResult } from '../../src/shared/experiment.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import { currentBest, summarizeRun } from '../../src/shared/progress.js';
import { formatEstimate } from '../../src/shared/wording.js';
import { makeExperiment } from '../fixtures/make-run.js';

const run = (metric: number, i: number): ExperimentRunResult => ({ metric, metrics: { val_bpb: metric }, exitCode: 0, signal: null, timedOut: false, durationMs: 1000, logPath: `logs/x.${i}.log` });
const mean = (xs: readonly number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
const at = (s: number) => new Date(Date.parse('2026-03-08T21:00:00.000Z') + s * 1000).toISOString();

describe('formatEstimate', () => {
  it('says a mean of several runs is one, and leaves a single run alone', () => {
    expect(formatEstimate(1.5031866, 3)).toBe('1.503187 (mean of 3)');
    expect(formatEstimate(1.5031866, 1)).toBe('1.503187');
    expect(formatEstimate(1.5, 0)).toBe('1.500000');
    expect(formatEstimate(null, 3)).toBe('—');
  });
});

describe('a best measured again', () => {
  // The baseline measured 3 times, a candidate kept against it, then measured again twice beside later candidates.
  const baseRuns = [1.55, 1.56, 1.551];
  const keptRuns = [1.4, 1.41];
  const again = [1.47, 1.48];
  const baseline = makeExperiment({ id: 0, status: 'keep', metric: mean(baseRuns), runs: baseRuns.map(run), finishedAt: at(10) });
  const kept = makeExperiment({ id: 1, status: 'keep', metric: mean(keptRuns), runs: keptRuns.map(run), bestBefore: baseline.metric, finishedAt: at(20) });
  const events: JournalEvent[] = [
    { type: 'experiment-end', at: at(10), experiment: baseline },
    { type: 'best', at: at(10), id: 0, commit: baseline.commit!, metric: baseline.metric! },
    { type: 'experiment-end', at: at(20), experiment: kept },
    { type: 'best', at: at(20), id: 1, commit: kept.commit!, metric: kept.metric! },
    ...again.map((v, i): JournalEvent => ({ type: 'best-remeasured', at: at(30 + i), id: 1, run: run(v, 2 + i) })),
  ];
  const rec = foldEvents(events);
  const estimate = mean([...keptRuns, ...again]);

  it('folds into the mean of every run, keeps the decided value, and counts the runs', () => {
    const e = rec.experiments.get(1)!;
    expect(e.metric).toBeCloseTo(estimate, 12);
    expect(e.measuredAtDecision).toEqual({ metric: mean(keptRuns), runs: 2 });
    expect(rec.best).toBe(e.metric);
    expect(rec.bestRuns).toBe(4);
    const s = summarize(rec);
    expect([s.best, s.bestRuns, s.bestId]).toEqual([e.metric, 4, 1]);
    // The baseline was never measured again: nothing to keep beside its value.
    expect(rec.experiments.get(0)!.measuredAtDecision).toBeUndefined();
  });

  it('stays the best in the shared figures though its mean moved past nothing better', () => {
    const list = [...rec.experiments.values()];
    const f = summarizeRun(list, 'min');
    expect([f.bestId, f.best, f.bestRuns]).toEqual([1, rec.best, 4]);
    expect(summarizeRun(list, 'min', { bestId: 1 }).best).toBe(rec.best);
  });

  it('is still the best when its new mean is worse than an earlier keep: the harness compares with it', () => {
    const slipped = makeExperiment({ ...kept, metric: 1.6, runs: [...keptRuns, 1.8, 1.79].map(run) });
    expect(currentBest([baseline, slipped], 'min')!.id).toBe(1);
    expect(summarizeRun([baseline, slipped], 'min').best).toBe(1.6);
    // Without decisions on record (an imported results.tsv) only the values can tell: the better one.
    const imported = [makeExperiment({ id: 0, metric: 1.5 }), makeExperiment({ id: 1, status: 'keep', metric: 1.6, finishedAt: null })];
    expect(currentBest(imported, 'min')!.id).toBe(0);
  });

  it('reads the same in the CLI summary, the CLI line and the Markdown report', () => {
    const s = summarize(rec);
    const text = formatEstimate(rec.best, 4);
    expect(text).toMatch(/^1\.4\d{5} \(mean of 4\)$/);
    expect(formatRunSummary(s)).toContain(`best ${text} at #1`);
    expect(formatBestRemeasured(1, 1.48, rec.best, 4, true)).toBe(`       best #1 measured again: 1.480000; best now ${text}`);
    expect(formatBestRemeasured(1, 1.48, rec.best, 4, false)).toContain(`; #1 now ${text}`);
    const model = buildReportModel({
      source: { kind: 'tsv', fileName: 'x.tsv' },
      metricName: 'val_bpb',
      direction: 'min',
      experiments: [...rec.experiments.values()] as Experiment[],
      bestId: rec.bestId,
      generatedAt: at(0),
    });
    expect(renderMarkdownReport(model)).toContain(`| Best | ${text} (\\#1) |`);
  });
});
