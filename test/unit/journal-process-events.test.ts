import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readJournalEvents } from '../../src/core/journal/read.js';
import { foldEvents } from '../../src/core/journal/fold.js';

// The setup command runs before experiment 0 and journals its process group under id -1. If reading the
// journal back dropped that event, a run killed during a long data preparation would leave the setup's
// process group running, because resume finds orphans only through the journal.
describe('process events read back from the journal', () => {
  it("keeps the setup command's process group (id -1) so resume can find it, and refuses other negative ids", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ar-journal-proc-'));
    try {
      const file = path.join(dir, 'journal.jsonl');
      const at = new Date(0).toISOString();
      const lines = [
        { type: 'process-start', at, id: -1, pid: 4242, pgid: 4242, what: 'setup' },
        { type: 'process-start', at, id: 3, pid: 5151, pgid: 5151, what: 'run' },
        { type: 'process-start', at, id: -2, pid: 6161, pgid: 6161, what: 'run' },
        { type: 'process-end', at, id: 3, pgid: 5151 },
      ];
      await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const read = await readJournalEvents(file);
      expect(read.badLines).toEqual([3]);
      const rec = foldEvents(read.events);
      expect([...rec.openProcesses.values()]).toEqual([{ id: -1, pid: 4242, pgid: 4242, what: 'setup' }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it('keeps a remote job (no local process group) apart from local ones, and refuses a pgid 0 without one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'ar-journal-remote-'));
    try {
      const file = path.join(dir, 'journal.jsonl');
      const at = new Date(0).toISOString();
      const slurm = { kind: 'slurm', slot: 1, handle: '4711' };
      const lines = [
        { type: 'process-start', at, id: 2, pid: 0, pgid: 0, what: 'run', remote: slurm },
        { type: 'process-start', at, id: 3, pid: 0, pgid: 0, what: 'run', remote: { kind: 'slurm', slot: 0, handle: '4712' } },
        { type: 'process-start', at, id: 4, pid: 0, pgid: 0, what: 'run' },
        { type: 'process-end', at, id: 3, pgid: 0, remote: { kind: 'slurm', slot: 0, handle: '4712' } },
      ];
      await writeFile(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const read = await readJournalEvents(file);
      // pgid 0 with nothing to say where the job runs would make resume signal its own group: refused.
      expect(read.badLines).toEqual([3]);
      const rec = foldEvents(read.events);
      expect([...rec.openProcesses.values()]).toEqual([{ id: 2, pid: 0, pgid: 0, what: 'run', remote: slurm }]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
