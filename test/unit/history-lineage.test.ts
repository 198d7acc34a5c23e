import { describe, expect, it } from 'vitest';
import { buildLineage } from '../../src/renderer/history/lineage.js';
import { makeExperiment } from '../fixtures/make-run.js';

describe('buildLineage', () => {
  it('chains keeps on one lane and counts what was tried on each', () => {
    const l = buildLineage([
      makeExperiment({ id: 0, status: 'keep', metric: 1, baseId: null }),
      makeExperiment({ id: 1, status: 'discard', metric: 1.1, baseId: 0 }),
      makeExperiment({ id: 2, status: 'keep', metric: 0.9, baseId: 0 }),
      makeExperiment({ id: 3, status: 'crash', metric: null, baseId: 2 }),
      makeExperiment({ id: 4, status: 'keep', metric: 0.8, baseId: 2 }),
    ]);
    expect(l.nodes.map((n) => [n.id, n.parent, n.lane, n.column])).toEqual([
      [0, null, 0, 0],
      [2, 0, 0, 1],
      [4, 2, 0, 2],
    ]);
    expect(l.nodes[0]!.tried).toEqual({ total: 2, keep: 1, discard: 1, failed: 0 });
    expect(l.nodes[1]!.tried).toEqual({ total: 2, keep: 1, discard: 0, failed: 1 });
    expect(l.lanes).toBe(1);
  });

  it('forks when two slots keep improvements on the same parent', () => {
    const l = buildLineage([
      makeExperiment({ id: 0, status: 'keep', metric: 1, baseId: null }),
      makeExperiment({ id: 1, status: 'keep', metric: 0.95, baseId: 0, slot: 0 }),
      makeExperiment({ id: 2, status: 'keep', metric: 0.9, baseId: 0, slot: 1 }),
      makeExperiment({ id: 3, status: 'keep', metric: 0.85, baseId: 2, slot: 0 }),
      makeExperiment({ id: 4, status: 'discard', metric: 0.99, baseId: 1, slot: 1 }),
    ]);
    const lane = Object.fromEntries(l.nodes.map((n) => [n.id, n.lane]));
    // The line to the final best (#3, via #2) stays on lane 0; #1 branches off.
    expect(lane[2]).toBe(0);
    expect(lane[3]).toBe(0);
    expect(lane[1]).toBe(1);
    expect(l.lanes).toBe(2);
    expect(l.nodes.find((n) => n.id === 1)!.tried.discard).toBe(1);
  });

  it('reuses a lane once its branch has ended', () => {
    const l = buildLineage([
      makeExperiment({ id: 0, status: 'keep', metric: 1, baseId: null }),
      makeExperiment({ id: 1, status: 'keep', metric: 0.95, baseId: 0 }),
      makeExperiment({ id: 2, status: 'keep', metric: 0.9, baseId: 0 }),
      makeExperiment({ id: 3, status: 'keep', metric: 0.88, baseId: 2 }),
      makeExperiment({ id: 4, status: 'keep', metric: 0.87, baseId: 3 }),
      makeExperiment({ id: 5, status: 'keep', metric: 0.86, baseId: 3 }),
    ]);
    const lane = Object.fromEntries(l.nodes.map((n) => [n.id, n.lane]));
    expect([lane[0], lane[2], lane[3], lane[5]]).toEqual([0, 0, 0, 0]);
    expect(lane[1]).toBe(1);
    expect(lane[4]).toBe(1); // #1's branch ended, so #4 takes its lane
    expect(l.lanes).toBe(2);
  });

  it('counts experiments whose base is unknown instead of dropping them silently', () => {
    const l = buildLineage([makeExperiment({ id: 0, status: 'keep', metric: 1 }), makeExperiment({ id: 5, status: 'discard', metric: 1.2, baseId: 3 })]);
    expect(l.orphans).toBe(1);
    expect(buildLineage([]).nodes).toEqual([]);
  });
});

describe('buildLineage with a combination', () => {
  it('gives a change carried onto the best kept meanwhile both parents', () => {
    // #3 and #4 both started from #2; #3 was kept; #4's change was carried onto #3 and kept as the combination.
    const l = buildLineage([
      makeExperiment({ id: 0, status: 'keep', metric: 1, baseId: null }),
      makeExperiment({ id: 2, status: 'keep', metric: 0.9, baseId: 0 }),
      makeExperiment({ id: 3, status: 'keep', metric: 0.85, baseId: 2, slot: 0 }),
      makeExperiment({
        id: 4,
        status: 'keep',
        metric: 0.8,
        baseId: 3,
        slot: 1,
        carried: { fromBaseId: 2, fromParentCommit: 'b'.repeat(40), proposedCommit: 'c'.repeat(40), aloneMetric: 0.84, earlierRuns: [] },
      }),
    ]);
    const four = l.nodes.find((n) => n.id === 4)!;
    expect(four.parent).toBe(3);
    expect(four.carriedFrom).toBe(2);
    // The combination lies on the line to the best; no fork is drawn for it.
    expect(l.nodes.map((n) => n.lane)).toEqual([0, 0, 0, 0]);
    expect(l.nodes.filter((n) => n.id !== 4).every((n) => n.carriedFrom === null)).toBe(true);
  });

  it('draws no second parent when the older best is not a node', () => {
    const l = buildLineage([
      makeExperiment({ id: 0, status: 'keep', metric: 1, baseId: null }),
      makeExperiment({ id: 3, status: 'keep', metric: 0.85, baseId: 0 }),
      makeExperiment({ id: 4, status: 'keep', metric: 0.8, baseId: 3, carried: { fromBaseId: 9, fromParentCommit: 'b'.repeat(40), proposedCommit: 'c'.repeat(40), aloneMetric: 0.84, earlierRuns: [] } }),
    ]);
    expect(l.nodes.find((n) => n.id === 4)!.carriedFrom).toBeNull();
  });
});

describe('buildLineage of a tree search', () => {
  it('draws a discard that a later experiment started from as a node, linked to its own base', () => {
    const l = buildLineage(
      [
        makeExperiment({ id: 0, status: 'keep', metric: 10, baseId: null }),
        makeExperiment({ id: 1, status: 'keep', metric: 9, baseId: 0 }),
        makeExperiment({ id: 2, status: 'discard', metric: 9.5, baseId: 0 }),
        makeExperiment({ id: 3, status: 'discard', metric: 12, baseId: 1 }),
        makeExperiment({ id: 4, status: 'keep', metric: 7, baseId: 2 }),
      ],
      4,
    );
    // #3 was discarded and nothing started from it: not a node. #2 was discarded, but #4 was built on it.
    expect(l.nodes.map((n) => [n.id, n.parent, n.discarded])).toEqual([
      [0, null, false],
      [1, 0, false],
      [2, 0, true],
      [4, 2, false],
    ]);
    const lane = Object.fromEntries(l.nodes.map((n) => [n.id, n.lane]));
    // The line to the best (0 → 2 → 4) is the trunk; the abandoned keep #1 branches off it.
    expect([lane[0], lane[2], lane[4]]).toEqual([0, 0, 0]);
    expect(lane[1]).toBe(1);
    expect(l.nodes.find((n) => n.id === 2)!.tried).toEqual({ total: 1, keep: 1, discard: 0, failed: 0 });
  });
});
