// The run's journal part (run-journal.ts) with a writer in memory: written first, folded and told after; a
// write that fails folds nothing, tells no one, and stops the run once. And the one place a proposal that came
// to nothing stops the run (outcomes.ts, stopFor).
import { describe, expect, it } from 'vitest';
import { JournalWriteError } from '../../src/core/journal/append.js';
import { emptyRunRecord } from '../../src/core/journal/fold.js';
import { stopFor } from '../../src/core/loop/outcomes.js';
import { createRunJournal } from '../../src/core/loop/run-journal.js';
import type { LoopEvent } from '../../src/core/loop/types.js';
import type { JournalEvent } from '../../src/shared/journal.js';

function writer(log: string[], failOn: (e: JournalEvent) => boolean = () => false) {
  return {
    async append(e: JournalEvent) {
      if (failOn(e)) throw new JournalWriteError('/runs/t/journal.jsonl', Object.assign(new Error('no space'), { code: 'ENOSPC' }));
      log.push(`write ${e.type}`);
    },
    folded: () => void log.push('folded'),
    close: async () => undefined,
  };
}

const steer = (note: string): JournalEvent => ({ type: 'steer', at: new Date().toISOString(), note });

describe("the run's journal", () => {
  it('writes an event first, then folds it, then tells the listeners', async () => {
    const log: string[] = [];
    const record = emptyRunRecord();
    const journal = createRunJournal({ writer: writer(log), record, onWriteFailure: () => log.push('stop') });
    journal.subscribe((e: LoopEvent) => log.push(`told ${e.kind} (${record.steering.length} notes folded)`));
    await journal.append(steer('try a smaller batch'));
    expect(log).toEqual(['write steer', 'folded', 'told journal (1 notes folded)']);
    expect(journal.record.steering.map((s) => s.note)).toEqual(['try a smaller batch']);
  });

  it('a failed write folds nothing, tells no one, and stops the run once with the one-line disk message', async () => {
    const log: string[] = [];
    const stops: string[] = [];
    const record = emptyRunRecord();
    const journal = createRunJournal({ writer: writer(log, (e) => e.type === 'steer'), record, onWriteFailure: (err) => stops.push(err.message) });
    journal.subscribe(() => log.push('told'));
    await expect(journal.append(steer('one'))).rejects.toBeInstanceOf(JournalWriteError);
    await expect(journal.append(steer('two'))).rejects.toBeInstanceOf(JournalWriteError);
    expect(log).toEqual([]);
    expect(record.steering).toEqual([]);
    expect(stops).toHaveLength(1);
    expect(stops[0]).toMatch(/^Cannot write the run's journal .*the disk is full \(ENOSPC\)\. The run stopped;/);
    expect(stops[0]).not.toContain('\n');
    expect(journal.failure()?.message).toBe(stops[0]);
  });

  it('a broken listener does not stop the others', async () => {
    const seen: string[] = [];
    const journal = createRunJournal({ writer: writer([]), record: emptyRunRecord(), onWriteFailure: () => undefined });
    journal.subscribe(() => {
      throw new Error('window closed');
    });
    journal.subscribe((e) => seen.push(e.kind));
    await journal.append(steer('x'));
    expect(seen).toEqual(['journal']);
  });
});

describe('stopFor', () => {
  it('a refused key stops the run at once, nothing new to try stops it gracefully, an interruption does not stop it', () => {
    expect(stopFor({ kind: 'fatal', message: 'The API key was refused.' })).toEqual({ reason: 'auth', message: 'The API key was refused.', graceful: false });
    expect(stopFor({ kind: 'exhausted', message: 'Nothing new.' })).toEqual({ reason: 'exhausted', message: 'Nothing new.', graceful: true });
    expect(stopFor({ kind: 'interrupted', message: 'Stopped.' })).toBeNull();
  });
});
