// An SSH slot reuses one connection and one session for a whole run (issue #23 item 4): each new ssh session
// runs the user's login shell on the host, ~/.bashrc included (seconds on hosts with pyenv or conda), so the
// executor sends every step of every experiment through one shared shell (src/core/exec/ssh-shell.ts) over one
// master connection. Counted on a real sshd (test/helpers/ssh-server.ts): its log's accepted connections and,
// through its ForceCommand, every session started.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { sshAvailability, startSshServer, type SshServer } from '../helpers/ssh-server.js';

const available = sshAvailability();
if (!available.ok && process.env.CI === 'true') throw new Error(`SSH tests must run under CI: ${available.reason}`);

describe.skipIf(!available.ok)(`SSH slot connection reuse${available.ok ? '' : ` (skipped: ${(available as { reason: string }).reason})`}`, () => {
  let server: SshServer;
  beforeAll(async () => {
    buildCli();
    server = await startSshServer({ countSessions: true });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
    cleanupTempDirs();
  }, 60_000);

  it('a run of 6 experiments (baseline and 5 candidates) through an SSH slot opens one connection and a fixed few sessions, not some per experiment', async () => {
    const remoteDir = `${server.remoteRoot}/reuse`;
    const slot = { env: {}, executor: { kind: 'ssh' as const, host: server.host, port: server.port, remoteDir, linked: {}, options: server.options } };
    const { dir } = scoredProject({ budget: { seconds: 2, timeoutSeconds: 30, graceSeconds: 1 }, slots: [slot], acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } } as never);
    // The helper's own readiness check connected without a master; what the run adds is counted from here.
    const connectionsBefore = server.acceptedConnections();
    const sessionsBefore = server.sessions()!;

    const run = await runCli(['run', dir, '--tag', 'reuse', '--max-experiments', '5'], { timeoutMs: 240_000 });
    expect(run.code, `${run.stdout}\n${run.stderr}`).toBe(0);
    const rec = await readRunRecord(dir, 'reuse');
    const all = [...rec.experiments.values()];
    expect(all).toHaveLength(6);
    for (const e of all) {
      expect(['keep', 'discard']).toContain(e.status);
      expect(readFileSync(runPaths(dir, 'reuse').abs(e.logPath!), 'utf8')).toMatch(/^val_bpb:\s+\d/m);
    }
    // Every candidate commit reached the host's repository (sent as a pack through the shell, not pushed).
    for (const e of all) expect(git(`${remoteDir}/repo.git`, 'cat-file', '-t', e.commit!).trim()).toBe('commit');

    // One master connection carried the whole run.
    expect(server.acceptedConnections() - connectionsBefore).toBe(1);
    // The shared shell and the first push: a login each. Per-experiment sessions (push, sync, launch, log stream,
    // cleanup: 5 per experiment before) would make at least 6 here.
    const sessions = server.sessions()! - sessionsBefore;
    expect(sessions).toBeGreaterThan(0);
    expect(sessions).toBeLessThanOrEqual(2);
  }, 300_000);
});
