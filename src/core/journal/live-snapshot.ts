// Keeps the fold snapshot (snapshot.ts) current while a run appends to its journal, so that reopening a long
// run after a kill -9 reads the snapshot and a short tail instead of folding the whole journal again.
//
// It wraps the run's journal writer. Every line the writer appends is hashed here as well (continuing the hash of
// the bytes the journal had when it was opened), so a snapshot can name the journal bytes it covers without
// reading them again. A snapshot is taken only at a quiet moment, when every event folded into the record has
// been written and nothing else is queued: the record is then exactly the fold of the journal's bytes. The
// capture is synchronous and the file is written in the background (temp file + rename, in snapshot.ts); the
// run never waits for it. Anything that makes the file and the record disagree (a line another writer appended,
// an event a reader would skip) stops the snapshots for the session: the journal stays complete, and the
// next reader folds it as before.
import type { Hash } from 'node:crypto';
import { statSync } from 'node:fs';
import { readdir, stat, unlink } from 'node:fs/promises';
import { parseJournalEvent } from '../../shared/journal.js';
import type { JournalWriter } from './append.js';
import type { RunRecord } from './fold.js';
import { probeJournal, scanJournal } from './scan.js';
import { fileIdentity, readSnapshot, SNAPSHOT_FILE, writeSnapshot, type JournalMark } from './snapshot.js';

/**
 * Journal bytes past the last snapshot that make a new one: 256 KB (about 120 experiments), or 1/512 of the
 * journal for a long run, so a 100,000-experiment run (220 MB) rewrites its snapshot every ~200 experiments
 * and a reopen after a kill checks and folds at most ~0.5 MB of tail (every tail event passes the journal's
 * schema, the bulk of a reopen's work). Writing the snapshot costs about a second of CPU at 100,000
 * experiments, once per ~200 experiments of minutes each.
 */
export const defaultSnapshotEvery = (journalBytes: number): number => Math.max(256 << 10, Math.floor(journalBytes / 512));

export interface SnapshotKeeperOptions {
  readonly runDir: string;
  readonly journal: string;
  /** The record the caller folds each event into once its write returns (run.ts's append does), in write order. */
  readonly record: () => RunRecord;
  readonly everyBytes?: (journalBytes: number) => number;
}

export interface KeptJournalWriter extends JournalWriter {
  /**
   * The caller has folded every event whose append has returned: the record is the fold of exactly the bytes
   * written, so a snapshot that is due may be taken now.
   */
  folded(): void;
  /** Resolves when no snapshot is being written (tests). */
  settled(): Promise<void>;
  /** How many snapshots this session wrote (tests, the bench). */
  readonly written: () => number;
}

interface Base {
  hash: Hash;
  lines: number;
  badLines: number[];
}

/** Temp files of snapshot writers that died mid-write (`fold-snapshot.jsonl.<pid>.<hex>.tmp`), removed. */
async function removeDeadTemps(runDir: string): Promise<void> {
  const names = await readdir(runDir).catch(() => [] as string[]);
  for (const name of names) {
    const m = new RegExp(`^${SNAPSHOT_FILE.replace('.', '\\.')}\\.(\\d+)\\.[0-9a-f]+\\.tmp$`).exec(name);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = pid === process.pid;
    try {
      if (!alive) alive = process.kill(pid, 0);
    } catch (err) {
      alive = (err as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (!alive) await unlink(`${runDir}/${name}`).catch(() => undefined);
  }
}

/**
 * Wrap `writer` (just opened on `opts.journal`, nothing appended yet) so that it keeps the snapshot current.
 * The record given must be the fold of the journal as it is now.
 */
export async function keepSnapshots(writer: JournalWriter, opts: SnapshotKeeperOptions): Promise<KeptJournalWriter> {
  const every = opts.everyBytes ?? defaultSnapshotEvery;
  const start = (await stat(opts.journal)).size;
  let base: Base | null = null;
  let broken = false;
  /** Lines written before the base hash was ready: hashed once it is. */
  let pending: Buffer[] = [];
  let offset = start;
  let lines = 0;
  let sinceSnapshot = 0;
  let queued = 0;
  let writtenEvents = 0;
  let snapshots = 0;
  let writing: Promise<void> | null = null;

  /**
   * Take a snapshot if one is due and the record is the fold of exactly the bytes written: called when a line
   * has just been written and nothing else is queued. Synchronous up to the write, so nothing is folded between
   * the check and the capture (writeSnapshot captures the record before its first await).
   */
  const tryCapture = (final: boolean): void => {
    if (broken || writing || !base || queued !== writtenEvents || (!final && sinceSnapshot < every(offset))) return;
    let info;
    try {
      info = statSync(opts.journal);
    } catch {
      broken = true;
      return;
    }
    if (info.size !== offset) {
      // Someone else appended (the end-of-run audit writes its own event): the hash no longer names the file.
      broken = true;
      return;
    }
    // The probe reads the file's bytes back (128 KB at most): the size check above says they are the ones hashed.
    const probe = probeJournal(opts.journal, offset);
    if (probe === null) {
      broken = true;
      return;
    }
    const mark: JournalMark = { offset, lines, sha1: base.hash.copy().digest('hex'), probe, file: final ? fileIdentity(info) : null };
    sinceSnapshot = 0;
    writing = writeSnapshot(opts.runDir, { mark, badLines: base.badLines, record: opts.record() })
      .then(
        () => void (snapshots += 1),
        () => undefined, // a cache: a full disk or a read-only folder only means no snapshot
      )
      .finally(() => {
        writing = null;
        if (!final) tryCapture(false);
      });
  };

  // The hash (and bad lines) of what the journal holds now: from the last snapshot, only its tail is parsed.
  const ready = (async () => {
    await removeDeadTemps(opts.runDir);
    const snap = await readSnapshot(opts.runDir).catch(() => null);
    let scan = snap ? await scanJournal(opts.journal, { offset: snap.mark.offset, lines: snap.mark.lines, sha1: snap.mark.sha1 }, start) : null;
    let covered = snap?.mark.offset ?? 0;
    if (!scan?.prefixMatches) {
      scan = await scanJournal(opts.journal, undefined, start);
      covered = 0;
    }
    // The writer ends a torn last line before appending, so everything before `start` is complete lines.
    if (!scan.prefixMatches || scan.end !== start || !scan.hasher) throw new Error('the journal changed while it was read');
    base = { hash: scan.hasher, lines: scan.lines, badLines: [...(covered > 0 ? snap!.badLines : []), ...scan.badLines] };
    lines += base.lines;
    for (const b of pending) base.hash.update(b);
    pending = [];
    sinceSnapshot += start - covered;
    tryCapture(false);
  })().catch(() => {
    broken = true;
  });

  const track = (line: Buffer): void => {
    writtenEvents += 1;
    // A line a reader would skip would make the snapshot's record differ from the journal's fold.
    if (parseJournalEvent(JSON.parse(line.toString('utf8'))) === null) broken = true;
    if (base) base.hash.update(line);
    else pending.push(line);
    offset += line.length;
    lines += 1;
    sinceSnapshot += line.length;
    // No capture here: the run writes an event first and folds it once the write returns (run.ts's append), so
    // at this moment the record lacks the line just hashed. The caller says `folded()` once it has folded it.
  };

  return {
    ...writer,
    append(event) {
      const line = Buffer.from(JSON.stringify(event) + '\n');
      queued += 1;
      const done = writer.append(event);
      done.then(
        () => track(line),
        () => void (broken = true),
      );
      return done;
    },
    async close() {
      await writer.close();
      await ready;
      while (writing) await writing;
      // A long run stopped cleanly: a snapshot of all of it, named by the file's identity so a reader skips the hash.
      if (snapshots > 0 || offset >= 1 << 20) {
        tryCapture(true);
        while (writing) await writing;
      }
    },
    folded() {
      tryCapture(false);
    },
    async settled() {
      await ready;
      while (writing) await writing;
    },
    written: () => snapshots,
  };
}
