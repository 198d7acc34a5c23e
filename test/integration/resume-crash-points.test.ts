// Resuming a run whose process died between two journal events: the best is rebuilt from the experiments
// themselves, and the branch is put back on the best kept commit, whatever the last event was.
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/shared/journal.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

/** Keep the journal up to and including the first event `cut` matches, as a kill -9 right after it would. */
function cutJournalAfter(dir: string, tag: string, cut: (e: JournalEvent) => boolean): JournalEvent {
  const file = runPaths(dir, tag).journal;
  const lines = readFileSync(file, 'utf8').trimEnd().split('\n');
  const index = lines.findIndex((l) => cut(JSON.parse(l) as JournalEvent));
  expect(index).toBeGreaterThanOrEqual(0);
  writeFileSync(file, lines.slice(0, index + 1).join('\n') + '\n');
  return JSON.parse(lines[index]!) as JournalEvent;
}

describe('resume after a death between journal events', () => {
  it('a run that died right after its baseline (before its "best" event) resumes and continues', async () => {
    const { dir } = scoredProject();
    const first = await runCli(['run', dir, '--tag', 'pipe', '--max-experiments', '2']);
    expect(first.code).toBe(0);
    const start = (await readRunRecord(dir, 'pipe')).startCommit;
    cutJournalAfter(dir, 'pipe', (e) => e.type === 'experiment-end' && e.experiment.id === 0);
    expect(readFileSync(runPaths(dir, 'pipe').journal, 'utf8')).not.toMatch(/"type":"best"/);

    const again = await runCli(['run', dir, '--tag', 'pipe', '--max-experiments', '3']);
    expect(again.stderr).not.toMatch(/invalid reference|null/);
    expect(again.code).toBe(0);
    const rec = await readRunRecord(dir, 'pipe');
    expect(rec.experiments.get(0)!.status).toBe('keep');
    expect(rec.experiments.get(0)!.commit).toBe(start);
    expect([...rec.experiments.values()].filter((e) => e.kind === 'candidate' && e.status !== 'interrupted')).toHaveLength(3);
    expect(git(dir, 'rev-parse', 'autoresearch/pipe').trim()).toBe(rec.bestCommit);
  }, 120_000);

  it('a run that died between a keep and moving the branch resumes with the branch on that keep', async () => {
    const { dir } = scoredProject();
    const first = await runCli(['run', dir, '--tag', 'k', '--max-experiments', '6']);
    expect(first.code).toBe(0);
    const kept = cutJournalAfter(dir, 'k', (e) => e.type === 'experiment-end' && e.experiment.kind === 'candidate' && e.experiment.status === 'keep');
    if (kept.type !== 'experiment-end') throw new Error('unreachable');
    // The branch still points where it was before that keep.
    git(dir, 'update-ref', 'refs/heads/autoresearch/k', kept.experiment.parentCommit);

    const status = await runCli(['status', dir, '--json']);
    expect(JSON.parse(status.stdout).runs[0].summary.bestId).toBe(kept.experiment.id);

    const again = await runCli(['run', dir, '--tag', 'k', '--max-experiments', String(kept.experiment.id)]);
    expect(again.code).toBe(0);
    const rec = await readRunRecord(dir, 'k');
    expect(rec.experiments.get(kept.experiment.id)).toMatchObject({ status: 'keep', metric: kept.experiment.metric, commit: kept.experiment.commit });
    expect(rec.bestCommit).toBe(kept.experiment.commit);
    expect(git(dir, 'rev-parse', 'autoresearch/k').trim()).toBe(kept.experiment.commit);
  }, 120_000);
});
