// A full disk under the experiments' logs (not the journal): the command's result stands and the run goes on,
// but the user is told the log is incomplete (a warning notice in the journal, which the UI and the CLI show),
// instead of the log ending mid-output without a word. The run's logs folder is a real 256 KB tmpfs that the
// trainer's output overflows (mounting needs root: the test is skipped, saying so, where mount is refused).
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMutationProposer } from '../../src/core/agent/mutation/mutation-proposer.js';
import { readJournalEvents, readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { runPaths } from '../../src/core/project/paths.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';

const mounts: string[] = [];
afterEach(() => {
  for (const m of mounts.splice(0)) spawnSync('umount', ['-l', m]);
  cleanupTempDirs();
});

// The scored trainer's metric, after 1 MB of output: more than the logs' disk holds.
const LOUD_TRAINER = `const LEARNING_RATE = 0.01;
const line = 'x'.repeat(1023) + '\\n';
for (let i = 0; i < 1024; i++) process.stdout.write(line);
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;

function projectWithSmallLogDisk(): { dir: string } | { skip: string } {
  const { dir } = scoredProject({ acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } }, { 'train.mjs': LOUD_TRAINER });
  const logs = path.join(runPaths(dir, 'lg').dir, 'logs');
  mkdirSync(logs, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', logs], { encoding: 'utf8' });
  if (r.status !== 0) return { skip: `cannot mount a tmpfs here (${(r.stderr || r.error?.message || 'mount failed').trim()}); it needs root` };
  mounts.push(logs);
  return { dir };
}

describe('a full disk under the logs', () => {
  it('says the log is incomplete, keeps the result, and goes on', async (t) => {
    const p = projectWithSmallLogDisk();
    if ('skip' in p) return t.skip(p.skip);
    const handle = await startRun({
      projectDir: p.dir,
      tag: 'lg',
      maxExperiments: 1,
      deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => createMutationProposer(), sleep: async () => undefined },
    });
    const outcome = await handle.done;
    expect(outcome.reason).toBe('max-experiments');
    const rec = await readRunRecord(p.dir, 'lg');
    // The baseline's metric was read from its output, though its log could not hold it.
    expect(rec.experiments.get(0)!.status).toBe('keep');
    const { events } = await readJournalEvents(runPaths(p.dir, 'lg').journal);
    const warnings = events.flatMap((e) => (e.type === 'notice' && e.level === 'warning' && /log is incomplete/.test(e.message) ? [e] : []));
    expect(warnings.map((w) => (w as { id?: number }).id)).toContain(0);
    expect(warnings[0]!.type === 'notice' && warnings[0]!.message).toMatch(/Could not write the log .*logs\/0\.log: ENOSPC/);
  }, 120_000);
});
