import { describe, expect, it } from 'vitest';
import { buildProgress } from '../../src/shared/progress.js';
import { chartYDomain, hitTest, layoutChart, lowerBound, visibleRange, zoomDomain } from '../../src/renderer/chart/geometry.js';
import { keptByImportance, placeLabels, truncate } from '../../src/renderer/chart/labels.js';
import { integerTicks, linearScale, niceTicks, tickFormatter } from '../../src/renderer/chart/scale.js';
import { makeExperiment, simulateExperiments } from '../fixtures/make-run.js';

const run = [
  makeExperiment({ id: 0, status: 'keep', metric: 1.0 }),
  makeExperiment({ id: 1, status: 'keep', metric: 0.98, description: 'halve batch' }),
  makeExperiment({ id: 2, status: 'discard', metric: 0.99 }),
  makeExperiment({ id: 3, status: 'crash', metric: null }),
  makeExperiment({ id: 4, status: 'keep', metric: 0.95, description: 'deeper' }),
  makeExperiment({ id: 5, status: 'timeout', metric: null }),
  makeExperiment({ id: 6, status: 'discard', metric: 3.2, description: 'diverged' }),
];

describe('scales and ticks', () => {
  it('maps a domain onto a range and back', () => {
    const s = linearScale([0, 10], [100, 200]);
    expect(s(5)).toBe(150);
    expect(s.invert(175)).toBe(7.5);
  });

  it('puts a degenerate domain in the middle instead of dividing by zero', () => {
    const s = linearScale([3, 3], [0, 100]);
    expect(s(3)).toBe(50);
    expect(Number.isFinite(s.invert(20))).toBe(true);
  });

  it('picks round ticks inside the range, and formats them with just enough decimals', () => {
    const ticks = niceTicks(0.9691, 0.9981, 5);
    expect(ticks.length).toBeGreaterThanOrEqual(3);
    for (const t of ticks) expect(t >= 0.9691 && t <= 0.9981).toBe(true);
    const fmt = tickFormatter(ticks);
    expect(new Set(ticks.map(fmt)).size).toBe(ticks.length);
    expect(integerTicks(0, 9999, 6).every(Number.isInteger)).toBe(true);
  });
});

describe('layoutChart', () => {
  const model = buildProgress(run, 'min');
  const geom = layoutChart(model, 800, 400);

  it('places experiments left to right by number and lower metrics lower on the chart', () => {
    for (let i = 1; i < geom.px.length; i++) expect(geom.px[i]!).toBeGreaterThan(geom.px[i - 1]!);
    expect(geom.py[4]!).toBeGreaterThan(geom.py[0]!); // 0.95 is below 1.0
  });

  it('puts failures on the bottom edge and clamps off-chart values instead of dropping them', () => {
    expect(geom.place[3]).toBe(2);
    expect(geom.py[3]).toBe(geom.edgeY);
    expect(geom.place[5]).toBe(2);
    expect(geom.place[6]).toBe(1); // 3.2 is far above the story's range
    expect(geom.py[6]!).toBeGreaterThanOrEqual(geom.plot.top);
    expect(geom.py[6]!).toBeLessThan(geom.py[0]!);
  });
});

describe('chartYDomain', () => {
  it("keeps the model's range when only a few points are outliers", () => {
    const model = buildProgress(run, 'min');
    expect(chartYDomain(model)).toEqual(model.yDomain);
  });

  it('widens to every measured point early in a run, when most of them would sit off the chart', () => {
    const early = buildProgress(
      [
        makeExperiment({ id: 0, status: 'keep', metric: 1.3118 }),
        makeExperiment({ id: 1, status: 'discard', metric: 1.61 }),
        makeExperiment({ id: 2, status: 'discard', metric: 1.64 }),
        makeExperiment({ id: 3, status: 'discard', metric: 1.68 }),
        makeExperiment({ id: 4, status: 'discard', metric: 1.88 }),
      ],
      'min',
    );
    expect(early.offChart.length).toBe(4);
    const [lo, hi] = chartYDomain(early)!;
    expect(lo).toBeLessThan(1.3118);
    expect(hi).toBeGreaterThan(1.88);
    const g = layoutChart(early, 600, 300, { yDomain: chartYDomain(early) });
    expect([...g.place]).toEqual([0, 0, 0, 0, 0]);
  });
});

describe('hitTest', () => {
  const model = buildProgress(run, 'min');
  const geom = layoutChart(model, 800, 400);

  it('finds the experiment under the mouse and nothing far from any dot', () => {
    expect(hitTest(geom, model, geom.px[2]!, geom.py[2]!)).toBe(2);
    expect(hitTest(geom, model, geom.px[2]! + 3, geom.py[2]! - 2)).toBe(2);
    expect(hitTest(geom, model, geom.px[2]!, geom.py[2]! - 40)).toBeNull();
  });

  it('finds crash marks on the edge', () => {
    expect(hitTest(geom, model, geom.px[3]!, geom.edgeY)).toBe(3);
  });

  it('prefers a kept dot over a nearer discarded one', () => {
    const crowded = buildProgress(
      [
        makeExperiment({ id: 0, status: 'keep', metric: 1.0 }),
        makeExperiment({ id: 1, status: 'discard', metric: 0.9999 }),
        makeExperiment({ id: 2, status: 'keep', metric: 0.9 }),
      ],
      'min',
    );
    const g = layoutChart(crowded, 30, 300, { margin: { left: 0, right: 0, top: 0, bottom: 0 } });
    // The mouse is exactly on the discard, and the keep is within the radius too.
    const mx = g.px[1]!;
    const my = g.py[1]!;
    expect(Math.hypot(g.px[0]! - mx, g.py[0]! - my)).toBeLessThan(12);
    expect(hitTest(g, crowded, mx, my, 12)).toBe(0);
  });

  // Correctness only: how fast it answers is for bench/, never asserted in the suite.
  it('answers correctly among 10,000 experiments', () => {
    const big = buildProgress(simulateExperiments({ n: 10_000, seed: 3 }), 'min');
    const g = layoutChart(big, 1200, 500);
    let brute = 0;
    for (let k = 0; k < 2000; k++) {
      const i = (k * 7919) % big.points.length;
      const hit = hitTest(g, big, g.px[i]!, g.py[i]!, 4);
      // Whatever it returns lies within the radius (the exact dot or an overlapping neighbour).
      expect(hit).not.toBeNull();
      expect(Math.hypot(g.px[hit!]! - g.px[i]!, g.py[hit!]! - g.py[i]!)).toBeLessThanOrEqual(4);
      brute += 1;
    }
    expect(brute).toBe(2000);
  });
});

describe('visible range and zoom', () => {
  it('finds the slice of points inside the plot and zooms around the cursor within bounds', () => {
    const big = buildProgress(simulateExperiments({ n: 1000, seed: 1 }), 'min');
    const g = layoutChart(big, 1000, 400, { xDomain: [100, 199] });
    const [from, to] = visibleRange(g);
    expect(big.points[from]!.x).toBeLessThanOrEqual(100);
    expect(big.points[to - 1]!.x).toBeGreaterThanOrEqual(199);
    expect(to - from).toBeLessThan(150);
    expect(lowerBound(g.px, -Infinity)).toBe(0);

    const z = zoomDomain([0, 999], [0, 999], 900, 0.5);
    expect(z[1] - z[0]).toBeCloseTo(499.5);
    expect(z[0]).toBeGreaterThanOrEqual(0);
    expect(z[1]).toBeLessThanOrEqual(999);
    const out = zoomDomain(z, [0, 999], 900, 10);
    expect(out).toEqual([0, 999]);
  });
});

describe('labels', () => {
  const measure = (t: string) => t.length * 6;
  const bounds = { left: 0, top: 0, right: 400, bottom: 300 };

  it('never overlaps two labels and keeps them inside the plot', () => {
    const candidates = Array.from({ length: 30 }, (_, i) => ({ key: i, x: 20 + i * 4, y: 150, text: `label number ${i}` }));
    const placed = placeLabels(candidates, measure, bounds, { maxLabels: 30, lineHeight: 12, maxChars: 40 });
    expect(placed.length).toBeGreaterThan(1);
    expect(placed.length).toBeLessThan(30);
    for (const a of placed) {
      expect(a.left).toBeGreaterThanOrEqual(0);
      expect(a.left + a.width).toBeLessThanOrEqual(400);
      for (const b of placed) {
        if (a === b) continue;
        const overlap = a.left < b.left + b.width && b.left < a.left + a.width && a.top < b.top + b.height && b.top < a.top + a.height;
        expect(overlap).toBe(false);
      }
    }
  });

  it('stops at maxLabels, cuts long texts and avoids the given boxes', () => {
    const candidates = Array.from({ length: 10 }, (_, i) => ({ key: i, x: 30 + i * 35, y: 40 + i * 25, text: 'x'.repeat(80) }));
    const placed = placeLabels(candidates, measure, { left: 0, top: 0, right: 2000, bottom: 2000 }, {
      maxLabels: 3,
      lineHeight: 12,
      maxChars: 20,
      avoid: [{ left: 0, top: 0, width: 2000, height: 20 }],
    });
    expect(placed).toHaveLength(3);
    for (const p of placed) {
      expect(p.text.length).toBeLessThanOrEqual(20);
      expect(p.text.endsWith('…')).toBe(true);
      expect(p.top).toBeGreaterThanOrEqual(20);
    }
    expect(truncate('short', 20)).toBe('short');
  });

  it('ranks the baseline and the final best first, then the largest gains', () => {
    const model = buildProgress(run, 'min');
    const order = keptByImportance(model.kept).map((k) => k.x);
    expect(order.slice(0, 2)).toEqual([0, 4]);
    expect(order).toEqual([0, 4, 1]);
  });
});
