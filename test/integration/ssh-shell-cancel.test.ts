// A step the app gives up on over SSH (its timeout, a stop) is ended on the host too (src/core/exec/ssh-shell.ts):
// before, only the app stopped waiting, and a worktree sync given up after its 300 s went on in the slot's remote
// worktree while the next experiment's sync ran into it. On a real sshd (test/helpers/ssh-server.ts), whose
// "host" is this machine, so the test sees the host's files and processes.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { remoteShell } from '../../src/core/exec/ssh-shell.js';
import { sshAvailability, startSshServer, type SshServer } from '../helpers/ssh-server.js';
import { pidRunning } from '../helpers/processes.js';

const available = sshAvailability();
if (!available.ok && process.env.CI === 'true') throw new Error(`SSH tests must run under CI: ${available.reason}`);

describe.skipIf(!available.ok)(`SSH steps given up on${available.ok ? '' : ` (skipped: ${(available as { reason: string }).reason})`}`, () => {
  let server: SshServer;
  let dir: string;
  beforeAll(async () => {
    server = await startSshServer();
    dir = `${server.remoteRoot}/cancel`;
    mkdirSync(dir, { recursive: true });
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  const shell = () => remoteShell({ host: server.host, port: server.port, options: server.options, env: process.env });

  /** A step that records its pid and a grandchild's, then writes `name` after 3 s (and the grandchild `name.child`). */
  const slowStep = (name: string) =>
    `echo $$ > ${dir}/${name}.pid\n(sleep 3; touch ${dir}/${name}.child) &\necho $! > ${dir}/${name}.childpid\nsleep 3\ntouch ${dir}/${name}\n`;

  const pidOf = async (file: string) => {
    for (let i = 0; i < 100 && !existsSync(file); i++) await sleep(50);
    return Number(readFileSync(file, 'utf8').trim());
  };

  it('a step past its timeout is ended on the host, its grandchildren with it, and the shell goes on serving', async () => {
    const sh = shell();
    const t0 = Date.now();
    const [givenUp, beside] = await Promise.all([sh.run(slowStep('timed'), { timeoutMs: 1_000 }), sh.run('sleep 1.5; echo beside\n', { timeoutMs: 30_000 })]);
    expect(givenUp.code).toBeNull();
    expect(givenUp.stderr).toMatch(/no answer from the host within 1 s/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    // The other step sent on the same shell at the same time is not touched.
    expect(beside).toMatchObject({ code: 0, stdout: 'beside\n' });

    const step = await pidOf(`${dir}/timed.pid`);
    const child = await pidOf(`${dir}/timed.childpid`);
    for (let i = 0; i < 60 && (pidRunning(step) || pidRunning(child)); i++) await sleep(100);
    expect(pidRunning(step), 'the step itself').toBe(false);
    expect(pidRunning(child), 'its grandchild').toBe(false);
    // Past the time it would have finished: neither wrote its file.
    await sleep(3_500 - (Date.now() - t0) + 500);
    expect(existsSync(`${dir}/timed`)).toBe(false);
    expect(existsSync(`${dir}/timed.child`)).toBe(false);

    const after = await sh.run('echo still here\n', { timeoutMs: 30_000 });
    expect(after).toMatchObject({ code: 0, stdout: 'still here\n' });
  }, 60_000);

  it('a step whose signal is aborted (a stop) is ended on the host; one that finished is not disturbed by it', async () => {
    const sh = shell();
    const stop = new AbortController();
    const t0 = Date.now();
    const pending = sh.run(slowStep('stopped'), { signal: stop.signal, timeoutMs: 30_000 });
    await pidOf(`${dir}/stopped.pid`);
    stop.abort();
    const r = await pending;
    expect(r).toMatchObject({ code: null, stderr: 'aborted' });
    await sleep(Math.max(0, 4_000 - (Date.now() - t0)));
    expect(existsSync(`${dir}/stopped`)).toBe(false);
    expect(existsSync(`${dir}/stopped.child`)).toBe(false);

    // Aborted as soon as it is sent (the host may not have started it yet): ended all the same.
    const early = new AbortController();
    const t1 = Date.now();
    const gone = sh.run(`sleep 2; touch ${dir}/early\n`, { signal: early.signal });
    early.abort();
    expect((await gone).code).toBeNull();
    const done = await sh.run(`touch ${dir}/done; echo ok\n`, { timeoutMs: 30_000 });
    expect(done).toMatchObject({ code: 0, stdout: 'ok\n' });
    expect(existsSync(`${dir}/done`)).toBe(true);
    await sleep(Math.max(0, 3_000 - (Date.now() - t1)));
    expect(existsSync(`${dir}/early`)).toBe(false);
  }, 60_000);
});
