// The held-out wording (shared/heldout-text.ts) and the config section's messages (shared/config-heldout.ts):
// the warning says when the search metric improved but the held-out metric got worse, and only then.
import { describe, expect, it } from 'vitest';
import { parseConfig, type ProjectConfig } from '../../src/shared/config.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { heldoutCell, heldoutSummary } from '../../src/shared/heldout-text.js';
import { runningExperiment } from '../../src/core/loop/context.js';

const base = {
  run: { command: 'python train.py' },
  files: { editable: ['train.py'] },
  metric: { name: 'val_loss', direction: 'min' },
  budget: { seconds: 60 },
};

function config(heldout: unknown): ProjectConfig {
  const r = parseConfig({ ...base, heldout });
  if (!r.ok) throw new Error(JSON.stringify(r.errors));
  return r.config;
}

function kept(id: number, metric: number, heldout: number | null, error: string | null = null): Experiment {
  const e = runningExperiment({ id, kind: id === 0 ? 'baseline' : 'candidate', slot: 0, baseId: id === 0 ? null : id - 1, parentCommit: 'a'.repeat(40), startedAt: '2026-01-01T00:00:00Z', commit: String(id).repeat(40).slice(0, 40) });
  return { ...e, status: 'keep', metric, heldout: { value: heldout, error, logPath: `logs/${id}.heldout.log`, durationMs: 10 } };
}

describe('held-out config', () => {
  it('defaults to each-keep and a 600 s timeout; absent is none', () => {
    const c = config({ command: 'python eval.py --split test', metric: { name: 'test_loss', direction: 'min' } });
    expect(c.heldout).toMatchObject({ when: 'each-keep', timeoutSeconds: 600, metric: { name: 'test_loss', extract: { kind: 'line' } } });
    const none = parseConfig(base);
    expect(none.ok && none.config.heldout).toBeNull();
  });

  it('says what to fix, at the field', () => {
    const r = parseConfig({ ...base, heldout: { command: ' ', metric: { name: '', direction: 'min' }, when: 'sometimes', timeoutSeconds: 0 } });
    expect(r.ok).toBe(false);
    const errors = r.ok ? [] : r.errors;
    const at = (path: string) => errors.find((e) => e.path === path)?.message;
    expect(at('heldout.command')).toMatch(/Enter the held-out command/);
    expect(at('heldout.metric.name')).toMatch(/Name the metric/);
    expect(at('heldout.when')).toMatch(/each-keep or end/);
    expect(at('heldout.timeoutSeconds')).toMatch(/more than 0 seconds/);
    const unknown = parseConfig({ ...base, heldout: { command: 'x', metric: { name: 'a', direction: 'min' }, comand: 'y' } });
    expect(unknown.ok).toBe(false);
  });
});

describe('heldoutSummary', () => {
  const c = config({ command: 'python eval.py', metric: { name: 'test_loss', direction: 'min' } });

  it('warns when the search metric improved and the held-out metric got worse', () => {
    const s = heldoutSummary(c, [kept(0, 1, 0.81), kept(1, 0.979, 0.84)], 1)!;
    expect(s.worse).toBe(true);
    expect(s.warning).toBe('The search metric improved 2.1 % but the held-out metric got worse (0.81 → 0.84): the gain may not carry over.');
    expect(s.line).toBe('Held-out test_loss: 0.81 (baseline) → 0.84 (best, #1)');
  });

  it('does not warn when the held-out metric improved too, or for a higher-is-better held-out metric that rose', () => {
    expect(heldoutSummary(c, [kept(0, 1, 0.81), kept(1, 0.9, 0.8)], 1)!.warning).toBeNull();
    const max = config({ command: 'python eval.py', metric: { name: 'test_acc', direction: 'max' } });
    expect(heldoutSummary(max, [kept(0, 1, 0.7), kept(1, 0.9, 0.75)], 1)!.warning).toBeNull();
    expect(heldoutSummary(max, [kept(0, 1, 0.7), kept(1, 0.9, 0.65)], 1)!.warning).toMatch(/got worse \(0\.7 → 0\.65\)/);
  });

  it('says a failed held-out run failed, and a run with no check has no summary', () => {
    const s = heldoutSummary(c, [kept(0, 1, 0.81), kept(1, 0.9, null, 'exited with code 3')], 1)!;
    expect(s.line).toBe('Held-out test_loss: 0.81 (baseline) → failed (best, #1)');
    expect(s.warning).toBeNull();
    expect(heldoutSummary(config(null), [kept(0, 1, 0.81)], 0)).toBeNull();
    expect(heldoutCell(kept(1, 0.9, null, 'boom'))).toEqual({ text: 'failed', title: 'boom' });
    expect(heldoutCell({ heldout: null })).toEqual({ text: '', title: null });
  });
});
