// The learning-curve chart's model (renderer/chart/curve-model.ts): which curves it draws against which best,
// and the SVG path of a curve in its box. The setup draft of early stopping round-trips through the schema.
import { describe, expect, it } from 'vitest';
import { curveModel, curvePath } from '../../src/renderer/chart/curve-model.js';
import { fromDraft, toDraft } from '../../src/renderer/setup/draft.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import type { Experiment, ExperimentRunResult } from '../../src/shared/experiment.js';

const run = (curve?: [number, number][]): ExperimentRunResult => ({ metric: 1, metrics: {}, exitCode: 0, signal: null, timedOut: false, durationMs: 1, logPath: 'logs/x.log', ...(curve ? { curve, curveAxis: 'step' as const } : {}) });
const xp = (id: number, runs: ExperimentRunResult[], extra: Partial<Experiment> = {}): Experiment =>
  ({ id, kind: id === 0 ? 'baseline' : 'candidate', slot: 0, baseId: id === 0 ? null : 0, parentCommit: 'a'.repeat(40), commit: null, description: '', hypothesis: '', status: 'discard', metric: 1, metrics: {}, runs, guard: null, bestBefore: null, startedAt: '', finishedAt: null, timings: { proposalMs: null, trainingMs: null, totalMs: null }, usage: null, logPath: null, transcriptPath: null, error: null, changedFiles: [], ...extra }) as Experiment;

describe('curve chart model', () => {
  const base = xp(0, [run([[0, 3], [10, 1]]), run([[0, 3.2], [10, 1.2]])]);
  const stopped = xp(1, [run([[0, 4], [4, 3.5]])], { status: 'stopped-early', earlyStop: { at: 4, axis: 'step', value: 3.5, bestValue: 2.2, noise: 0.1, bestId: 0 } });

  it('draws the experiment\'s curves against the curves of the best it was compared with, and where it stopped', () => {
    const m = curveModel(stopped, [base, stopped])!;
    expect(m.series.map((s) => `${s.role}${s.run}:${s.points.length}`)).toEqual(['best0:2', 'best1:2', 'self0:2']);
    expect(m).toMatchObject({ bestId: 0, stopAt: 4, axis: 'step', x: [0, 10], y: [1, 4] });
  });

  it('has nothing to draw for an experiment with no curve, and no best for the baseline', () => {
    expect(curveModel(xp(2, [run()]), [base])).toBeNull();
    const m = curveModel(base, [base])!;
    expect(m.bestId).toBeNull();
    expect(m.series.every((s) => s.role === 'self')).toBe(true);
  });

  it('scales a curve into its box, y growing downward', () => {
    expect(curvePath([[0, 1], [10, 4]], { x: [0, 10], y: [1, 4] }, 100, 50)).toBe('M0.0 50.0 L100.0 0.0');
  });
});

describe('early stopping in the setup draft', () => {
  it('round-trips the section, an empty pattern as none, and says which box is not a number', () => {
    const config = ProjectConfigSchema.parse({ run: { command: 'x' }, files: { editable: ['a'] }, metric: { name: 'm', direction: 'min' }, budget: { seconds: 1 }, earlyStop: { enabled: true, pattern: 'step (\\d+) l ([0-9.]+)', minFraction: 0.4, margin: 2.5 } });
    const d = toDraft(config);
    expect(d.earlyStop).toEqual({ enabled: true, pattern: 'step (\\d+) l ([0-9.]+)', minFraction: '0.4', margin: '2.5' });
    expect((fromDraft(d).config as { earlyStop: unknown }).earlyStop).toEqual(config.earlyStop);
    const cleared = fromDraft({ ...d, earlyStop: { ...d.earlyStop, pattern: ' ', margin: 'lots' } });
    expect((cleared.config as { earlyStop: { pattern: unknown } }).earlyStop.pattern).toBeNull();
    expect(cleared.errors).toEqual([{ path: 'earlyStop.margin', message: '"lots" is not a number' }]);
  });
});
