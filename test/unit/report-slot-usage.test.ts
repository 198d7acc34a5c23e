// The reports' slot usage section: per slot its trainer time and where its idle time went (the agent, conflicts,
// the harness), in the Markdown and the HTML report alike; none for a results.tsv, which has no slot times.
import { describe, expect, it } from 'vitest';
import { renderHtmlReport } from '../../src/core/report/html.js';
import { renderMarkdownReport } from '../../src/core/report/markdown.js';
import { buildReportModel, type ReportInput } from '../../src/core/report/model.js';
import type { SlotUsageFigures } from '../../src/shared/slot-usage.js';
import { makeExperiment } from '../fixtures/make-run.js';

const MIN = 60_000;
const figures = (slot: number, gpus: number, busyMs: number, agentMs: number, conflictMs: number, confirmMs: number): SlotUsageFigures => {
  const wallMs = 60 * MIN;
  const idleMs = wallMs - busyMs;
  return { slot, gpus, busyMs, gpuHours: (busyMs * gpus) / (60 * MIN), idleMs, agentMs, conflictMs, harnessMs: idleMs - agentMs - conflictMs, confirmMs, wallMs, idleFraction: idleMs / wallMs };
};

const input = (usage: ReportInput['usage']): ReportInput => ({
  source: { kind: 'tsv', fileName: 'results.tsv' },
  metricName: 'val_bpb',
  direction: 'min',
  experiments: [makeExperiment({ id: 0 }), makeExperiment({ id: 1 })],
  generatedAt: '2026-03-08T21:00:00.000Z',
  usage,
});

describe('the slot usage section of the reports', () => {
  it('shows each slot\'s trainer time, GPU-hours and idle split as shares of its session', () => {
    const model = buildReportModel(input([figures(0, 1, 54 * MIN, 3 * MIN, 2 * MIN, 6 * MIN), figures(1, 0, 30 * MIN, 24 * MIN, 0, 0)]));
    const md = renderMarkdownReport(model);
    expect(md).toContain('## Slot usage');
    expect(md).toContain('| slot | session | trainer | GPU-hours | confirming | waiting for the agent | waiting on conflicts | harness |');
    expect(md).toContain('| 0 | 1:00:00 | 0:54:00 (90 %) | 0.90 | 0:06:00 | 0:03:00 (5 %) | 0:02:00 (3 %) | 0:01:00 (2 %) |');
    expect(md).toContain('| 1 | 1:00:00 | 0:30:00 (50 %) | — | 0:00:00 | 0:24:00 (40 %) | 0:00:00 (0 %) | 0:06:00 (10 %) |');
    const html = renderHtmlReport(model);
    expect(html).toContain('<section id="slot-usage"><h2>Slot usage</h2>');
    expect(html).toContain('<td class="num">0:02:00 (3 %)</td>');
  });

  it('has no section when the slot times are unknown', () => {
    const model = buildReportModel(input(null));
    expect(renderMarkdownReport(model)).not.toContain('Slot usage');
    expect(renderHtmlReport(model)).not.toContain('slot-usage');
  });
});
