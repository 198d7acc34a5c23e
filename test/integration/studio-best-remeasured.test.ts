// A live run in the app: when the noise rule measures the best again, the app pushes the best's record with
// its new mean at once, and the run list that follows states the same best and how many runs it is a mean of
// (the dashboard and the status bar draw from these pushes while the run goes on). The trainer's seeded noise
// lives in the project's `noise/` folder, a linked input, so it works inside the sandbox (a private /tmp).
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Studio } from '../../src/core/studio/index.js';
import { testStudio } from '../helpers/studio.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import type { StudioEvent } from '../../src/shared/api.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.dispose();
  studio = null;
  cleanupTempDirs();
});

const TRAINER = `import { readFileSync, writeFileSync } from 'node:fs';
const LEARNING_RATE = 0.01;
const HIDDEN = 32;
const file = 'noise/sequence';
const lines = readFileSync(file, 'utf8').split('\\n').filter(Boolean);
const offset = Number(lines.shift());
writeFileSync(file, lines.join('\\n') + '\\n');
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1 + Math.abs(HIDDEN - 40) * 0.001 + offset).toFixed(6));
`;

describe('the app while the best is measured again', () => {
  it("pushes the best's new mean and a run list that states it, with its number of runs", async () => {
    const { dir } = scoredProject({ files: { editable: ['train.mjs'], protected: ['prepare.mjs'], linked: ['noise'] }, sandbox: { readOnlyInputs: false } }, { 'train.mjs': TRAINER, '.gitignore': 'noise/\n' });
    mkdirSync(path.join(dir, 'noise'));
    // Alternating offsets: the runs differ (the noise is known), and no run is ever the same as the mean.
    writeFileSync(path.join(dir, 'noise', 'sequence'), Array.from({ length: 200 }, (_, i) => ((i % 2 ? 1 : -1) * (0.004 + (i % 7) * 0.001)).toFixed(6)).join('\n') + '\n');
    let events: StudioEvent[];
    ({ studio, events } = await testStudio());
    await studio.api.openProject({ dir });
    const { tag } = await studio.api.startRun({ tag: 'live', maxExperiments: 1 });
    const t0 = Date.now();
    while (!events.some((e) => e.type === 'notice' && /Run live stopped/.test(e.message))) {
      if (Date.now() - t0 > 120_000) throw new Error(`the run did not stop: ${JSON.stringify(events.filter((e) => e.type === 'notice'))}`);
      await new Promise((r) => setTimeout(r, 50));
    }

    const rec = await readRunRecord(dir, tag);
    const remeasured = [...rec.experiments.values()].filter((e) => e.measuredAtDecision);
    // The fixture is worth checking: the first candidate had the baseline (the best) measured again.
    expect(remeasured.map((e) => e.id)).toContain(0);
    const baseline = rec.experiments.get(0)!;
    const runs = baseline.runs.map((r) => r.metric!);
    expect(runs.length).toBeGreaterThan(baseline.measuredAtDecision!.runs);
    const pushed = events.flatMap((e) => (e.type === 'experiment' && e.experiment.id === 0 && e.experiment.status === 'keep' ? [e.experiment] : []));
    // One push when it was decided, then one per re-measurement, each with the mean of the runs so far.
    expect(pushed.map((e) => e.runs.length)).toEqual(Array.from({ length: runs.length - baseline.measuredAtDecision!.runs + 1 }, (_, i) => baseline.measuredAtDecision!.runs + i));
    for (const e of pushed) expect(e.metric).toBeCloseTo(runs.slice(0, e.runs.length).reduce((s, v) => s + v, 0) / e.runs.length, 12);
    // The run list after the last re-measurement states the best that the candidate was compared with.
    const lastPush = events.findLastIndex((e) => e.type === 'experiment' && e.experiment.id === 0 && e.experiment.runs.length === runs.length);
    const list = events.slice(lastPush).find((e) => e.type === 'runs');
    const summary = list?.type === 'runs' ? list.runs.find((r) => r.tag === tag) : undefined;
    expect(summary?.bestId).toBe(rec.bestId);
    if (rec.bestId === 0) expect([summary?.best, summary?.bestRuns]).toEqual([baseline.metric, runs.length]);
    expect(rec.experiments.get(1)!.bestBefore).toBe(pushed[pushed.length - 1]!.metric);
  }, 150_000);
});
