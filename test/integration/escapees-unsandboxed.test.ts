// Issue 21 item 7: without bubblewrap or a systemd user scope, processes that leave their group and clear their
// environment (`setsid env -i …`, a python double fork that execs with an empty environment) escape both the
// process-group kill and the marker sweep. The run holds them in a PID namespace (unshare) where the machine
// allows one; where none is available the run says so once, naming what is not contained.
// Every test here runs with AUTORESEARCH_SANDBOX=off: the unsandboxed case is the one under test.
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import type { JournalEvent } from '../../src/shared/journal.js';
import { pidNamespacePrefix } from '../../src/core/exec/pid-namespace.js';
import { runCommand } from '../../src/core/exec/run-command.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { killHard } from '../helpers/processes.js';
import { cleanupTempDirs, scoredProject, tempDir } from '../helpers/project.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

// The trainer starts two escapees, each of which says it started (a file in $2) and then sleeps with the token
// ($1) on its command line; it prints the metric only once both are up.
const ESCAPE_SH = `token=$1; seen=$2
setsid env -i /bin/sh -c "touch '$seen/setsid'; sleep 600; : $token" </dev/null >/dev/null 2>&1 &
python3 escape.py "$token" "$seen"
while [ ! -e "$seen/setsid" ] || [ ! -e "$seen/double-fork" ]; do sleep 0.05; done
echo 'val_bpb: 1.0'
`;
const ESCAPE_PY = `import os, sys
token, seen = sys.argv[1], sys.argv[2]
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        fd = os.open('/dev/null', os.O_RDWR)
        for i in (0, 1, 2):
            os.dup2(fd, i)
        os.execve('/bin/sh', ['/bin/sh', '-c', f"touch '{seen}/double-fork'; sleep 600; : {token}"], {})
    os._exit(0)
os.wait()
`;

/** Live (not zombie) processes whose command line carries the token. */
function withToken(token: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const cmd = readFileSync(`/proc/${name}/cmdline`, 'utf8');
      const state = readFileSync(`/proc/${name}/stat`, 'utf8').replace(/^.*\) /, '')[0];
      if (cmd.includes(token) && state !== 'Z') out.push(Number(name));
    } catch {
      // Gone while read.
    }
  }
  return out;
}

function setup(): { dir: string; token: string; seen: string } {
  const token = `ar-escapee-${randomUUID()}`;
  const seen = tempDir('ar-escapees-');
  const { dir } = scoredProject({ run: { command: `/bin/sh escape.sh ${token} ${seen}` } }, { 'escape.sh': ESCAPE_SH, 'escape.py': ESCAPE_PY });
  return { dir, token, seen };
}

const notices = (dir: string, tag: string) =>
  readFileSync(runPaths(dir, tag).journal, 'utf8')
    .trimEnd()
    .split('\n')
    .map((l) => JSON.parse(l) as JournalEvent)
    .filter((e): e is Extract<JournalEvent, { type: 'notice' }> => e.type === 'notice');

it.skipIf(pidNamespacePrefix() === null)('escapees that clear their environment die with their experiment, held in a PID namespace', async () => {
  const { dir, token, seen } = setup();
  const r = await runCli(['run', dir, '--tag', 'ns', '--max-experiments', '1'], { env: { AUTORESEARCH_SANDBOX: 'off' } });
  const left = withToken(token);
  try {
    expect(r.code).toBe(0);
    // Both escapees really ran (the trainer waited for them) …
    expect(existsSync(path.join(seen, 'setsid')) && existsSync(path.join(seen, 'double-fork'))).toBe(true);
    // … and none outlived the run.
    expect(left).toEqual([]);
    expect(notices(dir, 'ns').some((n) => /Not contained here/.test(n.message))).toBe(false);
  } finally {
    killHard(left);
  }
}, 180_000);

it('where no PID namespace or systemd scope is available, the run says once what is not contained', async () => {
  const { dir, token, seen } = setup();
  // AUTORESEARCH_NO_PIDNS and AUTORESEARCH_NO_CGROUP: this machine as one that has neither (macOS, a locked container).
  const r = await runCli(['run', dir, '--tag', 'none', '--max-experiments', '1'], { env: { AUTORESEARCH_SANDBOX: 'off', AUTORESEARCH_NO_PIDNS: '1', AUTORESEARCH_NO_CGROUP: '1' } });
  const left = withToken(token);
  try {
    expect(r.code).toBe(0);
    expect(existsSync(path.join(seen, 'setsid')) && existsSync(path.join(seen, 'double-fork'))).toBe(true);
    // The fault is real here: what the notice warns of happened.
    expect(left.length).toBeGreaterThanOrEqual(2);
    const said = notices(dir, 'none').filter((n) => /Not contained here/.test(n.message));
    expect(said).toHaveLength(1);
    expect(said[0]!.level).toBe('warning');
    expect(said[0]!.message).toMatch(/setsid env -i, a double fork/);
    // The terminal shows it once, on one line.
    const lines = r.stderr.split('\n').filter((l) => /Not contained here/.test(l));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^warning: .*install bubblewrap to hold them\.$/);
  } finally {
    killHard(left);
  }
}, 180_000);

/** Runs `command` in a PID namespace and stops it once it printed "ready"; its result and output. */
async function stopInNamespace(command: string) {
  const cwd = tempDir('ar-pidns-');
  const ctl = new AbortController();
  let out = '';
  const r = await runCommand({
    command,
    cwd,
    env: process.env,
    logFile: path.join(cwd, 'log'),
    logMaxBytes: 1 << 20,
    timeoutMs: 60_000,
    graceMs: 5_000,
    signal: ctl.signal,
    pidNamespace: pidNamespacePrefix(),
    onOutput: (t) => {
      out += t;
      if (out.includes('ready')) ctl.abort();
    },
  });
  return { r, out };
}

it.skipIf(pidNamespacePrefix() === null)('in the PID namespace a stop still reaches the command as TERM first (its handler runs, its exit code comes back)', async () => {
  // A trainer that saves on TERM.
  const saver = await stopInNamespace(`trap 'echo saved on TERM; exit 7' TERM; echo ready; while :; do sleep 0.05; done`);
  expect(saver.r.aborted).toBe(true);
  expect(saver.out).toContain('saved on TERM');
  expect(saver.r.exitCode).toBe(7);
  // A command with no handler, exec'd by its shell: were it the namespace's first process, the kernel would drop the
  // TERM and only the KILL after the grace would end it (no exit code, signal SIGKILL). It ends by the TERM: 128 + 15.
  const plain = await stopInNamespace(`echo ready; exec sleep 60`);
  expect(plain.r.aborted).toBe(true);
  expect(plain.r.signal).toBeNull();
  expect(plain.r.exitCode).toBe(143);
}, 90_000);
