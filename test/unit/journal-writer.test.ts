// The journal writer (src/core/journal/append.ts): appends from many callers at once land as whole lines in
// the order they were asked for; a write that fails is reported to its caller as a JournalWriteError, and
// every append after it (queued behind it or asked later) fails with that same error without writing.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { JournalWriteError, openJournalWriter } from '../../src/core/journal/append.js';
import type { NoticeEvent } from '../../src/shared/journal.js';
import { cleanupTempDirs, tempDir } from '../helpers/project.js';

afterEach(cleanupTempDirs);

const notice = (n: number): NoticeEvent => ({ type: 'notice', at: '2026-01-01T00:00:00.000Z', level: 'info', message: `event ${n} ${'x'.repeat(n * 7)}` });

describe('the journal writer', () => {
  it('writes appends from callers at once as whole lines, in the order asked; close waits for them', async () => {
    const file = path.join(tempDir(), 'runs', 't', 'journal.jsonl');
    const writer = await openJournalWriter(file);
    const appends = Array.from({ length: 40 }, (_, n) => writer.append(notice(n)));
    const closing = writer.close();
    await Promise.all(appends);
    await closing;
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((l) => (JSON.parse(l) as NoticeEvent).message)).toEqual(Array.from({ length: 40 }, (_, n) => notice(n).message));
    await expect(writer.append(notice(99))).rejects.toThrow('The journal is closed');
  });

  it('returns from an append only once its own line is in the file, when many share one write', async () => {
    const file = path.join(tempDir(), 'journal.jsonl');
    const writer = await openJournalWriter(file);
    const seen: boolean[] = [];
    // Asked in three waves: the first alone, then 20 together while it is written, then 20 more.
    const wave = (from: number) => Array.from({ length: 20 }, (_, k) => writer.append(notice(from + k)).then(() => void (seen[from + k] = readFileSync(file, 'utf8').includes(`"event ${from + k} `))));
    const first = writer.append(notice(0)).then(() => void (seen[0] = readFileSync(file, 'utf8').includes('"event 0 ')));
    await Promise.all([first, ...wave(1), ...wave(21)]);
    await writer.close();
    expect(seen).toEqual(Array.from({ length: 41 }, () => true));
    expect(readFileSync(file, 'utf8').trimEnd().split('\n')).toHaveLength(41);
  });

  it('reports a failed write to its caller, and fails every later append with the same error', async (ctx) => {
    // /dev/full takes the open and refuses every write with ENOSPC: a full disk without mounting one.
    if (!existsSync('/dev/full')) return ctx.skip('no /dev/full here');
    const writer = await openJournalWriter('/dev/full');
    const first = writer.append(notice(1));
    const queued = writer.append(notice(2));
    const err = await first.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JournalWriteError);
    expect((err as JournalWriteError).code).toBe('ENOSPC');
    expect((err as Error).message).toBe(
      "Cannot write the run's journal /dev/full: the disk is full (ENOSPC). The run stopped; everything recorded before is kept. Free space (or fix the disk), then resume the run with the same --tag.",
    );
    // Queued behind the failure, and asked after it: the same error, not a new attempt.
    await expect(queued).rejects.toBe(err);
    await expect(writer.append(notice(3))).rejects.toBe(err);
    // Closing a failed writer still works (the run closes it on its way out).
    await expect(writer.close()).resolves.toBeUndefined();
  });

  it('starts a new line after a torn last line, so the next event is not glued onto it', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'journal.jsonl');
    const first = await openJournalWriter(file);
    await first.append(notice(1));
    await first.close();
    appendFileSync(file, '{"type":"notice","at":"2026-');
    const second = await openJournalWriter(file);
    await second.append(notice(2));
    await second.close();
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[1]).toBe('{"type":"notice","at":"2026-');
    expect((JSON.parse(lines[2]!) as NoticeEvent).message).toBe(notice(2).message);
  });
});
