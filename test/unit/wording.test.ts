import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildReportModel } from '../../src/core/report/model.js';
import { renderHtmlReport } from '../../src/core/report/html.js';
import { renderMarkdownReport } from '../../src/core/report/markdown.js';
import { reportInputFromTsv } from '../../src/core/report/load-tsv.js';
import { formatExperimentLine, formatRunSummary } from '../../src/cli/format.js';
import { summarizeRun } from '../../src/shared/progress.js';
import {
  experimentChange,
  formatChange,
  formatKeepRate,
  formatKeepRows,
  formatMetric,
  formatNotebookKeepRate,
  formatSignedPercent,
  GLOSSARY,
  metricChange,
  runImprovement,
} from '../../src/shared/wording.js';
import type { RunSummary } from '../../src/shared/api.js';
import { makeExperiment } from '../fixtures/make-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = (name: string) => readFileSync(path.join(here, '..', 'fixtures', name), 'utf8');
// The example from karpathy/autoresearch's program.md: baseline keep, one keep, one discard, one crash.
const EXAMPLE_TSV = fixture('autoresearch-example-results.tsv');
const NOW = () => new Date('2026-03-09T08:00:00.000Z');

describe('a change', () => {
  it('is the metric\'s own change, signed as it moved, with the word for the direction', () => {
    // val_bpb, lower is better: going down is better and reads with a minus.
    expect(formatChange(metricChange(0.98, 1, 'min'))).toBe('-0.020000 (-2.00 %) better');
    expect(formatChange(metricChange(1.01, 1, 'min'))).toBe('+0.010000 (+1.00 %) worse');
    // accuracy, higher is better: the sign still says how the metric moved; only the word changes.
    expect(formatChange(metricChange(0.91, 0.9, 'max'))).toBe('+0.010000 (+1.11 %) better');
    expect(formatChange(metricChange(0.85, 0.9, 'max'))).toBe('-0.050000 (-5.56 %) worse');
    expect(formatChange(metricChange(1, 1, 'min'))).toBe('0.000000 (0.00 %) no change');
  });

  it('shows more digits rather than a percentage that reads as zero, and no percentage against 0', () => {
    expect(formatSignedPercent(0.0091)).toBe('+0.01 %');
    expect(formatSignedPercent(-0.0032)).toBe('-0.0032 %');
    expect(formatChange(metricChange(0.5, 0, 'max'))).toBe('+0.500000 better');
  });

  it('is absent for the baseline, a crash, or a record without a best to compare with', () => {
    expect(experimentChange(makeExperiment({ id: 0, metric: 1 }), 'min')).toBeNull();
    expect(experimentChange(makeExperiment({ id: 3, status: 'crash', metric: null, bestBefore: 1 }), 'min')).toBeNull();
    expect(experimentChange(makeExperiment({ id: 2, metric: 0.9, bestBefore: null }), 'min')).toBeNull();
    expect(formatChange(experimentChange(makeExperiment({ id: 2, metric: 0.9, bestBefore: null }), 'min', 1))).toBe('-0.100000 (-10.00 %) better');
    expect(formatChange(null)).toBe('—');
  });

  it('uses ASCII signs, so a copied number pastes as a number', () => {
    expect(formatChange(metricChange(0.5, 1, 'min'))).not.toMatch(/\u2212/);
    expect(formatMetric(-0.25)).toBe('-0.250000');
  });
});

describe('the run in the CLI', () => {
  const summary: RunSummary = {
    tag: 'mar8',
    branch: 'autoresearch/mar8',
    startedAt: '2026-03-08T21:00:00.000Z',
    lastEventAt: '2026-03-08T22:00:00.000Z',
    state: 'stopped',
    stopReason: null,
    stopMessage: null,
    proposer: 'mutation',
    metricName: 'val_bpb',
    direction: 'min',
    baseline: 1.004752,
    best: 0.977681,
    bestRuns: 1,
    bestId: 5,
    bestCommit: null,
    noiseFloor: null,
    counts: { total: 10, keep: 4, discard: 5, crash: 1, timeout: 0, rejected: 0, interrupted: 0, 'stopped-early': 0, running: 0 },
    keptImprovements: 3,
    costUsd: 0,
    inputTokens: 0,
    outputTokens: 0,
    trainingMs: 0,
    elapsedMs: 0,
  };

  it('states the improvement as the metric moved and counts kept without the baseline', () => {
    const text = formatRunSummary(summary);
    expect(text).toContain('baseline 1.004752 → best 0.977681 at #5, improvement -0.027071 (-2.69 %) better');
    expect(text).toContain('10 experiments (baseline included): 3 kept, 5 discard, 1 crash');
    expect(text).toBe(text.replace(/4 keep/, ''));
  });

  it('prints each experiment with the same change text as everywhere else', () => {
    const worse = makeExperiment({ id: 7, status: 'discard', metric: 2.261096, bestBefore: 1.583752, description: 'try a bigger lr' });
    const better = makeExperiment({ id: 8, status: 'keep', metric: 2.11, bestBefore: 2.659899, description: 'halve batch' });
    expect(formatExperimentLine(worse, 'min')).toContain(' +0.677344 (+42.77 %) worse ');
    expect(formatExperimentLine(better, 'min')).toContain(' -0.549899 (-20.67 %) better ');
    expect(formatChange(runImprovement(1.004752, 0.977681, 'min'))).toBe('-0.027071 (-2.69 %) better');
  });
});

describe("karpathy/autoresearch's example results.tsv", () => {
  const model = buildReportModel(reportInputFromTsv(EXAMPLE_TSV, { fileName: 'results.tsv', now: NOW }));
  const f = model.figures;

  it('has the notebook keep rate 2/3 (baseline counted, crash left out) beside ours 1/3', () => {
    expect(f.keepRows).toBe(2);
    expect(f.discards).toBe(1);
    expect(f.notebookKeepRate).toBeCloseTo(2 / 3, 12);
    expect(f.keptImprovements).toBe(1);
    expect(f.finishedCandidates).toBe(3);
    expect(f.keepRate).toBeCloseTo(1 / 3, 12);
    expect(formatNotebookKeepRate(f)).toBe('66.7 % (2 of 3 keeps + discards)');
    expect(formatKeepRate(f)).toBe('33.3 % (1 kept of 3 tried)');
    expect(formatKeepRows(f.keepRows, f.keptImprovements)).toBe('2 keep rows (the baseline + 1 kept)');
  });

  it('shows the notebook keep rate, labelled as such, in both reports', () => {
    const html = renderHtmlReport(model);
    expect(html).toContain('<div class="label">Keep rate (autoresearch notebook)</div><div class="value">66.7 %</div><div class="sub">2 of 3 keeps + discards · baseline counted, crashes excluded</div>');
    expect(html).toContain('<div class="label">Keep rate</div><div class="value">33.3 %</div><div class="sub">1 kept of 3 tried · baseline not counted, crashes count as tried</div>');
    const md = renderMarkdownReport(model);
    expect(md).toContain('| Keep rate (autoresearch notebook) | 66.7 % (2 of 3 keeps + discards); baseline counted, crashes excluded |');
    expect(md).toContain('| Keep rate | 33.3 % (1 kept of 3 tried); baseline not counted, crashes count as tried |');
    expect(md).toContain('| Improvement | -0.004700 (-0.47 %) better |');
    expect(md).toContain('| 2 | `c3d4e5f` | discard | 1.005000 | +0.011800 (+1.19 %) worse |');
  });

  it('counts the same on any run: the notebook counts every keep row, ours the kept candidates', () => {
    const run = [
      makeExperiment({ id: 0, metric: 1 }),
      makeExperiment({ id: 1, status: 'timeout', metric: null }),
      makeExperiment({ id: 2, status: 'discard', metric: 1.1, bestBefore: 1 }),
    ];
    const s = summarizeRun(run, 'min');
    expect([s.keptImprovements, s.keepRate, s.notebookKeepRate]).toEqual([0, 0, 0.5]);
  });
});

describe('the glossary', () => {
  it('is in docs/glossary.md word for word, so the app\'s tooltips and the docs say the same', () => {
    const page = readFileSync(path.join(here, '..', '..', 'docs', 'glossary.md'), 'utf8').replace(/\s+/g, ' ');
    for (const sentence of Object.values(GLOSSARY)) expect(page).toContain(sentence);
  });
});
