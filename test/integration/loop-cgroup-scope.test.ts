// The cgroup scope per command, where a systemd user session exists, and the fallback where it does not.
// This machine (and CI) has no user session, so systemd is stood in for by fake systemd-run, busctl and
// systemctl on PATH that record how the loop calls them; the real ones take the same arguments.
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/shared/journal.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, scoredProject, tempDir } from '../helpers/project.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

function fakeSystemd(works: boolean): { bin: string; calls: string } {
  const bin = tempDir();
  const calls = path.join(bin, 'calls');
  for (const tool of ['systemd-run', 'busctl', 'systemctl']) {
    const file = path.join(bin, tool);
    writeFileSync(file, `#!/bin/sh\necho "${tool} $*" >> '${calls}'\n${works ? 'exit 0' : 'echo "Failed to connect to bus: No medium found" >&2; exit 1'}\n`);
    chmodSync(file, 0o755);
  }
  return { bin, calls };
}

describe('a cgroup scope per command', () => {
  it('with a systemd user session: each command is adopted into its own scope, which is stopped when it ends', async () => {
    const { bin, calls } = fakeSystemd(true);
    const { dir } = scoredProject();
    const r = await runCli(['run', dir, '--tag', 'cg', '--max-experiments', '1'], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code).toBe(0);
    const log = readFileSync(calls, 'utf8').trim().split('\n');
    expect(log.filter((l) => l.startsWith('systemd-run')).length).toBe(1); // detected once per process
    const starts = readFileSync(runPaths(dir, 'cg').journal, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as JournalEvent).filter((e) => e.type === 'process-start');
    expect(starts.length).toBeGreaterThanOrEqual(2); // the baseline's runs and the candidate's
    for (const s of starts) {
      if (s.type !== 'process-start') continue;
      const adopt = log.findIndex((l) => l.startsWith('busctl --user call org.freedesktop.systemd1') && l.includes(` PIDs au 1 ${s.pid} `));
      expect(adopt, `pid ${s.pid} adopted`).toBeGreaterThanOrEqual(0);
      const unit = /StartTransientUnit ssa\(sv\)a\(sa\(sv\)\) (\S+\.scope)/.exec(log[adopt]!)![1]!;
      const kill = log.findIndex((l) => l === `systemctl --user kill --signal=SIGKILL ${unit}`);
      expect(kill).toBeGreaterThan(adopt);
      expect(log).toContain(`systemctl --user stop ${unit}`);
    }
  }, 60_000);

  it('without one: detected once, nothing adopted, the run goes on with process groups and the marker', async () => {
    const { bin, calls } = fakeSystemd(false);
    const { dir } = scoredProject();
    const r = await runCli(['run', dir, '--tag', 'nocg', '--max-experiments', '1'], { env: { PATH: `${bin}:${process.env.PATH}` } });
    expect(r.code).toBe(0);
    expect(existsSync(calls)).toBe(true);
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([expect.stringMatching(/^systemd-run --user --scope --quiet --collect -- true$/)]);
  }, 60_000);
});
