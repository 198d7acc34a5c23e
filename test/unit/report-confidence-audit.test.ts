// Confidence and audits in both reports, and the audit's paired interval.
import { describe, expect, it } from 'vitest';
import { pairedInterval } from '../../src/core/loop/audit-run.js';
import { renderHtmlReport } from '../../src/core/report/html.js';
import { renderMarkdownReport } from '../../src/core/report/markdown.js';
import { buildReportModel, type ReportInput } from '../../src/core/report/model.js';
import type { KeepConfidence } from '../../src/shared/experiment.js';
import type { AuditEvent } from '../../src/shared/journal.js';
import { makeExperiment } from '../fixtures/make-run.js';

const confidence = (z: number, label: KeepConfidence['label']): KeepConfidence => ({ rule: 'classic', gain: 0.01, noiseSd: 0.01, noiseDof: 4, standardError: 0.01 / z, z, bound: null, runs: 1, bestRuns: 1, label });

const audit: AuditEvent = {
  type: 'audit',
  at: '2026-11-30T09:00:00.000Z',
  bestId: 2,
  baselineCommit: 'a'.repeat(40),
  bestCommit: 'c'.repeat(40),
  repeats: 3,
  baseline: [1.0, 1.01, 0.99],
  best: [0.97, 0.975, 0.965],
  failedPairs: 0,
  improvement: 0.03,
  ciLow: 0.018,
  ciHigh: 0.042,
  recordedImprovement: 0.04,
  confirmed: true,
};

function input(withAudit: boolean): ReportInput {
  return {
    source: { kind: 'project', projectDir: '/p/nano', projectName: 'nano', tag: 'mar8', branch: 'autoresearch/mar8', startCommit: 'a'.repeat(40), proposer: 'mutation', stopReason: null, stopMessage: null },
    metricName: 'val_bpb',
    direction: 'min',
    experiments: [
      makeExperiment({ id: 0, metric: 1.0 }),
      makeExperiment({ id: 1, status: 'keep', metric: 0.995, bestBefore: 1.0, description: 'lucky seed', commit: 'b'.repeat(40), confidence: confidence(0.4, 'within-noise') }),
      makeExperiment({ id: 2, status: 'keep', metric: 0.96, bestBefore: 0.995, description: 'wider model', commit: 'c'.repeat(40), confidence: confidence(3.5, 'clear') }),
    ],
    noiseFloor: 0.01,
    generatedAt: '2026-11-30T10:00:00.000Z',
    ...(withAudit ? { audit } : {}),
  };
}

describe('confidence and the audit in the reports', () => {
  it('marks a keep within the noise and states the best keep confidence, in HTML and Markdown', () => {
    const model = buildReportModel(input(false));
    expect(model.figures.keptWithinNoise).toBe(1);
    expect(model.figures.bestConfidence?.label).toBe('clear');
    expect(model.progress.kept.filter((k) => k.withinNoise).map((k) => k.x)).toEqual([1]);
    const html = renderHtmlReport(model);
    expect(html).toContain('0.4 SE: within the noise');
    expect(html).toContain('≈ noise');
    expect(html).toContain('3.5 SE above the noise (clear)');
    expect(html).toContain('pc-kept-noise');
    expect(html).toContain('Kept within noise (1)');
    expect(html).not.toContain('Audit of the result');
    const md = renderMarkdownReport(model);
    expect(md).toContain('**0.4 SE: within the noise**');
    expect(md).toMatch(/Best's confidence \| 3\.5 SE above the noise \(clear\); 1 keep within the noise/);
  });

  it('shows the audit with its interval and what the run had recorded', () => {
    const model = buildReportModel(input(true));
    const html = renderHtmlReport(model);
    expect(html).toContain('<h2>Audit of the result</h2>');
    // The same signed change as every other change (the best's mean 0.97 against the baseline's 1.0), and
    // the interval of the gain in the metric's own signed units.
    expect(html).toContain('-0.030000 (-3.00 %) better, 95 % interval -0.042000 to -0.018000: confirmed: the whole interval is better');
    expect(html).toContain('For comparison, the run recorded -0.040000 better');
    const md = renderMarkdownReport(model);
    expect(md).toContain('## Audit of the result');
    expect(md).toMatch(/ccccccc.*against the baseline.*aaaaaaa.*3 pairs of runs interleaved/);
    expect(md).toContain('95 % interval -0.042000 to -0.018000');
  });

  it('computes the paired interval with Student-t', () => {
    // Gains 0.03, 0.035, 0.025 (lower is better): mean 0.03, sd 0.005, t(0.975, 2) = 4.3027.
    const r = pairedInterval(audit.baseline, audit.best, 'min');
    expect(r.improvement).toBeCloseTo(0.03, 12);
    expect(r.ciHigh - r.improvement).toBeCloseTo((4.3027 * 0.005) / Math.sqrt(3), 4);
    const max = pairedInterval([1, 2], [2, 4], 'max');
    expect(max.improvement).toBe(1.5);
  });
});
