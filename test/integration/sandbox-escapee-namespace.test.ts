// The local executor does not sweep /proc for escaped processes after a bubblewrap command (local-executor.ts):
// the command's PID namespace is torn down with it. This checks that claim on the real thing: a sandboxed command
// that starts a setsid escapee and exits normally leaves nothing running once run() returns.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLocalExecutor } from '../../src/core/exec/local-executor.js';
import { findBwrap } from '../../src/core/exec/sandbox.js';
import { tempDir } from '../helpers/project.js';

/** Processes whose command line holds `needle`, as /proc shows them. */
function processesWith(needle: string): number[] {
  const found: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').includes(needle)) found.push(Number(name));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

let dir: string;
beforeEach(async () => {
  dir = tempDir('ar-escns-');
  await mkdir(path.join(dir, 'work'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('a sandboxed command that leaves a setsid escapee', () => {
  it('takes it with it when it exits (its PID namespace ends), so no sweep is needed', async () => {
    const bwrap = await findBwrap();
    if (!bwrap) return void console.warn('bubblewrap is not usable here: nothing to check');
    // A marker only this test's escapee carries in its command line (sleep's argument).
    const seconds = `${600 + (process.pid % 97)}.${Date.now() % 100000}`;
    const executor = createLocalExecutor({ projectDir: dir, linked: [], env: process.env });
    const work = path.join(dir, 'work');
    let started = false;
    const result = await executor.run({
      command: `setsid sleep ${seconds} </dev/null >/dev/null 2>&1 & sleep 0.3; echo started`,
      cwd: work,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
      logFile: path.join(dir, 'run.log'),
      logMaxBytes: 1 << 20,
      timeoutMs: 60_000,
      graceMs: 2_000,
      sandbox: { bwrap, spec: { writable: [work], network: false } },
      onStart: () => void (started = true),
    });
    expect(started).toBe(true);
    expect(result.exitCode).toBe(0);
    expect(readFileSync(path.join(dir, 'run.log'), 'utf8')).toContain('started');
    expect(processesWith(`sleep\0${seconds}`)).toEqual([]);
  });
});
