// Early stopping in a real run (issue #23 item 3): a real trainer printing step lines, under the sandbox as
// shipped; a clearly worse candidate is stopped partway (its process killed like a timeout), journaled as
// stopped-early with its partial curve, and written to results.tsv as a discard that says where it stopped. A
// good candidate runs to its end with its whole curve.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournalEvents, readRunRecord } from '../../src/core/journal/read.js';
import { readResultsTsv } from '../../src/core/report/read-results-tsv.js';
import { runPaths } from '../../src/core/project/paths.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { CURVE_STEPS, earlyStopRun } from '../helpers/early-stop-run.js';
import { cleanupTempDirs } from '../helpers/project.js';

describe('early stopping in a real run', () => {
  let dir: string;
  let exps: Experiment[];
  beforeAll(async () => {
    ({ dir } = await earlyStopRun());
    exps = [...(await readRunRecord(dir, 'es')).experiments.values()];
  }, 180_000);
  afterAll(cleanupTempDirs);

  it('records every run\'s curve, the baseline\'s three repeats whole', () => {
    const base = exps[0]!;
    expect(base.status).toBe('keep');
    expect(base.runs).toHaveLength(3);
    for (const r of base.runs) {
      expect(r.curveAxis).toBe('step');
      expect(r.curve!.length).toBe(CURVE_STEPS);
      expect(r.curve![CURVE_STEPS - 1]![0]).toBe(CURVE_STEPS);
    }
  });

  it('stops the clearly worse candidate partway, past the minimum fraction, as stopped-early with its partial curve', () => {
    const bad = exps[1]!;
    expect(bad.status, `${bad.status}: ${bad.error}`).toBe('stopped-early');
    expect(bad.metric).toBeNull();
    const at = bad.earlyStop!.at;
    expect(bad.earlyStop).toMatchObject({ axis: 'step', bestId: 0 });
    // Never before 30 % of the best's curve (its last step is CURVE_STEPS).
    expect(at).toBeGreaterThanOrEqual(0.3 * CURVE_STEPS);
    expect(at).toBeLessThan(CURVE_STEPS);
    expect(bad.earlyStop!.value - bad.earlyStop!.bestValue).toBeGreaterThan(0.4);
    // Its curve ends where it was stopped: the trainer never printed its last steps nor its val_bpb.
    const curve = bad.runs[0]!.curve!;
    expect(curve[curve.length - 1]![0]).toBeGreaterThanOrEqual(at);
    expect(curve[curve.length - 1]![0]).toBeLessThan(CURVE_STEPS);
    expect(readFileSync(path.join(runPaths(dir, 'es').dir, bad.runs[0]!.logPath), 'utf8')).not.toContain('val_bpb');
    expect(bad.error).toMatch(new RegExp(`^Stopped early at step ${Math.round(at)}: its curve was at`));
    // It ran less than a full run of the baseline.
    expect(bad.runs[0]!.durationMs).toBeLessThan(Math.min(...exps[0]!.runs.map((r) => r.durationMs)));
  });

  it('lets the better candidate run to its end and keeps it, with its whole curve', () => {
    const good = exps[2]!;
    expect(good.status, `${good.status}: ${good.error}`).toBe('keep');
    expect(good.runs[0]!.curve).toHaveLength(CURVE_STEPS);
  });

  it('journals the stop, with the process-end of the killed run before it', async () => {
    const { events } = await readJournalEvents(runPaths(dir, 'es').journal);
    const end = events.findIndex((e) => e.type === 'experiment-end' && e.experiment.id === 1);
    expect(end).toBeGreaterThan(0);
    const procEnd = events.findIndex((e) => e.type === 'process-end' && e.id === 1);
    expect(procEnd).toBeGreaterThan(0);
    expect(procEnd).toBeLessThan(end);
  });

  it('writes it to results.tsv as a discard that says where it stopped, and reads it back as stopped early', () => {
    const tsv = readFileSync(runPaths(dir, 'es').results, 'utf8');
    const rows = tsv.trim().split('\n').map((l) => l.split('\t'));
    expect(rows[0]).toEqual(['commit', 'val_bpb', 'memory_gb', 'status', 'description']);
    const at = Math.round(exps[1]!.earlyStop!.at);
    expect(rows[2]).toEqual([exps[1]!.commit!.slice(0, 7), '0.000000', '0.0', 'discard', `BUG → 1 (stopped early at step ${at})`]);
    expect(rows.map((r) => r[3])).toEqual(['status', 'keep', 'discard', 'keep']);
    const back = readResultsTsv(tsv).experiments;
    expect(back[1]).toMatchObject({ status: 'stopped-early', metric: null });
    expect(back[2]!.status).toBe('keep');
  });
});
