// results.tsv while the noise rule measures the best again (issue #22 item 6): the best's row has its new mean
// by the time anyone hears of the re-measurement, not only when the run ends; and a rewrite that fails is said
// in the journal (a warning notice) instead of leaving the old mean there without a word. The trainer's seeded
// noise lives in the linked state folder, so it works inside the sandbox.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMutationProposer } from '../../src/core/agent/mutation/mutation-proposer.js';
import type { RunRecord } from '../../src/core/journal/fold.js';
import { readJournalEvents } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { runPaths } from '../../src/core/project/paths.js';
import type { LoopEvent } from '../../src/core/loop/types.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';

afterEach(cleanupTempDirs);

const TRAINER = `import { readFileSync, writeFileSync } from 'node:fs';
const LEARNING_RATE = 0.01;
const HIDDEN = 32;
const file = process.env.NOISE_FILE;
const lines = readFileSync(file, 'utf8').split('\\n').filter(Boolean);
const offset = Number(lines.shift());
writeFileSync(file, lines.join('\\n') + '\\n');
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1 + Math.abs(HIDDEN - 40) * 0.001 + offset).toFixed(6));
`;

/** A run of `max` candidates whose best is measured again; `listen` hears every event as the run tells it. */
async function remeasuredRun(max: number, listen: (e: LoopEvent, results: string, record: RunRecord) => void) {
  const { dir, state } = scoredProject({}, { 'train.mjs': TRAINER }, { state: true });
  const noise = path.join(state, 'noise');
  // Alternating offsets: no run is the same as a mean, so a row with the old mean differs from the new one.
  writeFileSync(noise, Array.from({ length: 200 }, (_, i) => ((i % 2 ? 1 : -1) * (0.004 + (i % 7) * 0.001)).toFixed(6)).join('\n') + '\n');
  const results = runPaths(dir, 'rm').results;
  const handle = await startRun({
    projectDir: dir,
    tag: 'rm',
    maxExperiments: max,
    deps: { env: { ...process.env, NOISE_FILE: noise }, nodePath: process.execPath, appVersion: 'test', createProposer: async () => createMutationProposer(), sleep: async () => undefined },
  });
  handle.subscribe((e) => listen(e, results, handle.record()));
  const outcome = await handle.done;
  return { dir, outcome, handle, events: (await readJournalEvents(runPaths(dir, 'rm').journal)).events };
}

/** The value results.tsv shows for the baseline (experiment 0, its first row). */
const baselineRow = (results: string) => readFileSync(results, 'utf8').split('\n')[1]!.split('\t')[1];

describe('results.tsv when the best is measured again', () => {
  it("has the best's new mean as soon as the re-measurement is told, before the run ends", async () => {
    let decided: number | null = null;
    const seen: { row: string | undefined; mean: string }[] = [];
    const { handle, outcome } = await remeasuredRun(2, (e, results, record) => {
      if (e.kind !== 'journal') return;
      if (e.event.type === 'best' && e.event.id === 0) decided = e.event.metric;
      // Read at the moment the event is told (the UI and the CLI hear it here), not after the run.
      if (e.event.type === 'best-remeasured' && e.event.id === 0) seen.push({ row: baselineRow(results), mean: record.experiments.get(0)!.metric!.toFixed(6) });
    });
    expect(outcome.reason).toBe('max-experiments');
    // The fixture is worth checking: the baseline was measured again, and that moved its mean.
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]!.mean).not.toBe(decided!.toFixed(6));
    for (const s of seen) expect(s.row).toBe(s.mean);
    expect(baselineRow(runPaths(handle.projectDir, 'rm').results)).toBe(handle.record().experiments.get(0)!.metric!.toFixed(6));
  }, 180_000);

  it('says in the journal when results.tsv cannot be rewritten, and the run goes on', async () => {
    let remeasured = 0;
    const { outcome, events } = await remeasuredRun(1, (e, results) => {
      if (e.kind !== 'journal') return;
      // Once the baseline has its row, results.tsv turns into a folder: every later write of it fails.
      if (e.event.type === 'best' && e.event.id === 0) {
        rmSync(results);
        mkdirSync(results);
      }
      if (e.event.type === 'best-remeasured') remeasured += 1;
    });
    expect(outcome.reason).toBe('max-experiments');
    expect(remeasured).toBeGreaterThan(0);
    const warnings = events.flatMap((e) => (e.type === 'notice' && e.level === 'warning' && /results\.tsv could not be written/.test(e.message) ? [e.message] : []));
    // The first write to fail is the rewrite after the re-measurement; it is said once, not once per write.
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/#0 was measured again, and its row still shows its old mean/);
    // The cause is named (a folder planted where the file goes is not a regular file: safe-fs refuses it).
    expect(warnings[0]).toMatch(/results\.tsv is not a regular file/);
  }, 180_000);
});
