// Reads a run's journal. Tolerates what a crash can leave behind: a torn last line (or any line that is
// not JSON) is skipped and reported, never fatal, so one bad byte cannot hide a night of experiments.
// Every event is validated (parseJournalEvent): the folder may come from anyone, and its commits reach git
// and its paths reach the file system. An invalid event is skipped and counted the same way.
//
// A long run is reopened from its fold snapshot (snapshot.ts) plus the journal's tail: the snapshot is used only
// when the journal's bytes before its offset hash to what it recorded, and every field in it passes the same
// checks as the journal's events; otherwise the whole journal is folded again and the snapshot rebuilt. A view
// (status, the run list) checks a journal that grew since the snapshot by the probe of those bytes instead of
// their hash (scan.ts): reopening a 100,000-experiment run then reads its tail, not 200 MB. A full record (what
// a resume builds on) and every snapshot written are from the hash.
import { readdir, stat } from 'node:fs/promises';
import type { Experiment } from '../../shared/experiment.js';
import type { JournalEvent } from '../../shared/journal.js';
import { projectPaths, runPaths } from '../project/paths.js';
import { aggregatesOf, emptyRunRecord, foldEvent, type ExperimentAggregates, type RunRecord } from './fold.js';
import { probeJournal, scanJournal, type ScanResult } from './scan.js';
import { foldTailOverSnapshot } from './tail-view.js';
import { fileIdentity, readSnapshot, sameFile, SnapshotMismatchError, writeSnapshot, type Snapshot } from './snapshot.js';

export interface JournalReadResult {
  readonly events: JournalEvent[];
  /** 1-based line numbers that could not be parsed or are not a valid event. */
  readonly badLines: number[];
}

export async function readJournalEvents(file: string): Promise<JournalReadResult> {
  const { events, badLines } = await scanJournal(file);
  return { events, badLines };
}

/**
 * A snapshot is (re)written after a read that folded at least this many journal bytes beyond it (about 500
 * experiments): below that, folding the journal is quick and a snapshot would only be one more file.
 */
export const SNAPSHOT_AFTER_BYTES = 1 << 20;

export interface ReadOptions {
  /** Write a snapshot when a read folded at least this many bytes past the last one; Infinity: never. */
  readonly snapshotAfterBytes?: number;
  /**
   * How a snapshot's covered bytes are checked when the journal grew since it: 'hash' (the default: every
   * byte, for a record something builds on) or 'probe' (their two ends, for a record only shown: status).
   */
  readonly check?: 'hash' | 'probe';
}

interface Opened {
  snap: Snapshot | null;
  /** The journal after the snapshot (all of it without one); null when the snapshot covers the whole file. */
  tail: ScanResult | null;
  /** The covered bytes were checked by their probe, not hashed: the tail has no hash to write a snapshot with. */
  probed?: boolean;
}

/** `check`: 'probe' for a view; 'hash' (every covered byte) for a full record and anything that writes. */
async function openFold(runDir: string, journal: string, check: 'hash' | 'probe' = 'hash'): Promise<Opened> {
  const snap = await readSnapshot(runDir);
  if (snap) {
    const { offset, lines } = snap.mark;
    const info = await stat(journal);
    if (offset === info.size && sameFile(snap.mark.file, fileIdentity(info))) return { snap, tail: null };
    // A journal that grew since a snapshot, or a live snapshot (no identity) with nothing after it, is what a
    // kill leaves: the probe decides. One that named the file and is still its size but not its identity was
    // rewritten in place, not appended to: every byte is hashed.
    if (check === 'probe' && (info.size > offset || (info.size === offset && snap.mark.file === null))) {
      if (probeJournal(journal, offset) !== snap.mark.probe) return { snap: null, tail: await scanJournal(journal) };
      const tail = await scanJournal(journal, { offset, lines, sha1: 'skip' });
      if (tail.prefixMatches) return { snap, tail, probed: true };
    }
    const tail = await scanJournal(journal, { offset, lines, sha1: snap.mark.sha1 });
    if (tail.prefixMatches) return { snap, tail };
  }
  return { snap: null, tail: await scanJournal(journal) };
}

const tailIsEmpty = (o: Opened) => !o.tail || (o.tail.events.length === 0 && o.tail.badLines.length === 0 && o.tail.end === o.snap?.mark.offset);

async function foldOpened(runDir: string, journal: string, opened: Opened, opts: ReadOptions): Promise<{ record: RunRecord; badLines: number[] }> {
  let { snap, tail } = opened;
  let record = emptyRunRecord();
  if (snap) {
    try {
      record = { ...snap.head, experiments: await snap.readAll() };
    } catch (err) {
      if (!(err instanceof SnapshotMismatchError)) throw err;
      snap = null;
      record = emptyRunRecord();
      tail = await scanJournal(journal);
    }
  }
  // A valid event on an unterminated last line is read, but it lies past the bytes a snapshot may cover (the
  // next writer ends that line first): it is folded after the snapshot is taken.
  const events = tail?.events ?? [];
  const pending = tail?.pendingEvent ? events.length - 1 : events.length;
  for (let i = 0; i < pending; i += 1) foldEvent(record, events[i]!);
  const badLines = [...(snap?.badLines ?? []), ...(tail?.badLines ?? [])];
  const from = snap?.mark.offset ?? 0;
  const probe = tail && tail.sha1 && tail.end - from >= (opts.snapshotAfterBytes ?? SNAPSHOT_AFTER_BYTES) ? probeJournal(journal, tail.end) : null;
  if (tail && probe) {
    const info = await stat(journal).catch(() => null);
    const file = info && info.size === tail.end ? fileIdentity(info) : null;
    // A cache: a read-only folder or a full disk only means no snapshot.
    await writeSnapshot(runDir, { mark: { offset: tail.end, lines: tail.lines, sha1: tail.sha1, probe, file }, badLines, record }).catch(() => undefined);
  }
  for (let i = pending; i < events.length; i += 1) foldEvent(record, events[i]!);
  return { record, badLines };
}

/** The fold of a run folder's journal (from its snapshot and the journal's tail where they match). */
export async function loadRunRecord(runDir: string, journal: string, opts: ReadOptions = {}): Promise<{ record: RunRecord; badLines: number[] }> {
  // A probed tail has no hash: foldOpened writes no snapshot from it.
  return foldOpened(runDir, journal, await openFold(runDir, journal, opts.check), opts);
}

/**
 * A run as a summary and the history's pages need it. When the snapshot covers the whole journal the record
 * comes without its experiments (`complete` false; the aggregates stand in for them in a summary, and page()
 * reads just the rows asked for); otherwise it is the full fold.
 */
export interface RunView {
  readonly record: RunRecord;
  readonly complete: boolean;
  readonly aggregates: ExperimentAggregates;
  readonly badLines: readonly number[];
  readonly experimentsTotal: number;
  /** Experiments [from, from + limit) in id order. */
  page(from: number, limit: number): Promise<Experiment[]>;
}

/**
 * A view without rows cannot tell which approvals still wait (that depends on their experiments' status):
 * when some could, the full record is needed.
 */
export function approvalsNeedRows(view: RunView): boolean {
  const { counts } = view.aggregates;
  return !view.complete && view.record.approvals.size > 0 && counts.running + counts.interrupted > 0;
}

function completeView(record: RunRecord, badLines: readonly number[]): RunView {
  let sorted: Experiment[] | null = null;
  return {
    record,
    complete: true,
    aggregates: aggregatesOf(record),
    badLines,
    experimentsTotal: record.experiments.size,
    async page(from, limit) {
      sorted ??= [...record.experiments.values()].sort((a, b) => a.id - b.id);
      return sorted.slice(from, from + limit);
    },
  };
}

export class RunNotFoundError extends Error {
  constructor(tag: string, projectDir: string) {
    super(`There is no run "${tag}" in ${projectDir}. List the runs with \`autoresearch status\`.`);
    this.name = 'RunNotFoundError';
  }
}

export async function readRunRecord(projectDir: string, tag: string, opts: ReadOptions = {}): Promise<RunRecord & { badLines: number[] }> {
  const { journal, dir } = runPaths(projectDir, tag);
  const exists = await stat(journal).catch(() => null);
  if (!exists) throw new RunNotFoundError(tag, projectDir);
  const { record, badLines } = await loadRunRecord(dir, journal, opts);
  if (!record.tag) record.tag = tag;
  return Object.assign(record, { badLines });
}

export async function readRunView(projectDir: string, tag: string, opts: ReadOptions = {}): Promise<RunView> {
  const { journal, dir } = runPaths(projectDir, tag);
  const exists = await stat(journal).catch(() => null);
  if (!exists) throw new RunNotFoundError(tag, projectDir);
  const opened = await openFold(dir, journal, 'probe');
  const snap = opened.snap;
  if (snap && snap.sorted && tailIsEmpty(opened)) {
    const record = { ...snap.head, experiments: new Map<number, Experiment>() };
    if (!record.tag) record.tag = tag;
    return {
      record,
      complete: false,
      aggregates: snap.aggregates,
      badLines: snap.badLines,
      experimentsTotal: snap.count,
      async page(from, limit) {
        try {
          return await snap.page(from, limit);
        } catch (err) {
          // A line that fails its check (or a snapshot replaced meanwhile): the journal answers instead.
          if (!(err instanceof SnapshotMismatchError)) throw err;
          const full = await loadRunRecord(dir, journal, opts);
          return completeView(full.record, full.badLines).page(from, limit);
        }
      },
    };
  }
  if (snap && opened.tail && opened.tail.end - snap.mark.offset < 8 * SNAPSHOT_AFTER_BYTES) {
    // A run reopened after a kill: its snapshot is a little behind the journal. Only the experiments the tail
    // touches are read; the full fold answers what the tail view cannot. A long tail (a run whose snapshot did
    // not follow it) is folded in full below, which writes a newer snapshot for the next reader.
    const partial = await foldTailOverSnapshot(snap, opened.tail).catch((err: unknown) => {
      if (err instanceof SnapshotMismatchError) return null;
      throw err;
    });
    if (partial) {
      if (!partial.record.tag) partial.record.tag = tag;
      const full = async (from: number, limit: number) => {
        const { record, badLines } = await loadRunRecord(dir, journal, opts);
        return completeView(record, badLines).page(from, limit);
      };
      return {
        record: partial.record,
        complete: false,
        aggregates: partial.aggregates,
        badLines: partial.badLines,
        experimentsTotal: partial.experimentsTotal,
        async page(from, limit) {
          try {
            return (await partial.page(from, limit)) ?? (await full(from, limit));
          } catch (err) {
            if (!(err instanceof SnapshotMismatchError)) throw err;
            return full(from, limit);
          }
        },
      };
    }
  }
  // The full fold may write a snapshot, which must name the hash of what it covers.
  const { record, badLines } = await foldOpened(dir, journal, opened.probed ? await openFold(dir, journal) : opened, opts);
  if (!record.tag) record.tag = tag;
  return completeView(record, badLines);
}

/** Tags of the runs in the project, newest first (by journal modification time). */
export async function listRunTags(projectDir: string): Promise<string[]> {
  const { runsDir } = projectPaths(projectDir);
  const entries = await readdir(runsDir, { withFileTypes: true }).catch(() => []);
  const withTimes: { tag: string; mtime: number }[] = [];
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const info = await stat(runPaths(projectDir, e.name).journal).catch(() => null);
    if (info) withTimes.push({ tag: e.name, mtime: info.mtimeMs });
  }
  return withTimes.sort((a, b) => b.mtime - a.mtime).map((t) => t.tag);
}
