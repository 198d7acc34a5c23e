// The fold snapshot: runs/<tag>/fold-snapshot.jsonl, a cache of the journal's fold so reopening a long run
// reads the snapshot and only the journal's tail. The journal stays the source of truth: the snapshot names the
// journal bytes it covers (offset, line count, SHA-1 of those bytes, and their probe: the SHA-1 of the bytes at
// both ends, scan.ts) and a reader that finds other bytes there, another snapshot version, or a record with other
// fields ignores it and folds the journal again.
//
// Layout: line 1 is the head (the RunRecord without its experiments, serialised field by field, Maps as entry
// lists; the aggregates a summary needs; a sparse index), then one experiment a line in the record's order. A
// summary or the first page of the history reads the head and a few lines, never the whole file.
//
// The snapshot sits in the project folder, which is untrusted like the journal, so it is checked the way the
// journal is: every record field with the journal's own field schemas (snapshot-schema.ts) and every experiment
// line with ExperimentSchema.
// A snapshot that fails any check is treated as absent. It is written to a temporary name and renamed, so a
// reader sees a whole snapshot or the previous one.
import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { openNoFollow } from '../util/safe-fs.js';
import path from 'node:path';
import type { Experiment, RunCounts } from '../../shared/experiment.js';
import { ExperimentSchema, JOURNAL_VERSION } from '../../shared/journal.js';
import { emptyRunRecord, type ExperimentAggregates, type RunRecord } from './fold.js';
import { FORMAT, HeadSchema, RECORD_FIELDS, recordFields, SNAPSHOT_VERSION, type RecordField } from './snapshot-schema.js';

export { SNAPSHOT_VERSION } from './snapshot-schema.js';

export const SNAPSHOT_FILE = 'fold-snapshot.jsonl';
/** Every STRIDE-th experiment line's byte offset is in the head, so a page is found without reading the rest. */
const STRIDE = 500;
/** A head larger than this is not a snapshot this app wrote (notices are capped at 500, audits are few). */
const MAX_HEAD_BYTES = 64 << 20;

/** The journal bytes a snapshot covers: [0, offset), `lines` complete lines, their SHA-1 and probe. */
export interface JournalMark {
  readonly offset: number;
  readonly lines: number;
  readonly sha1: string;
  /** probeJournal(journal, offset): what a reader that only shows the run checks instead of the SHA-1. */
  readonly probe: string;
  /**
   * The journal file as it was when the snapshot covered all of it: while size, times and inode are unchanged
   * (ctime moves on any write and cannot be set back), the bytes are too, and the hash need not be checked.
   */
  readonly file: FileIdentity | null;
}

export interface FileIdentity {
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
  readonly dev: number;
}

export const fileIdentity = (s: { size: number; mtimeMs: number; ctimeMs: number; ino: number; dev: number }): FileIdentity => ({
  size: s.size,
  mtimeMs: s.mtimeMs,
  ctimeMs: s.ctimeMs,
  ino: s.ino,
  dev: s.dev,
});

export const sameFile = (a: FileIdentity | null, b: FileIdentity): boolean =>
  a !== null && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs && a.ino === b.ino && a.dev === b.dev;

export class SnapshotMismatchError extends Error {
  constructor(why: string) {
    super(`The fold snapshot does not match: ${why}`);
    this.name = 'SnapshotMismatchError';
  }
}

/** A snapshot whose head was read and checked; experiments are read on demand (and checked then). */
export interface Snapshot {
  readonly mark: JournalMark;
  readonly badLines: readonly number[];
  /** The record with an empty experiments map: the experiments come from readAll() or page(). */
  readonly head: RunRecord;
  readonly aggregates: ExperimentAggregates;
  readonly count: number;
  /** The experiments are in id order (then page() serves the history's pages). */
  readonly sorted: boolean;
  /** All experiments, in the record's order. Throws SnapshotMismatchError when a line fails its check. */
  readAll(): Promise<Map<number, Experiment>>;
  /** Experiments [from, from + limit) in id order (only when `sorted`). */
  page(from: number, limit: number): Promise<Experiment[]>;
  /** The experiment lines come in blocks of STRIDE; block b's lines, checked (one read, no other block). */
  readonly blocks: number;
  block(b: number): Promise<Experiment[]>;
  /** The first experiment of block b (its block is read, one line is parsed). */
  firstOf(b: number): Promise<Experiment>;
  /**
   * Block b's first and last ids and the experiments in it whose id `want` picks, checked (only when `sorted`).
   * Throws SnapshotMismatchError when a line is not JSON, its id is not an integer above the previous one, or a
   * picked line fails its check.
   */
  pick(b: number, want: (id: number) => boolean): Promise<{ firstId: number; lastId: number; found: Experiment[] }>;
}

export const snapshotPath = (runDir: string) => path.join(runDir, SNAPSHOT_FILE);

/**
 * Write a snapshot of `record` (the fold of the journal's first `mark.lines` lines). Atomic: temp file, rename.
 *
 * Everything that can change is captured before the first await: the head as a string and the list of
 * experiments (the fold replaces an experiment, never edits one, so the objects captured stay as they were). A
 * live run can therefore snapshot its in-memory record and keep folding while the file is written. The lines
 * are stringified 1 MB at a time as they are written, so a 100,000-experiment run never holds its whole
 * snapshot as one string and its event loop is never blocked for long.
 */
export async function writeSnapshot(runDir: string, input: { readonly mark: JournalMark; readonly badLines: readonly number[]; readonly record: RunRecord }): Promise<void> {
  const { record } = input;
  const fields = recordFields();
  const serialised: Record<string, unknown> = {};
  for (const k of fields) {
    const v = (record as unknown as Record<string, unknown>)[k];
    serialised[k] = v instanceof Map ? [...v.entries()] : v;
  }
  const experiments = [...record.experiments.values()];
  let sorted = true;
  const counts = { total: 0, keep: 0, discard: 0, crash: 0, timeout: 0, rejected: 0, interrupted: 0, 'stopped-early': 0, running: 0 };
  let keptImprovements = 0;
  experiments.forEach((e, i) => {
    if (i > 0 && e.id <= experiments[i - 1]!.id) sorted = false;
    counts.total += 1;
    counts[e.status] += 1;
    if (e.status === 'keep' && e.kind !== 'baseline') keptImprovements += 1;
  });
  const blocks = Math.ceil(experiments.length / STRIDE);
  const headOf = (index: number[]) =>
    // Maps below the top level (inside a field's value) are written as { $map: entries }.
    JSON.stringify(
      {
        format: FORMAT,
        version: SNAPSHOT_VERSION,
        journalVersion: JOURNAL_VERSION,
        fields,
        mark: input.mark,
        badLines: input.badLines.filter((n) => n <= input.mark.lines),
        record: serialised,
        aggregates: { counts, keptImprovements, baseline: record.experiments.get(0)?.metric ?? null },
        experiments: { count: experiments.length, sorted, index },
      },
      (_key, value: unknown) => (value instanceof Map ? { $map: [...value.entries()] } : value),
    );
  // The index (byte offsets) is known only once the lines are written, so the head line gets room for the
  // largest index (16 characters an offset) and is padded with spaces, which JSON.parse ignores.
  const headRoom = Buffer.byteLength(headOf(new Array<number>(blocks).fill(Number.MAX_SAFE_INTEGER))) + 1;
  const headTemplate = headOf([]);
  if (!headTemplate.endsWith('"index":[]}}')) throw new Error('the snapshot head does not end with its index');
  const file = snapshotPath(runDir);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o644);
  try {
    const index: number[] = [];
    let bytes = 0;
    for (let i = 0; i < experiments.length; ) {
      let batch = '';
      while (i < experiments.length && batch.length < 1 << 20) {
        if (i % STRIDE === 0) index.push(bytes + Buffer.byteLength(batch));
        batch += JSON.stringify(experiments[i++]) + '\n';
      }
      const buf = Buffer.from(batch);
      await handle.write(buf, 0, buf.length, headRoom + bytes);
      bytes += buf.length;
    }
    // The index is the head's last field: its empty list is at the very end of the template.
    const head = `${headTemplate.slice(0, -'[]}}'.length)}[${index.join(',')}]}}`;
    const headBuf = Buffer.from(head.padEnd(headRoom - 1, ' ') + '\n');
    if (headBuf.length !== headRoom) throw new Error('the snapshot head outgrew its room');
    await handle.write(headBuf, 0, headBuf.length, 0);
    // No fsync: this is a cache; a snapshot torn by a power loss fails its checks and is rebuilt.
    await handle.close();
    await rename(tmp, file);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}

/** Read and check a snapshot's head; null when there is none or it does not pass (then the journal is read). */
export async function readSnapshot(runDir: string): Promise<Snapshot | null> {
  const file = snapshotPath(runDir);
  let handle;
  try {
    handle = await openNoFollow(file, 'r');
  } catch {
    return null;
  }
  let headText: string;
  let headBytes: number;
  let identity: FileIdentity;
  try {
    identity = fileIdentity(await handle.stat());
    const chunks: Buffer[] = [];
    let position = 0;
    let nl = -1;
    while (nl < 0) {
      const chunk = Buffer.allocUnsafe(Math.min(1 << 20, Math.max(1, MAX_HEAD_BYTES - position)));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return null;
      const part = chunk.subarray(0, bytesRead);
      const i = part.indexOf(0x0a);
      if (i >= 0) nl = position + i;
      chunks.push(part);
      position += bytesRead;
      if (nl < 0 && position >= MAX_HEAD_BYTES) return null;
    }
    const all = Buffer.concat(chunks);
    headText = all.toString('utf8', 0, nl);
    headBytes = nl + 1;
  } finally {
    await handle.close();
  }
  let raw: unknown;
  try {
    raw = JSON.parse(headText);
  } catch {
    return null;
  }
  const parsed = HeadSchema.safeParse(raw);
  if (!parsed.success) return null;
  const h = parsed.data;
  const fields = recordFields();
  if (h.fields.length !== fields.length || h.fields.some((f, i) => f !== fields[i])) return null;
  if (Object.keys(h.record).some((k) => !Object.hasOwn(RECORD_FIELDS, k))) return null;
  const head = emptyRunRecord() as unknown as Record<string, unknown>;
  for (const k of fields) {
    const check = RECORD_FIELDS[k as RecordField].safeParse(h.record[k]);
    if (!check.success) return null;
    head[k] = check.data;
  }
  const record = head as unknown as RunRecord;
  const { count, index, sorted } = h.experiments;
  if (h.aggregates.counts.total !== count || index.length !== Math.ceil(count / STRIDE)) return null;
  if (index.some((v, i) => i > 0 && v <= index[i - 1]!) || (index.length > 0 && index[0] !== 0)) return null;
  if (h.badLines.some((n) => n > h.mark.lines)) return null;
  const bodyBytes = identity.size - headBytes;

  /** The bytes of lines [first, first + n) (`first` a multiple of STRIDE), and where each line starts and ends. */
  const readRaw = async (first: number, n: number): Promise<{ buf: Buffer; starts: number[]; ends: number[] }> => {
    const startByte = index[first / STRIDE];
    if (startByte === undefined) throw new SnapshotMismatchError('an experiment index out of range');
    const lastBlock = Math.ceil((first + n) / STRIDE);
    const endByte = lastBlock < index.length ? index[lastBlock]! : bodyBytes;
    const fh = await openNoFollow(file, 'r');
    let buf: Buffer;
    try {
      // The file read must be the file whose head was checked (a newer snapshot may have replaced it).
      if (!sameFile(identity, fileIdentity(await fh.stat()))) throw new SnapshotMismatchError('it was replaced while reading');
      if (endByte < startByte) throw new SnapshotMismatchError('it is shorter than its index');
      buf = Buffer.allocUnsafe(endByte - startByte);
      const { bytesRead } = await fh.read(buf, 0, buf.length, headBytes + startByte);
      if (bytesRead !== buf.length) throw new SnapshotMismatchError('it is shorter than its index');
    } finally {
      await fh.close();
    }
    const starts: number[] = [];
    const ends: number[] = [];
    for (let pos = 0, lineNo = first; starts.length < n; lineNo += 1) {
      const nl = buf.indexOf(0x0a, pos);
      if (nl < 0) throw new SnapshotMismatchError('an experiment line is missing');
      if (lineNo % STRIDE === 0 && index[lineNo / STRIDE] !== startByte + pos) throw new SnapshotMismatchError('the index does not match its lines');
      starts.push(pos);
      ends.push(nl);
      pos = nl + 1;
    }
    return { buf, starts, ends };
  };
  const json = (buf: Buffer, a: number, b: number, lineNo: number): unknown => {
    try {
      return JSON.parse(buf.toString('utf8', a, b));
    } catch {
      throw new SnapshotMismatchError(`experiment line ${lineNo + 1} is not JSON`);
    }
  };
  const checked = (value: unknown, lineNo: number): Experiment => {
    const result = ExperimentSchema.safeParse(value);
    if (!result.success) throw new SnapshotMismatchError(`experiment line ${lineNo + 1} is not a valid experiment`);
    return result.data as unknown as Experiment;
  };

  /** Lines [first, first + n) of the experiments, checked; `first` is a multiple of STRIDE. */
  const readLines = async (first: number, n: number): Promise<Experiment[]> => {
    if (n === 0) return [];
    const { buf, starts, ends } = await readRaw(first, n);
    const out: Experiment[] = [];
    for (let i = 0; i < n; i += 1) {
      const e = checked(json(buf, starts[i]!, ends[i]!, first + i), first + i);
      const prev = out[out.length - 1];
      if (prev && sorted && e.id <= prev.id) throw new SnapshotMismatchError('the experiments are out of order');
      out.push(e);
    }
    return out;
  };

  return {
    mark: h.mark,
    badLines: h.badLines,
    head: record,
    aggregates: h.aggregates,
    count,
    sorted,
    async readAll() {
      const all = await readLines(0, count);
      const map = new Map<number, Experiment>();
      for (const e of all) {
        if (map.has(e.id)) throw new SnapshotMismatchError(`experiment ${e.id} appears twice`);
        map.set(e.id, e);
      }
      checkAggregates(map, h.aggregates);
      return map;
    },
    blocks: index.length,
    block: (b) => readLines(b * STRIDE, Math.max(0, Math.min(STRIDE, count - b * STRIDE))),
    firstOf: async (b) => (await readLines(b * STRIDE, 1))[0]!,
    async pick(b, want) {
      // Every line is parsed for its id (an integer, in order); only the experiments picked are checked and
      // returned, so finding the few rows a journal's tail touches costs JSON.parse, not the schema, per line.
      const first = b * STRIDE;
      const n = Math.max(0, Math.min(STRIDE, count - first));
      if (n === 0) throw new SnapshotMismatchError('an experiment index out of range');
      const { buf, starts, ends } = await readRaw(first, n);
      const found: Experiment[] = [];
      let firstId = -1;
      let lastId = -1;
      for (let i = 0; i < n; i += 1) {
        const value = json(buf, starts[i]!, ends[i]!, first + i);
        const id = (value as { id?: unknown } | null)?.id;
        if (typeof id !== 'number' || !Number.isSafeInteger(id) || id < 0 || id <= lastId) throw new SnapshotMismatchError(`experiment line ${first + i + 1} is out of order`);
        if (i === 0) firstId = id;
        lastId = id;
        if (want(id)) found.push(checked(value, first + i));
      }
      return { firstId, lastId, found };
    },
    async page(from, limit) {
      if (!sorted) throw new SnapshotMismatchError('the experiments are not in id order');
      const start = Math.min(from, count);
      const end = Math.min(count, start + limit);
      if (end <= start) return [];
      const first = Math.floor(start / STRIDE) * STRIDE;
      const got = await readLines(first, end - first);
      return got.slice(start - first);
    },
  };
}

/** The stored aggregates must be the experiments' own (a summary is shown from them without the experiments). */
function checkAggregates(experiments: Map<number, Experiment>, agg: ExperimentAggregates): void {
  const counts = { total: 0, keep: 0, discard: 0, crash: 0, timeout: 0, rejected: 0, interrupted: 0, 'stopped-early': 0, running: 0 };
  let kept = 0;
  for (const e of experiments.values()) {
    counts.total += 1;
    counts[e.status] += 1;
    if (e.status === 'keep' && e.kind !== 'baseline') kept += 1;
  }
  const same = (Object.keys(counts) as (keyof RunCounts)[]).every((k) => counts[k] === agg.counts[k]);
  if (!same || kept !== agg.keptImprovements || (experiments.get(0)?.metric ?? null) !== agg.baseline) {
    throw new SnapshotMismatchError('its totals are not those of its experiments');
  }
}

/** Whether a run folder has a snapshot file (checked or not). */
export async function snapshotExists(runDir: string): Promise<boolean> {
  return (await stat(snapshotPath(runDir)).catch(() => null)) !== null;
}
