// A process that leaves its group with setsid (a GPU server "in the background") must die when its
// experiment ends, not at the next start of the app: found by the marker every command's environment carries.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/shared/journal.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { killHard, pidRunning, trainer } from '../helpers/processes.js';
import { cleanupTempDirs, scoredProject, tempDir } from '../helpers/project.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

describe('processes that escape the group', () => {
  it('are killed at the end of each experiment, while the run goes on', async () => {
    const pidsDir = tempDir();
    const command = `PIDS_FILE="$PIDS_DIR/$AUTORESEARCH_EXPERIMENT_ID" python3 '${trainer('escape-setsid.py')}' && echo 'val_bpb: 1.0'`;
    const { dir } = scoredProject({ run: { command } });
    const r = await runCli(['run', dir, '--tag', 'esc', '--max-experiments', '2'], {
      // Unsandboxed: this is the sweep for platforms without bubblewrap (a setsid escapee found by its marker and
      // its host pid). Under the sandbox an escapee dies with the PID namespace; sandbox.test.ts covers that. Without
      // the sandbox a command gets a PID namespace of its own where the machine allows one (escapees-unsandboxed.test.ts);
      // AUTORESEARCH_NO_PIDNS=1 leaves this one out of it, to test the sweep that machines without one rely on.
      env: { PIDS_DIR: pidsDir, TRAINER_SLEEP: '0', ESCAPE_SLEEP: '600', CLOSE_STDIO: '1', AUTORESEARCH_SANDBOX: 'off', AUTORESEARCH_NO_PIDNS: '1' },
    });
    const escaped = readdirSync(pidsDir).filter((f) => !f.endsWith('.tmp')).map((f) => Number(readFileSync(path.join(pidsDir, f), 'utf8').split(' ')[1]));
    try {
      expect(r.code).toBe(0);
      expect(escaped).toHaveLength(3);
      for (const pid of escaped) expect(pidRunning(pid), `escaped pid ${pid}`).toBe(false);
      const events = readFileSync(runPaths(dir, 'esc').journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as JournalEvent);
      // The baseline's escapee was killed when the baseline ended, before the next experiment began.
      const killedAt = events.findIndex((e) => e.type === 'notice' && e.id === 0 && /outside its process group/.test(e.message));
      const nextStart = events.findIndex((e) => e.type === 'experiment-start' && e.experiment.id === 1);
      expect(killedAt).toBeGreaterThan(0);
      expect(killedAt).toBeLessThan(nextStart);
    } finally {
      killHard(escaped);
    }
  }, 120_000);
});
