// The process table from /proc (core/exec/proc-table.ts): a stat line read into one reused buffer must still
// give each process's own fields, whatever its command name holds, and nothing for a process that is gone.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasProcFs, listProcesses, readProcEntry } from '../../src/core/exec/proc-table.js';

describe.skipIf(!hasProcFs())('proc table', () => {
  it('reads a process whose command name holds ") " and spaces, and this one, and nothing for a pid that is gone', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ar-proc-'));
    const odd = path.join(dir, 'x) S 1 2 3');
    symlinkSync('/bin/sleep', odd);
    const child = spawn(odd, ['30'], { stdio: 'ignore', detached: true });
    try {
      await new Promise((resolve) => child.once('spawn', resolve));
      const entry = readProcEntry(child.pid!);
      expect(entry).toEqual({ pid: child.pid, ppid: process.pid, pgid: child.pid, state: expect.stringMatching(/^[RSD]$/) });
      const self = readProcEntry(process.pid)!;
      expect(self.ppid).toBe(process.ppid);
      const table = listProcesses();
      // The state may change between two reads (R, then S): the rest may not.
      expect(table.find((p) => p.pid === child.pid)).toEqual({ ...entry, state: expect.any(String) });
      expect(table.find((p) => p.pid === process.pid)).toEqual({ ...self, state: expect.any(String) });
    } finally {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
      rmSync(dir, { recursive: true, force: true });
    }
    expect(readProcEntry(child.pid!)).toBeNull();
  });
});
