import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/core/report/html.js';
import { reportInputFromTsv } from '../../src/core/report/load-tsv.js';
import { buildReportModel, type DiffText, type ReportInput } from '../../src/core/report/model.js';
import { makeExperiment, simulateExperiments } from '../fixtures/make-run.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const REAL_TSV = readFileSync(path.join(here, '..', 'fixtures', 'autoresearch-h100-mar8-results.tsv'), 'utf8');
const NOW = () => new Date('2026-03-09T08:00:00.000Z');

/** The page's visible text, roughly: tags dropped, entities decoded. */
function textOf(html: string): string {
  return html
    .replace(/<style>[\s\S]*?<\/style>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
    .replace(/\s+/g, ' ');
}

const EVIL = '<script>alert(1)</script>';

function projectInput(overrides: Partial<ReportInput> = {}): ReportInput {
  const experiments = [
    makeExperiment({ id: 0, metric: 1.0, metrics: { peak_vram_mb: 45_056 } }),
    makeExperiment({ id: 1, status: 'keep', metric: 0.98, description: `lr up ${EVIL}`, hypothesis: 'a "bigger" step <b>helps</b>', commit: 'c1'.padEnd(40, '1') }),
    makeExperiment({ id: 2, status: 'discard', metric: 0.99, description: 'discarded & forgotten' }),
    makeExperiment({ id: 3, status: 'crash', metric: null, description: 'oom', error: 'CUDA out of memory' }),
    makeExperiment({ id: 4, status: 'keep', metric: 0.97, description: 'deeper', commit: 'c4'.padEnd(40, '4') }),
  ];
  const diffs = new Map<number, DiffText>([
    [1, { ok: true, text: `diff --git a/train.py b/train.py\n--- a/train.py\n+++ b/train.py\n@@ -1 +1 @@\n-lr = 0.1\n+lr = 0.2  # ${EVIL} https://example.com\n` }],
    [4, { ok: false, reason: 'The diff could not be read from git (bad object).' }],
  ]);
  return {
    source: { kind: 'project', projectDir: '/p/nano', projectName: 'nano', tag: 'mar8', branch: 'autoresearch/mar8', startCommit: 'a'.repeat(40), proposer: 'claude', stopReason: 'user', stopMessage: 'Stopped by you' },
    metricName: 'val_bpb',
    direction: 'min',
    experiments,
    noiseFloor: 0.002,
    memory: { key: 'peak_vram_mb', unit: 'mb' },
    diffs,
    generatedAt: NOW().toISOString(),
    appVersion: '0.1.0',
    ...overrides,
  };
}

describe('renderHtmlReport', () => {
  it('shows the real H100 run with baseline 0.997900, best 0.969686, 126 experiments, 22 kept', () => {
    const html = renderHtmlReport(buildReportModel(reportInputFromTsv(REAL_TSV, { fileName: 'autoresearch-h100-mar8-results.tsv', now: NOW })));
    const text = textOf(html);
    expect(text).toContain('Baseline 0.997900');
    expect(text).toContain('Best 0.969686');
    expect(text).toContain('Experiments 126 baseline included');
    // "Kept" never counts the baseline; both keep rates are stated with what they count.
    expect(text).toContain('Kept 22 baseline not counted');
    expect(text).toContain('Keep rate 17.6 % 22 kept of 125 tried · baseline not counted, crashes count as tried');
    expect(text).toContain('Keep rate (autoresearch notebook) 18.4 % 23 of 125 keeps + discards · baseline counted, crashes excluded');
    expect(text).toContain('Crashes 1');
    // The metric's own change (val_bpb went down by 0.028214), then the word.
    expect(text).toContain('Improvement -0.028214 (-2.83 %) better');
    expect(text).toContain('Autoresearch Progress: 126 Experiments, 22 Kept Improvements');
    // Every experiment is a table row.
    expect(html.match(/<tr class="s-/g)).toHaveLength(126);
  });

  it('is self-contained: no http(s) anywhere, no script, no external file, a CSP that forbids fetching', () => {
    for (const html of [
      renderHtmlReport(buildReportModel(reportInputFromTsv(REAL_TSV, { fileName: 'r.tsv', now: NOW }))),
      renderHtmlReport(buildReportModel(projectInput({ diffs: new Map() }))),
    ]) {
      expect(html).not.toMatch(/https?:\/\//i);
      expect(html).not.toMatch(/<script/i);
      expect(html).not.toMatch(/<link|<img|<iframe|@import|url\((?!#)/i);
      expect(html).not.toMatch(/xmlns/);
      expect(html).toContain(`<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'; base-uri 'none'">`);
      expect(html).toContain('@media (prefers-color-scheme:dark)');
      expect(html.match(/<svg /g)).toHaveLength(1);
    }
  });

  it('escapes everything that comes from the data (descriptions, hypotheses, diffs)', () => {
    const html = renderHtmlReport(buildReportModel(projectInput()));
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<b>helps');
    expect(html).toContain('lr up &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('a &quot;bigger&quot; step &lt;b&gt;helps&lt;/b&gt;');
    expect(html).toContain('discarded &amp; forgotten');
    // A URL inside a diff would break the "no http" promise; the diff is the data, so it is shown, escaped...
    // ...and it is the only place: this input contains one on purpose.
    expect(html.match(/https?:\/\//g)).toHaveLength(1);
    expect(html).toContain('# &lt;script&gt;alert(1)&lt;/script&gt; https://example.com</span>');
  });

  it('escapes a hostile status and id that got past the readers (every field, not only the free text)', () => {
    const hostileStatus = '"><form action=//evil><button>' as never;
    const input = projectInput();
    const experiments = [...input.experiments, makeExperiment({ id: 5, status: hostileStatus, metric: null }), { ...makeExperiment({ id: 6, status: 'keep', metric: 0.5 }), id: '6<img src=x>' as never }];
    const html = renderHtmlReport(buildReportModel({ ...input, experiments }));
    expect(html).not.toContain('<form');
    expect(html).not.toContain('<img');
    expect(html).toContain('&quot;&gt;&lt;form action=//evil&gt;&lt;button&gt;');
    expect(html).toContain('6&lt;img src=x&gt;');
  });

  it('shows each kept improvement with its diff, or says why the diff is missing', () => {
    const html = renderHtmlReport(buildReportModel(projectInput()));
    const text = textOf(html);
    expect(html).toContain('<span class="dd">-lr = 0.1</span>');
    expect(html).toContain('<span class="da">+lr = 0.2');
    expect(html).toContain('<span class="dk">@@ -1 +1 @@</span>');
    expect(text).toContain('The diff could not be read from git (bad object).');
    expect(text).toContain('#1 lr up <script>alert(1)</script> 0.980000 -0.020000 (-2.00 %) better');
    expect(text).toContain('#4 deeper 0.970000 -0.010000 (-1.02 %) better');
    // In the table, a worse discard reads the other way, in words too.
    expect(text).toContain('2 0000002 discard 0.990000 +0.010000 (+1.02 %) worse');
    expect(html).toContain('+0.010000 (+1.02 %) <span class="worse">worse</span>');
    // The discard's description is in the table only, not among the improvements.
    expect(html.indexOf('discarded &amp; forgotten')).toBeGreaterThan(html.indexOf('All experiments'));
  });

  it('shows spend, GPU hours, memory and the noise floor when the run recorded them', () => {
    const input = projectInput();
    const withUsage = input.experiments.map((e) =>
      e.id === 1 ? { ...e, usage: { inputTokens: 1000, outputTokens: 500, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 1.25 } } : e,
    );
    const text = textOf(renderHtmlReport(buildReportModel({ ...input, experiments: withUsage })));
    expect(text).toContain('Spend $1.25 1,500 tokens');
    // 5 experiments × 300 s of training.
    expect(text).toContain('GPU hours 0.42 training time');
    expect(text).toContain('Noise floor ±0.002000');
    expect(text).toContain('44.0'); // 45056 MB
    expect(text).toContain('CUDA out of memory');
    expect(text).toContain('stopped: Stopped by you');
  });

  it('cuts a huge diff at a line end and says how much is hidden', () => {
    const big = Array.from({ length: 5000 }, (_, i) => `+line ${i}`).join('\n') + '\n';
    const diffs = new Map<number, DiffText>([[1, { ok: true, text: big }]]);
    const model = buildReportModel({ ...projectInput(), diffs, maxDiffChars: 1000 });
    const k = model.improvements[0]!;
    expect(k.diff!.length).toBeLessThanOrEqual(1000);
    expect(k.diff!.endsWith('\n')).toBe(true);
    expect(k.diffNote).toMatch(new RegExp(`the last ${(big.length - k.diff!.length).toLocaleString('en-US')} characters are not shown`));
  });

  it('stops adding diffs once the report holds enough of them, and says where to look instead', () => {
    const diff = (n: number): DiffText => ({ ok: true, text: `+${'x'.repeat(n)}\n` });
    const diffs = new Map<number, DiffText>([
      [1, diff(600)],
      [4, diff(600)],
    ]);
    const model = buildReportModel({ ...projectInput(), diffs, maxTotalDiffChars: 1000 });
    expect(model.improvements[0]!.diff).toHaveLength(602);
    expect(model.improvements[1]!.diff).toBeNull();
    expect(model.improvements[1]!.diffNote).toMatch(/^Not shown: .* See the commit for this change\.$/);
  });

  it('stays small and labels at most 40 points for a 10,000-experiment run', () => {
    const experiments = simulateExperiments({ n: 10_000, seed: 11 });
    const model = buildReportModel({ ...projectInput(), experiments, diffs: new Map(), noiseFloor: null });
    const html = renderHtmlReport(model);
    const svg = html.slice(html.indexOf('<svg '), html.indexOf('</svg>'));
    expect(model.progress.kept.length).toBeGreaterThan(40);
    expect(svg.match(/class="pc-label"/g)!.length).toBeLessThanOrEqual(40);
    expect(svg.match(/class="pc-discard"/g)).toHaveLength(2); // the dots and the legend's sample
    expect(svg.length).toBeLessThan(400_000);
    expect(html.match(/<tr class="s-/g)).toHaveLength(10_000);
  });
});
