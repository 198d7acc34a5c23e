import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { escapeMarkdownInline, markdownFence } from '../../src/core/report/escape.js';
import { reportInputFromTsv } from '../../src/core/report/load-tsv.js';
import { renderMarkdownReport, sparkline } from '../../src/core/report/markdown.js';
import { buildReportModel, type DiffText, type ReportInput } from '../../src/core/report/model.js';
import { makeExperiment } from '../fixtures/make-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REAL_TSV = readFileSync(path.join(here, '..', 'fixtures', 'autoresearch-h100-mar8-results.tsv'), 'utf8');
const NOW = () => new Date('2026-03-09T08:00:00.000Z');

function runInput(diffs: ReadonlyMap<number, DiffText>): ReportInput {
  return {
    source: { kind: 'project', projectDir: '/p/nano', projectName: 'nano', tag: 'mar8', branch: 'autoresearch/mar8', startCommit: 'a'.repeat(40), proposer: 'mutation', stopReason: null, stopMessage: null },
    metricName: 'val_bpb',
    direction: 'min',
    experiments: [
      makeExperiment({ id: 0, metric: 1.0 }),
      makeExperiment({ id: 1, status: 'keep', metric: 0.98, description: 'pipe | and <b>bold</b> *stars*', commit: 'b'.repeat(40) }),
      makeExperiment({ id: 2, status: 'discard', metric: 0.99, description: 'worse' }),
      makeExperiment({ id: 3, status: 'keep', metric: 0.97, description: 'fenced', hypothesis: 'line one\nline two', commit: 'c'.repeat(40) }),
    ],
    diffs,
    generatedAt: NOW().toISOString(),
  };
}

describe('renderMarkdownReport', () => {
  it('summarises the real H100 run in a table with the same figures as the HTML', () => {
    const text = renderMarkdownReport(buildReportModel(reportInputFromTsv(REAL_TSV, { fileName: 'autoresearch-h100-mar8-results.tsv', now: NOW })));
    expect(text).toContain('| Baseline | 0.997900 (\\#0) |');
    expect(text).toContain('| Best | 0.969686 (\\#118) |');
    expect(text).toContain('| Experiments | 126 (baseline included) |');
    expect(text).toContain('| Improvement | -0.028214 (-2.83 %) better |');
    expect(text).toContain('| Kept | 22 (baseline not counted) |');
    expect(text).toContain('| Keep rate | 17.6 % (22 kept of 125 tried); baseline not counted, crashes count as tried |');
    expect(text).toContain('| Keep rate (autoresearch notebook) | 18.4 % (23 of 125 keeps + discards); baseline counted, crashes excluded |');
    expect(text).toContain('| Crashes | 1 |');
    expect(text).toContain('| GPU hours | — (not in results.tsv) |');
    expect(text).toContain('**Autoresearch Progress: 126 Experiments, 22 Kept Improvements**');
    expect(text).toContain('## Kept improvements (22)');
    expect(text).toContain('| 118 | warmdown 0.7 to 0.75 | 0.969686 | -0.000266 (-0.03 %) better | `438a26e` |');
    expect(text).toContain('| 88 | `d70987b` | discard | 3.215849 | +2.243721 (+230.81 %) worse | 60.2 | weight tying (shared embed/unembed, broken) |');
    expect(text).toContain('## All experiments (126)');
    // One table row per experiment, after the table's header and separator.
    const table = text.slice(text.indexOf('## All experiments'));
    expect(table.split('\n').filter((l) => /^\| \d+ \|/.test(l))).toHaveLength(126);
    expect(text).not.toMatch(/https?:\/\//);
  });

  it('puts each kept diff in a diff fence, longer than any backticks inside it', () => {
    const diffs = new Map<number, DiffText>([
      [1, { ok: true, text: '--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-lr = 0.1\n+lr = 0.2\n' }],
      [3, { ok: true, text: '--- a/README.md\n+++ b/README.md\n@@ -1 +1,3 @@\n+```python\n+x = 1\n+```\n' }],
    ]);
    const text = renderMarkdownReport(buildReportModel(runInput(diffs)));
    expect(text).toContain('```diff\n--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-lr = 0.1\n+lr = 0.2\n```\n');
    expect(text).toContain('````diff\n--- a/README.md\n+++ b/README.md\n@@ -1 +1,3 @@\n+```python\n+x = 1\n+```\n````\n');
    expect(text).toContain('> line one line two');
  });

  it('escapes descriptions so they cannot inject HTML or break a table', () => {
    const text = renderMarkdownReport(buildReportModel(runInput(new Map())));
    expect(text).not.toContain('<b>');
    expect(text).toContain('### #1 pipe \\| and &lt;b&gt;bold&lt;/b&gt; \\*stars\\*');
    const row = text.split('\n').find((l) => l.startsWith('| 1 |'))!;
    // The escaped pipe does not add a column: the row has as many cells as the header.
    expect(row.split(/(?<!\\)\|/).length - 2).toBe(text.split('\n').find((l) => l.startsWith('| # |'))!.split('|').length - 2);
  });

  it('says when a diff could not be read', () => {
    const text = renderMarkdownReport(buildReportModel(runInput(new Map([[1, { ok: false, reason: 'The commit is gone.' }]]))));
    expect(text).toContain('_The commit is gone._');
  });
});

describe('markdown helpers', () => {
  it('draws a sparkline with tall bars for better values in either direction', () => {
    expect(sparkline([1, 0.5, 0], 3, 0, 1, 'min')).toBe('▁▅█');
    expect(sparkline([1, 0.5, 0], 3, 0, 1, 'max')).toBe('█▅▁');
    expect(sparkline([null, 1], 2, 0, 1, 'max')).toBe(' █');
    // Buckets take their best value.
    expect(sparkline([1, 0, 1, 1], 2, 0, 1, 'min')).toBe('█▁');
  });

  it('escapes inline markdown and picks a safe fence', () => {
    expect(escapeMarkdownInline('a|b\nc <i>')).toBe('a\\|b c &lt;i&gt;');
    expect(markdownFence('no ticks')).toBe('```');
    expect(markdownFence('has ````` five')).toBe('``````');
  });
});
