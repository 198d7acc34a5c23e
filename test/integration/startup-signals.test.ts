// Every moment of a run's start-up can be interrupted (Ctrl-C, or kill -9) and the next `run --tag` still
// works: it resumes what was recorded or starts afresh, never "branch already exists" or "no start record".
// Before that, `status` says which of the two `run` will do. Kills land at fixed delays after the start and at
// hook points (a file of the start-up appears), with SIGINT and SIGKILL alternating.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { readRunStatuses } from '../../src/core/journal/run-status.js';
import { projectPaths, runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli, spawnCli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';

beforeAll(buildCli);
afterAll(cleanupTempDirs);

type Moment = { readonly afterMs: number } | { readonly when: string; readonly ready: (dir: string, tag: string) => boolean };

const nonEmpty = (file: string) => existsSync(file) && readFileSync(file).length > 0;
const HOOKS: Moment[] = [
  { when: 'the lock is taken', ready: (dir) => existsSync(projectPaths(dir).lockFile) },
  { when: 'the run folder exists', ready: (dir, tag) => existsSync(runPaths(dir, tag).dir) },
  { when: 'the journal file exists', ready: (dir, tag) => existsSync(runPaths(dir, tag).journal) },
  { when: 'the journal has its run-start', ready: (dir, tag) => nonEmpty(runPaths(dir, tag).journal) },
  { when: 'results.tsv is written', ready: (dir, tag) => existsSync(runPaths(dir, tag).results) },
  { when: 'the branch exists', ready: (dir, tag) => existsSync(path.join(dir, '.git', 'refs', 'heads', 'autoresearch', tag)) },
];
const DELAYS: Moment[] = [0, 60, 120, 200, 280, 360, 450, 550, 650, 800, 950, 1100, 1300, 1600].map((afterMs) => ({ afterMs }));

const label = (m: Moment) => ('when' in m ? `when ${m.when}` : `${m.afterMs} ms after the start`);

describe('signals during start-up', () => {
  it('after SIGINT or SIGKILL at 20 moments of start-up, status says what run does, and run --tag succeeds', async () => {
    const { dir } = scoredProject();
    const moments = [...HOOKS, ...DELAYS];
    for (const [i, moment] of moments.entries()) {
      const tag = `s${i}`;
      const signal = i % 2 === 0 ? 'SIGKILL' : 'SIGINT';
      const child = spawnCli(['run', dir, '--tag', tag, '--max-experiments', '1']);
      const closed = new Promise<number | null>((r) => child.once('close', r));
      if ('when' in moment) await waitUntil(() => moment.ready(dir, tag), 30_000, 2);
      else await new Promise((r) => setTimeout(r, moment.afterMs));
      child.kill(signal);
      await closed;

      const what = `${signal} ${label(moment)}`;
      // What `status` reports (the same function; its CLI spawn would only add a process start per moment).
      const run = (await readRunStatuses(dir)).find((r) => r.summary.tag === tag);
      const recorded = run !== undefined && !run.neverStarted;

      const again = await runCli(['run', dir, '--tag', tag, '--max-experiments', '1']);
      expect(again.code, `${what}: ${again.stdout}\n${again.stderr}`).toBe(0);
      // status said it: a recorded run is resumed, anything else starts afresh.
      expect(again.stdout, what).toMatch(recorded ? /^Resuming run / : /^Run \S+ on branch autoresearch\//);
      const rec = await readRunRecord(dir, tag);
      expect(rec.stopReason, what).toBe('max-experiments');
      expect(rec.experiments.get(0)?.status, what).toBe('keep');
      expect(git(dir, 'rev-parse', `autoresearch/${tag}`).trim(), what).toBe(rec.bestCommit);
    }
    expect(existsSync(projectPaths(dir).lockFile)).toBe(false);
  }, 600_000);
});
