// The CLI against what terminals do to it: a reader that closes the pipe (`| head -1`), a closed terminal
// (SIGHUP), Ctrl-C, and a run that must outlive its terminal (--detach). Real bundle, real shells, real signals.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { projectPaths, runPaths } from '../../src/core/project/paths.js';
import { buildCli, CLI, runCli, spawnCli } from '../helpers/cli.js';
import { killHard, pidRunning, waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, scoredProject, tempDir } from '../helpers/project.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

/** Records its pid, sleeps SLEEP_MS, prints a metric that depends on the code. */
const SLOW_TRAINER = `import { appendFileSync, existsSync } from 'node:fs';
const LEARNING_RATE = 0.01;
if (process.env.PIDS_FILE) appendFileSync(process.env.PIDS_FILE, process.pid + '\\n');
await new Promise((r) => setTimeout(r, Number(process.env.SLEEP_MS ?? 0)));
// With RELEASE_FILE the test, not the clock, decides when the trainer finishes (robust on a loaded machine).
while (process.env.RELEASE_FILE && !existsSync(process.env.RELEASE_FILE)) await new Promise((r) => setTimeout(r, 20));
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;

/** Runs `node CLI args | reader` in bash and returns the CLI's own exit code and stderr. */
function pipeline(args: string[], reader: string, env: Record<string, string> = {}): { code: number; stderr: string; piped: string } {
  const errFile = path.join(tempDir(), 'stderr');
  const quoted = args.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const out = execFileSync('bash', ['-c', `'${process.execPath}' '${CLI}' ${quoted} 2>'${errFile}' | ${reader}; echo "exit=\${PIPESTATUS[0]}"`], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const code = Number(/exit=(\d+)\s*$/.exec(out)![1]);
  return { code, stderr: readFileSync(errFile, 'utf8'), piped: out.replace(/exit=\d+\s*$/, '') };
}

describe('output to a closed pipe (EPIPE)', () => {
  it('`run … | head -1` finishes the run: no stack trace, run-stop recorded, lock released, resumable', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': SLOW_TRAINER });
    const r = pipeline(['run', dir, '--tag', 'pipe', '--max-experiments', '3'], 'head -1', { SLEEP_MS: '200' });
    expect(r.piped).toMatch(/^Run pipe on branch/);
    expect(r.stderr).not.toMatch(/EPIPE|Error:|at .*\.mjs/);
    expect(r.code).toBe(0);
    const rec = await readRunRecord(dir, 'pipe');
    expect(rec.stopReason).toBe('max-experiments');
    expect([...rec.experiments.values()].filter((e) => e.kind === 'candidate')).toHaveLength(3);
    expect(existsSync(projectPaths(dir).lockFile)).toBe(false);

    const again = await runCli(['run', dir, '--tag', 'pipe', '--max-experiments', '4'], { env: { SLEEP_MS: '0' } });
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Resuming run pipe/);
  }, 120_000);

  it('`status | head -c 0` exits 0 without a stack trace', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': SLOW_TRAINER });
    expect((await runCli(['run', dir, '--tag', 's', '--max-experiments', '1'])).code).toBe(0);
    // Many runs' worth of text, so the write certainly meets the closed pipe.
    for (let i = 0; i < 3; i++) {
      const r = pipeline(['status', dir], 'head -c 0');
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  }, 60_000);
});

describe('signals', () => {
  it('SIGHUP (a closed terminal) stops cleanly like SIGTERM: trainer killed, interrupted recorded, no stale lock, exit 129', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': SLOW_TRAINER });
    const pids = path.join(tempDir(), 'pids');
    // Unsandboxed: this test watches the trainer's host pid to prove the harness killed it; inside the sandbox's PID namespace the trainer cannot know that pid (and bwrap's --die-with-parent kills it with the CLI anyway); AUTORESEARCH_NO_PIDNS=1 keeps it out of the PID namespace an unsandboxed command gets otherwise (pid-namespace.ts), for the same reason. The sandboxed kill is in sandbox.test.ts.
    const child = spawnCli(['run', dir, '--tag', 'hup'], { env: { SLEEP_MS: '60000', PIDS_FILE: pids, AUTORESEARCH_SANDBOX: 'off', AUTORESEARCH_NO_PIDNS: '1' } });
    const closed = new Promise<string>((r) => child.once('close', (code, signal) => r(signal ?? String(code))));
    expect(await waitUntil(() => existsSync(pids), 30_000)).toBe(true);
    const trainer = Number(readFileSync(pids, 'utf8').trim());
    child.kill('SIGHUP');
    // Ended by SIGHUP itself once the stop is recorded (a shell reports 129): the terminal is gone.
    expect(await closed).toBe('SIGHUP');
    expect(pidRunning(trainer)).toBe(false);
    expect(existsSync(projectPaths(dir).lockFile)).toBe(false);
    const rec = await readRunRecord(dir, 'hup');
    expect(rec.experiments.get(0)!.status).toBe('interrupted');
    expect(rec.stopReason).toBe('signal');
    expect([...rec.openProcesses.values()]).toEqual([]);
  }, 90_000);

  it('a closed terminal (the pty closed under a plain run) journals a clean stop and ends by SIGHUP, not SIGABRT', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': SLOW_TRAINER });
    // python's pty.fork: the CLI gets a real controlling terminal; closing its master is what closing the
    // terminal window does (the kernel sends SIGHUP, and the tty is gone when Node exits).
    const script = path.join(tempDir(), 'closepty.py');
    writeFileSync(
      script,
      [
        'import os, pty, select, sys, time',
        'pid, fd = pty.fork()',
        'if pid == 0:',
        '    os.execvp(sys.argv[1], sys.argv[1:])',
        "buf = b''",
        'deadline = time.time() + 90',
        'while time.time() < deadline:',
        '    r, _, _ = select.select([fd], [], [], 0.2)',
        '    if not r: continue',
        '    try: chunk = os.read(fd, 4096)',
        '    except OSError: break',
        '    if not chunk: break',
        '    buf += chunk',
        "    if b'Logs and results' in buf: break",
        // The terminal closes once the trainer runs (the journal says so), not after a guessed time.
        "journal = os.environ['JOURNAL_FILE']",
        "while time.time() < deadline and not (os.path.exists(journal) and b'process-start' in open(journal, 'rb').read()): time.sleep(0.05)",
        'os.close(fd)',
        '_, status = os.waitpid(pid, 0)',
        "print(('signal %d' % os.WTERMSIG(status)) if os.WIFSIGNALED(status) else ('exit %d' % os.WEXITSTATUS(status)))",
      ].join('\n') + '\n',
    );
    const out = execFileSync('python3', [script, process.execPath, CLI, 'run', dir, '--tag', 'pty'], { env: { ...process.env, SLEEP_MS: '60000', JOURNAL_FILE: runPaths(dir, 'pty').journal }, encoding: 'utf8', timeout: 120_000 });
    expect(out.trim()).toBe('signal 1');
    const rec = await readRunRecord(dir, 'pty');
    expect(rec.stopReason).toBe('signal');
    expect(existsSync(projectPaths(dir).lockFile)).toBe(false);
  }, 150_000);

  it('--detach: the run moves to its own session with output in the run folder and outlives this terminal', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': SLOW_TRAINER });
    const release = path.join(tempDir(), 'release');
    const r = await runCli(['run', dir, '--tag', 'bg', '--max-experiments', '2', '--detach'], { env: { RELEASE_FILE: release } });
    expect(r.code).toBe(0);
    const pid = Number(/process (\d+)/.exec(r.stdout)![1]);
    try {
      expect(r.stdout).toMatch(/continues in the background/);
      // Its own session: no terminal to lose, no SIGHUP when one closes. (The trainers wait for the release
      // file, so the run is certainly still going here.)
      const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
      const sid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[3]);
      expect(sid).toBe(pid);
      writeFileSync(release, '');
      expect(await waitUntil(() => !pidRunning(pid), 90_000)).toBe(true);
      const rec = await readRunRecord(dir, 'bg');
      expect(rec.stopReason).toBe('max-experiments');
      expect(rec.experiments.size).toBe(3);
      const output = readFileSync(path.join(runPaths(dir, 'bg').dir, 'output.log'), 'utf8');
      expect(output).toMatch(/Run bg on branch/);
      expect(output.match(/^\s+#\d+\s/gm)).toHaveLength(3);
    } finally {
      killHard([pid]);
    }
  }, 120_000);

  it('--detach reports a refused start here, with its exit code, and leaves no run folder', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': SLOW_TRAINER });
    writeFileSync(path.join(dir, 'prepare.mjs'), '// edited\n');
    const r = await runCli(['run', dir, '--tag', 'nope', '--detach']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/uncommitted changes to tracked files: prepare\.mjs/);
    expect(existsSync(runPaths(dir, 'nope').dir)).toBe(false);
  }, 60_000);
});
