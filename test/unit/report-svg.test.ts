import { describe, expect, it } from 'vitest';
import { buildProgress, progressTitle, summarizeRun, type Direction } from '../../src/shared/progress.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { niceTicks, renderProgressSvg, type ChartInput } from '../../src/core/report/progress-svg.js';
import { makeExperiment, simulateExperiments } from '../fixtures/make-run.js';

function chart(experiments: readonly Experiment[], direction: Direction = 'min', noiseFloor: number | null = null): ChartInput {
  const figures = summarizeRun(experiments, direction);
  return { chartTitle: progressTitle(figures), metricName: 'val_bpb', direction, progress: buildProgress(experiments, direction, { noiseFloor }), figures };
}

/** Labels' text and their rotation, in document order. */
function labels(svg: string): { text: string; angle: number }[] {
  return [...svg.matchAll(/<text class="pc-label"[^>]*rotate\((-?\d+) [^>]*>([^<]*)<\/text>/g)].map((m) => ({ angle: Number(m[1]), text: m[2]! }));
}

const small = [
  makeExperiment({ id: 0, metric: 1.0 }),
  makeExperiment({ id: 1, status: 'keep', metric: 0.98, description: 'halve batch' }),
  makeExperiment({ id: 2, status: 'discard', metric: 0.99 }),
  makeExperiment({ id: 3, status: 'discard', metric: 0.995 }),
  makeExperiment({ id: 4, status: 'crash', metric: null }),
  makeExperiment({ id: 5, status: 'timeout', metric: null }),
  makeExperiment({ id: 6, status: 'keep', metric: 0.95, description: 'deeper & wider <net>' }),
  makeExperiment({ id: 7, status: 'discard', metric: 3.2, description: 'diverged' }),
];

describe('renderProgressSvg', () => {
  it('has the reference title, axis names and no namespace or external reference', () => {
    const svg = renderProgressSvg(chart(small));
    expect(svg.startsWith('<svg class="pc" viewBox="0 0 1200 600"')).toBe(true);
    expect(svg).toContain('<title>Autoresearch Progress: 8 Experiments, 2 Kept Improvements</title>');
    expect(svg).toContain('>Experiment #</text>');
    expect(svg).toContain('>val_bpb (lower is better)</text>');
    expect(svg).not.toMatch(/xmlns|https?:|href/);
  });

  it('draws discards as one path of dots, kept points as circles, failures as crosses on the bottom edge', () => {
    const svg = renderProgressSvg(chart(small));
    const discards = svg.match(/<path class="pc-discard" d="([^"]*)"/)![1]!;
    // Two discards in range; the diverged one is drawn as an arrow on the top edge instead.
    expect(discards.match(/h0/g)).toHaveLength(2);
    expect(svg.match(/<circle class="pc-kept" [^>]*><title>/g)).toHaveLength(3);
    const crosses = svg.match(/<path class="pc-fail" d="([^"]*)"/)![1]!;
    expect(crosses.match(/M/g)).toHaveLength(2);
    expect(svg).toContain('<title>1 measured point beyond the scale</title>');
    expect(svg).toContain('Failed: 1 crash, 1 timeout');
    expect(svg).toContain('Beyond the scale (1)');
  });

  it('puts the failure marks on the bottom edge at their experiment numbers', () => {
    const svg = renderProgressSvg(chart(small), { width: 1000, height: 500 });
    const ys = [...svg.match(/<path class="pc-fail" d="([^"]*)"/)![1]!.matchAll(/M([\d.]+) ([\d.]+)/g)].map((m) => [Number(m[1]), Number(m[2])]);
    const kept = [...svg.matchAll(/<circle class="pc-kept" cx="([\d.]+)"/g)].map((m) => Number(m[1]));
    // Experiment 4 and 5 lie between the keeps at 1 and 6.
    for (const [x, y] of ys) {
      expect(x! + 3.5).toBeGreaterThan(kept[1]!);
      expect(x! + 3.5).toBeLessThan(kept[2]!);
      expect(y).toBeGreaterThan(500 - 52 - 15);
    }
  });

  it('draws the running best as a step line through the keeps', () => {
    const svg = renderProgressSvg(chart(small));
    const d = svg.match(/<path class="pc-best" d="([^"]*)"/)![1]!;
    // Start at the baseline, one H+V per improvement, then H to the last experiment.
    expect(d).toMatch(/^M[\d.]+ [\d.]+H[\d.]+V[\d.]+H[\d.]+V[\d.]+H[\d.]+V[\d.]+$/);
    const circles = [...svg.matchAll(/<circle class="pc-kept" cx="([\d.]+)" cy="([\d.]+)"/g)].map((m) => [Number(m[1]), Number(m[2])]);
    // Lower is better and drawn lower: each keep sits below the previous one (SVG y grows downwards).
    expect(circles[1]![1]).toBeGreaterThan(circles[0]![1]!);
    expect(circles[2]![1]).toBeGreaterThan(circles[1]![1]!);
  });

  it('labels kept points with their escaped description, upwards when lower is better and downwards otherwise', () => {
    const min = labels(renderProgressSvg(chart(small)));
    // Placed most deserving first: the baseline, the final best, then the largest gains.
    expect(min.map((l) => l.text)).toEqual(['baseline', 'deeper &amp; wider &lt;net&gt;', 'halve batch']);
    expect(min.every((l) => l.angle === -30)).toBe(true);
    const up = [makeExperiment({ id: 0, metric: 0.5 }), makeExperiment({ id: 1, status: 'keep', metric: 0.6, description: 'more data' })];
    const max = labels(renderProgressSvg(chart(up, 'max')));
    expect(max.map((l) => [l.text, l.angle])).toEqual([
      ['baseline', 30],
      ['more data', 30],
    ]);
  });

  it('draws the noise band only when the noise floor is known', () => {
    expect(renderProgressSvg(chart(small))).not.toContain('<rect class="pc-band" x=');
    const svg = renderProgressSvg(chart(small, 'min', 0.01));
    expect(svg).toContain('<rect class="pc-band" x=');
    expect(svg).toContain('Noise floor (±0.010000)');
  });

  it('keeps labels apart, drops the ones that cannot be placed, and stays small for 10,000 experiments', () => {
    const exps = simulateExperiments({ n: 10_000, seed: 5, crashRate: 0.05 });
    const svg = renderProgressSvg(chart(exps), { maxLabels: 40 });
    const placed = labels(svg);
    expect(placed.length).toBeGreaterThan(10);
    expect(placed.length).toBeLessThanOrEqual(40);
    expect(svg.length).toBeLessThan(400_000);
    expect(svg.match(/<path class="pc-discard"/g)).toHaveLength(2);
    // Hundreds of keeps become one path of dots instead of a circle (and a tooltip) each.
    const kept = chart(exps).progress.kept.length;
    expect(kept).toBeGreaterThan(400);
    expect(svg.match(/<path class="pc-kept-dots" d="([^"]*)"/)![1]!.match(/h0/g)).toHaveLength(kept);
    expect(svg.match(/<circle class="pc-kept" cx=/g)).toHaveLength(1); // the legend's sample
  });

  it('renders an empty run and a run of failures without throwing and without NaN', () => {
    for (const exps of [[], [makeExperiment({ id: 0, status: 'crash', metric: null })], [makeExperiment({ id: 0, metric: 1 })]]) {
      const svg = renderProgressSvg(chart(exps));
      expect(svg).not.toMatch(/NaN|Infinity|undefined/);
      expect(svg.endsWith('</svg>')).toBe(true);
    }
  });
});

describe('niceTicks', () => {
  it('chooses round steps with matching decimals', () => {
    expect(niceTicks(0.9676, 0.999, 7)).toEqual({ ticks: [0.97, 0.975, 0.98, 0.985, 0.99, 0.995], decimals: 3 });
    expect(niceTicks(0, 125, 10, true).ticks).toEqual([0, 20, 40, 60, 80, 100, 120]);
    expect(niceTicks(0, 3, 10, true).ticks).toEqual([0, 1, 2, 3]);
    expect(niceTicks(1, 1, 5)).toEqual({ ticks: [1], decimals: 0 });
  });
});
