import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand, type RunCommandOptions } from '../../src/core/exec/run-command.js';
import { isProcessGroupAlive } from '../../src/core/exec/kill-tree.js';
import { killHard, pgidOf, pidRunning, pythonTrainer, readPidsFile, trainer, waitUntil } from '../helpers/processes.js';

let dir: string;
const leftovers = new Set<number>();
beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'ar-exec-'));
});
afterEach(async () => {
  killHard(leftovers);
  leftovers.clear();
  await rm(dir, { recursive: true, force: true });
});

const baseEnv = () => ({ ...process.env });
const run = (command: string, over: Partial<RunCommandOptions> = {}) =>
  runCommand({
    command,
    cwd: dir,
    env: baseEnv(),
    logFile: path.join(dir, 'logs', 'run.log'),
    logMaxBytes: 50 * 1024 * 1024,
    timeoutMs: 60_000,
    graceMs: 2_000,
    ...over,
  });
const logText = (file = path.join(dir, 'logs', 'run.log')) => readFile(file, 'utf8');

describe('runCommand: exit, output, environment', () => {
  it('reports exit codes, creates the log folder, and never throws for a failing command', async () => {
    const ok = await run('exit 0');
    expect(ok).toMatchObject({ exitCode: 0, signal: null, timedOut: false, aborted: false, spawnError: null, outputBytes: 0 });
    expect(await logText()).toBe('');
    const three = await run('echo failing; exit 3');
    expect(three).toMatchObject({ exitCode: 3, signal: null, outputBytes: 8, tail: 'failing\n' });
  });

  it('writes exactly the command output to the log (a real trainer, compared byte for byte)', async () => {
    const env = { ...baseEnv(), STEPS: '50', VAL_BPB: '0.9812', EXIT_CODE: '2' };
    const r = await run(pythonTrainer('print-metric.py'), { env });
    expect(r.exitCode).toBe(2);
    let expected: Buffer;
    try {
      execFileSync('python3', [trainer('print-metric.py')], { env, cwd: dir });
      throw new Error('expected exit 2');
    } catch (err) {
      expected = (err as { stdout: Buffer }).stdout;
    }
    const log = await readFile(path.join(dir, 'logs', 'run.log'));
    expect(log.equals(expected)).toBe(true);
    expect(r.outputBytes).toBe(expected.length);
    expect(r.droppedBytes).toBe(0);
    expect(r.tail).toContain('val_bpb:          0.981200');
    // The \r progress collapses to the last version in the tail.
    expect(r.tail).not.toContain('\r');
    expect(r.tail).toContain('step 00050 (100.0%)');
    expect(r.tail).not.toContain('step 00049');
  });

  it('interleaves stdout and stderr into the log; a crash leaves its traceback in the tail', async () => {
    const r = await run(pythonTrainer('crash.py'), { env: { ...baseEnv(), CRASH_MESSAGE: 'boom at step 3' } });
    expect(r.exitCode).toBe(1);
    const log = await logText();
    expect(log).toMatch(/^Compiling model\.\.\.\n/);
    expect(log).toContain('Traceback (most recent call last):');
    expect(r.tail).toMatch(/RuntimeError: boom at step 3\n$/);
    expect(r.tail).toContain('step 00004 (40.0%) | loss: 3.2\n');
  });

  it('passes exactly the given environment (the caller merges process.env)', async () => {
    const r = await run('printf "%s|%s|%s" "$FOO" "${HOME-unset}" "${GONE-unset}"', {
      env: { PATH: process.env.PATH, FOO: 'bar baz', GONE: undefined },
    });
    expect(r.exitCode).toBe(0);
    expect(await logText()).toBe('bar baz|unset|unset');
  });

  it('runs in cwd through /bin/sh -c, so pipes and redirections work', async () => {
    await writeFile(path.join(dir, 'input.txt'), 'b\na\nc\n');
    const r = await run('sort input.txt | tr "\\n" "," && pwd');
    expect(r.exitCode).toBe(0);
    expect(await logText()).toBe(`a,b,c,${await realpath(dir)}\n`);
  });

  it('writes stdin to the command and closes it; without stdin the command reads /dev/null', async () => {
    const fed = await run('cat; echo "[done]"', { stdin: 'hello\nwörld\n' });
    expect(fed.exitCode).toBe(0);
    expect(await logText()).toBe('hello\nwörld\n[done]\n');
    const none = await run('cat; echo "[eof]"', { timeoutMs: 20_000 });
    expect(none).toMatchObject({ exitCode: 0, timedOut: false });
    expect(await logText()).toBe('[eof]\n');
    // A command that never reads a large stdin must not fail the run (EPIPE is not an error).
    const ignored = await run('exit 0', { stdin: 'x'.repeat(4 * 1024 * 1024) });
    expect(ignored).toMatchObject({ exitCode: 0, spawnError: null });
  });

  it('decodes multi-byte UTF-8 split across chunks for onOutput, and logs the raw bytes', async () => {
    const text = 'héllo wörld 日本語 🎉\n';
    const pieces: string[] = [];
    const r = await run(pythonTrainer('utf8-drip.py'), { env: { ...baseEnv(), TEXT: text, DRIP_MS: '3' }, onOutput: (t) => pieces.push(t) });
    expect(r.exitCode).toBe(0);
    expect(pieces.join('')).toBe(text);
    expect(pieces.join('')).not.toContain('\uFFFD');
    // The bytes did arrive in several chunks, so the decoder really had to join characters.
    expect(pieces.length).toBeGreaterThan(3);
    expect(r.outputBytes).toBe(Buffer.byteLength(text));
    expect(await logText()).toBe(text);
    expect(r.tail).toBe(text);
  });

  it('passes binary garbage through to the log unchanged', async () => {
    const env = { ...baseEnv(), FLOOD_MB: '1', FLOOD_STYLE: 'binary' };
    const r = await run(pythonTrainer('flood.py'), { env });
    const expected = execFileSync('python3', [trainer('flood.py')], { env, maxBuffer: 16 * 1024 * 1024 });
    expect(r.exitCode).toBe(0);
    expect((await readFile(path.join(dir, 'logs', 'run.log'))).equals(expected)).toBe(true);
    expect(r.tail).toMatch(/val_bpb: {10}0\.997900\n/);
  });

  it('awaits onStart with the pid, which leads its own process group', async () => {
    let seen: { pid: number; pgid: number; groupOfPid: number | null } | null = null;
    const order: string[] = [];
    // onStart holds until the test lets it go: the command ends meanwhile, and runCommand still waits for it.
    let letGo!: () => void;
    const held = new Promise<void>((res) => (letGo = res));
    let answered = false;
    const pending = run('echo out', {
      onStart: async ({ pid, pgid }) => {
        seen = { pid, pgid, groupOfPid: pgidOf(pid) };
        await held;
        order.push('onStart done');
      },
      onOutput: () => order.push('output'),
    });
    void pending.then(() => (answered = true));
    expect(await waitUntil(() => seen !== null && !pidRunning(seen.pid))).toBe(true);
    expect(answered).toBe(false);
    letGo();
    const r = await pending;
    expect(r.exitCode).toBe(0);
    expect(seen).not.toBeNull();
    expect(seen!.pgid).toBe(seen!.pid);
    // The pid may have exited already when onStart ran (then null); if it is there it leads its group.
    if (seen!.groupOfPid !== null) expect(seen!.groupOfPid).toBe(seen!.pid);
    expect(order).toContain('onStart done');
  });

  it('kills the command and rethrows when onStart fails (nothing runs unrecorded)', async () => {
    let pid = 0;
    // Left alone it would outlast the test's timeout: the answer at all means it was killed.
    await expect(
      run('sleep 600', {
        graceMs: 500,
        onStart: (p) => {
          pid = p.pid;
          leftovers.add(p.pid);
          throw new Error('journal disk gone');
        },
      }),
    ).rejects.toThrow('journal disk gone');
    expect(pidRunning(pid)).toBe(false);
  });

  it('keeps output flowing when onOutput throws', async () => {
    const r = await run('echo a; echo b', { onOutput: () => { throw new Error('ui bug'); } });
    expect(r.exitCode).toBe(0);
    expect(await logText()).toBe('a\nb\n');
  });
});

describe('runCommand: spawn errors', () => {
  it('says so when cwd does not exist or is a file, and runs nothing', async () => {
    const missing = await run('echo hi', { cwd: path.join(dir, 'nope') });
    expect(missing).toMatchObject({ exitCode: null, signal: null, outputBytes: 0 });
    expect(missing.spawnError).toMatch(/working directory .*nope does not exist/);
    await writeFile(path.join(dir, 'file'), '');
    const file = await run('echo hi', { cwd: path.join(dir, 'file') });
    expect(file.spawnError).toMatch(/is not a directory/);
  });

  it('says so when the log file cannot be created', async () => {
    await writeFile(path.join(dir, 'blocker'), '');
    const r = await run('echo hi', { logFile: path.join(dir, 'blocker', 'x', 'run.log') });
    expect(r.exitCode).toBeNull();
    expect(r.spawnError).toMatch(/Could not create the log file .*blocker/);
  });

  it('reports an abort that came before the start without running anything', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await run(`touch '${path.join(dir, 'ran')}'`, { signal: ac.signal });
    expect(r).toMatchObject({ aborted: true, exitCode: null, spawnError: null });
    await expect(stat(path.join(dir, 'ran'))).rejects.toThrow();
  });

  it('ends a command whose abort came while it was being started (the log opened, the child spawned)', async () => {
    // Aborted just after the call: past the check on entry, before the listener is set. (A Stop pressed just as a
    // trainer started was missed, and the trainer ran until its timeout: CI's loop-pipeline stop test.)
    const ac = new AbortController();
    const done = run(`sleep 2; touch '${path.join(dir, 'ran')}'`, { signal: ac.signal });
    ac.abort();
    const r = await done;
    expect(r).toMatchObject({ aborted: true, timedOut: false });
    expect(r.exitCode).not.toBe(0);
    await expect(stat(path.join(dir, 'ran'))).rejects.toThrow();
  });
});

describe('runCommand: timeouts, aborts and leftover processes', () => {
  it('kills a SIGTERM-ignoring trainer and its grandchildren on timeout, SIGTERM first', async () => {
    const pidsFile = path.join(dir, 'pids');
    const termLog = path.join(dir, 'term.log');
    const pidsPromise = readPidsFile(pidsFile, 60_000).then((pids) => {
      pids.forEach((p) => leftovers.add(p));
      return pids;
    });
    let pgid = 0;
    const started = Date.now();
    const r = await run(pythonTrainer('hang-ignore-term.py'), {
      env: { ...baseEnv(), PIDS_FILE: pidsFile, TERM_LOG: termLog },
      timeoutMs: 4_000,
      graceMs: 800,
      onStart: (p) => void (pgid = p.pgid),
    });
    const pids = await pidsPromise;
    expect(r).toMatchObject({ timedOut: true, aborted: false, exitCode: null });
    // The direct child is /bin/sh (it dies of the SIGTERM) or python itself, when the shell execs it (SIGKILL).
    expect(['SIGTERM', 'SIGKILL']).toContain(r.signal);
    // A lower bound only (never a speed check): the SIGKILL did not come before the timeout and the grace.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000 + 800 - 100);
    expect(pids).toHaveLength(3);
    for (const pid of pids) expect(pidRunning(pid), `pid ${pid}`).toBe(false);
    expect(isProcessGroupAlive(pgid)).toBe(false);
    // Every process got the SIGTERM (and ignored it) before the SIGKILL.
    const terms = (await readFile(termLog, 'utf8')).trim().split('\n').sort();
    expect(terms).toEqual(pids.map((p) => `TERM ${p}`).sort());
  });

  it('stops after SIGTERM when the command honours it, well before the grace period ends', async () => {
    // A grace far past the test's timeout: the test ends in time only if the SIGTERM was enough (exit 7, not SIGKILL).
    const r = await run('trap "echo got TERM; exit 7" TERM; echo ready; sleep 60 & wait', { timeoutMs: 1_500, graceMs: 600_000 });
    expect(r.timedOut).toBe(true);
    expect(r.exitCode).toBe(7);
    expect(await logText()).toBe('ready\ngot TERM\n');
  });

  it('aborts: kills the group and reports aborted, not timed out', async () => {
    const ac = new AbortController();
    const pidFile = path.join(dir, 'bg.pid');
    const r = await run(`sleep 120 & echo $! > '${pidFile}'; echo ready; wait`, {
      signal: ac.signal,
      graceMs: 1_000,
      onOutput: (t) => {
        if (t.includes('ready')) ac.abort();
      },
    });
    expect(r).toMatchObject({ aborted: true, timedOut: false, exitCode: null, signal: 'SIGTERM' });
    const bg = Number(await readFile(pidFile, 'utf8'));
    leftovers.add(bg);
    expect(pidRunning(bg)).toBe(false);
  });

  it('kills background processes the command left in its group when it exits normally', async () => {
    const pidFile = path.join(dir, 'bg.pid');
    const r = await run(`sleep 120 & echo $! > '${pidFile}'; echo main done`, { graceMs: 1_000 });
    const bg = Number(await readFile(pidFile, 'utf8'));
    leftovers.add(bg);
    expect(r).toMatchObject({ exitCode: 0, timedOut: false, aborted: false });
    expect(pidRunning(bg)).toBe(false);
    expect(await logText()).toBe('main done\n');
  });

  it('returns even when a process that escaped the group (setsid) holds the output pipes', async () => {
    const pidsFile = path.join(dir, 'pids');
    // The escaped process holds the pipes for 120 s, past the test's timeout: returning at all is the point.
    const r = await run(pythonTrainer('escape-setsid.py'), {
      env: { ...baseEnv(), PIDS_FILE: pidsFile, TRAINER_SLEEP: '0', ESCAPE_SLEEP: '120' },
      graceMs: 500,
    });
    const [trainerPid, escaped] = await readPidsFile(pidsFile);
    leftovers.add(escaped!);
    expect(r.exitCode).toBe(0);
    expect(await logText()).toBe('ready\n');
    expect(pidRunning(trainerPid!)).toBe(false);
  });
});

async function realpath(p: string): Promise<string> {
  const { realpath: rp } = await import('node:fs/promises');
  return rp(p);
}
