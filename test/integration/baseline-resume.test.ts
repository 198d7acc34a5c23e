// Issue 21 item 7: a run killed (kill -9) or stopped (Ctrl-C) during its baseline keeps the repeats it finished.
// Each finished repeat is journaled ('baseline-run'); `run --tag` measures only the missing ones, and `status`
// says the baseline was interrupted and will resume, not that it failed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/shared/journal.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli, spawnCli } from '../helpers/cli.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';
import { waitUntil } from '../helpers/processes.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

// Counts its runs in the linked state folder; the metric names the run (1.001, 1.002, …) so the test can tell
// which runs the baseline's record holds. The third run holds until the test writes state/release.
const COUNTING = `import { appendFileSync, existsSync, readFileSync } from 'node:fs';
appendFileSync('state/count', 'x');
const n = readFileSync('state/count', 'utf8').length;
if (n === 3) while (!existsSync('state/release')) await new Promise((r) => setTimeout(r, 50));
console.log('val_bpb: ' + (1 + n / 1000).toFixed(3));
`;

function events(dir: string, tag: string): JournalEvent[] {
  return readFileSync(runPaths(dir, tag).journal, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as JournalEvent);
}

/** Baseline trainer runs started after the last run-resume of the journal. */
function baselineRunsSinceResume(dir: string, tag: string): number {
  const ev = events(dir, tag);
  const from = ev.map((e) => e.type).lastIndexOf('run-resume');
  expect(from).toBeGreaterThan(0);
  return ev.slice(from).filter((e) => e.type === 'process-start' && e.id === 0 && e.what === 'run').length;
}

for (const signal of ['SIGKILL', 'SIGINT'] as const) {
  it(`a ${signal} during the third baseline repeat keeps the first two; the resume measures only the third`, async () => {
    const { dir, state } = scoredProject({ acceptance: { baselineRuns: 3 } } as never, { 'train.mjs': COUNTING }, { state: true });
    const count = path.join(state, 'count');
    const child = spawnCli(['run', dir, '--tag', 'b', '--max-experiments', '1']);
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    expect(await waitUntil(() => existsSync(count) && readFileSync(count, 'utf8').length === 3, 90_000)).toBe(true);
    // The two finished repeats are journaled before the third starts.
    expect(await waitUntil(() => events(dir, 'b').filter((e) => e.type === 'baseline-run').length === 2, 20_000)).toBe(true);
    child.kill(signal);
    await exited;

    const status = await runCli(['status', dir]);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/baseline interrupted/i);
    expect(status.stdout).toMatch(/resume with: autoresearch run .* --tag b/);
    expect(status.stdout).not.toMatch(/fail/i);

    writeFileSync(path.join(state, 'release'), '');
    const again = await runCli(['run', dir, '--tag', 'b', '--max-experiments', '1']);
    expect(again.stderr).toBe('');
    expect(again.code).toBe(0);
    expect(baselineRunsSinceResume(dir, 'b')).toBe(1);
    const rec = await readRunRecord(dir, 'b');
    const baseline = rec.experiments.get(0)!;
    expect(baseline.status).toBe('keep');
    // Runs 1 and 2 from before the stop, then the resume's run; the third run cut short (run 3) is not among them.
    const values = baseline.runs.map((r) => r.metric);
    expect(values.slice(0, 2)).toEqual([1.001, 1.002]);
    expect(values).toHaveLength(3);
    expect(values[2]).toBeGreaterThan(1.003);
    expect(rec.noiseValues).toEqual(values);
    expect(rec.notices.some((n) => /keeps the 2 repeats it finished/.test(n.message))).toBe(true);
  }, 240_000);
}
