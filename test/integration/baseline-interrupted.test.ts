// Issue 21 item 7: a run stopped during its baseline says the baseline was interrupted and will be measured
// again when the run resumes, not that it failed.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { createMutationProposer } from '../../src/core/agent/mutation/mutation-proposer.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { cleanupTempDirs, scoredProject } from '../helpers/project.js';

afterEach(cleanupTempDirs);

// The trainer sleeps until the test stops the run (a marker file in the project says it is running).
const SLOW = `import { writeFileSync } from 'node:fs';
writeFileSync(new URL('./started', import.meta.url), 'x');
await new Promise((r) => setTimeout(r, 60_000));
console.log('val_bpb: 1.0');
`;

it('an interrupted baseline is reported as interrupted, to be measured again on resume', async () => {
  const { dir } = scoredProject({ budget: { seconds: 30, timeoutSeconds: 90, graceSeconds: 1 } }, { 'train.mjs': SLOW });
  const deps = { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => createMutationProposer(), sleep: async () => undefined };
  const handle = await startRun({ projectDir: dir, tag: 'b', maxExperiments: 1, deps });
  const started = path.join(dir, '.autoresearch', 'worktrees');
  // Wait for the trainer to be running in the slot's worktree.
  const t0 = Date.now();
  for (;;) {
    const hit = existsSync(started) && readdirSync(started, { recursive: true }).some((f) => String(f).endsWith('started'));
    if (hit) break;
    if (Date.now() - t0 > 50_000) throw new Error('the baseline trainer never started');
    await new Promise((r) => setTimeout(r, 100));
  }
  await handle.stop({ graceful: false });
  const rec = await readRunRecord(dir, 'b');
  const baseline = rec.experiments.get(0)!;
  expect(baseline.status).toBe('interrupted');
  expect(baseline.error).toMatch(/^The baseline was interrupted \(.+\); it is measured again when the run resumes(, keeping the \d+ repeats? it finished)?\.$/);
  expect(baseline.error).not.toMatch(/failed/);
});
