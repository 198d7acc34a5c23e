// Reads a journal by bytes: every line with its line number, starting to parse at a byte offset (what a fold
// snapshot already covers) while hashing every complete line from the start, so the reader can tell whether the
// bytes before that offset are the ones the snapshot was made from. Line handling is the journal's usual one: a
// line that is not JSON or not a valid event (parseJournalEvent) is skipped and its number reported, never fatal;
// a last line without its newline (a torn write) is parsed too but is not part of the complete lines that a
// snapshot may cover, because the next writer ends it with a newline before appending.
//
// Hashing the whole covered prefix is what a full read does (a resume builds on its record); a reader that only
// shows a run (status, the run list) checks the prefix by its probe instead (probeJournal: the bytes at both
// ends of it), so reopening a 200 MB journal reads a few hundred KB of it rather than all of it.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, constants, openSync, readSync } from 'node:fs';
import { openNoFollow } from '../util/safe-fs.js';
import { parseJournalEvent, type JournalEvent } from '../../shared/journal.js';

export interface ScanFrom {
  /** Byte offset to start parsing at; it must be just after a newline (or 0). */
  readonly offset: number;
  /** Complete lines before `offset`. */
  readonly lines: number;
  /**
   * SHA-1 (hex) the bytes before `offset` must hash to; null to skip the check. 'skip': the bytes before
   * `offset` are not read at all (the caller checked them, by probeJournal); the result then has no hash.
   */
  readonly sha1: string | null | 'skip';
}

export interface ScanResult {
  /** False when the bytes before `from.offset` are not what `from` says: then nothing was parsed. */
  readonly prefixMatches: boolean;
  readonly events: JournalEvent[];
  /** 1-based line numbers (counted from the start of the file) that are not a valid event. */
  readonly badLines: number[];
  /** Bytes up to and including the last newline, their line count and their SHA-1 ('' when the prefix was skipped). */
  readonly end: number;
  readonly lines: number;
  readonly sha1: string;
  /** The unterminated last line held a valid event (it is in `events`, but not covered by `end`). */
  readonly pendingEvent: boolean;
  /** The hash of the bytes before `end`, to go on with (a live writer hashes what it appends next). */
  readonly hasher: Hash | null;
}

const CHUNK = 1 << 20;
const NL = 0x0a;

/** `until`: read no byte at or past this offset (a live writer may be appending past it). */
export async function scanJournal(file: string, from: ScanFrom = { offset: 0, lines: 0, sha1: null }, until = Infinity): Promise<ScanResult> {
  const events: JournalEvent[] = [];
  const badLines: number[] = [];
  const hash: Hash = createHash('sha1');
  let hashed = 0;
  let lines = 0;
  let checked = from.offset === 0;
  const skip = from.sha1 === 'skip' && from.offset > 0;
  const fail = (): ScanResult => ({ prefixMatches: false, events: [], badLines: [], end: 0, lines: 0, sha1: '', pendingEvent: false, hasher: null });

  const parseLine = (buf: Buffer, start: number, stop: number, lineNo: number): boolean => {
    let e = stop;
    if (e > start && buf[e - 1] === 0x0d) e -= 1;
    const text = buf.toString('utf8', start, e);
    if (text.trim() === '') return false;
    try {
      const event = parseJournalEvent(JSON.parse(text));
      if (event) {
        events.push(event);
        return true;
      }
    } catch {
      // not JSON: counted below
    }
    badLines.push(lineNo);
    return false;
  };

  /** Hash complete-line bytes buf[a, b), checking the prefix when they cross `from.offset`. */
  const feed = (buf: Buffer, a: number, b: number): boolean => {
    if (!checked && hashed + (b - a) >= from.offset) {
      const cut = a + (from.offset - hashed);
      hash.update(buf.subarray(a, cut));
      hashed = from.offset;
      if (lines !== from.lines || (from.sha1 !== null && hash.copy().digest('hex') !== from.sha1)) return false;
      checked = true;
      a = cut;
    }
    hash.update(buf.subarray(a, b));
    hashed += b - a;
    return true;
  };

  const handle = await openNoFollow(file, 'r');
  try {
    let carry: Buffer = Buffer.alloc(0);
    let position = 0;
    if (skip) {
      // Trusted by the caller's probe: parse from the offset, numbering lines from the count it names.
      if (from.offset > until) return fail();
      position = hashed = from.offset;
      lines = from.lines;
      checked = true;
    } else if (from.offset > 0 && from.offset <= until) {
      // The covered prefix is complete lines that are only hashed and counted: read into one buffer, no copies
      // (a 100,000-experiment journal is 200 MB of it).
      const chunk = Buffer.allocUnsafe(CHUNK);
      while (position < from.offset) {
        const { bytesRead } = await handle.read(chunk, 0, Math.min(CHUNK, from.offset - position), position);
        if (bytesRead === 0) return fail();
        const part = chunk.subarray(0, bytesRead);
        hash.update(part);
        for (let i = part.indexOf(NL); i !== -1; i = part.indexOf(NL, i + 1)) lines += 1;
        position += bytesRead;
      }
      hashed = position;
      if (lines !== from.lines || (from.sha1 !== null && hash.copy().digest('hex') !== from.sha1)) return fail();
      checked = true;
    }
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await handle.read(chunk, 0, Math.max(0, Math.min(CHUNK, until - position)), position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const buf = carry.length ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const lastNl = buf.lastIndexOf(NL);
      if (lastNl < 0) {
        carry = Buffer.from(buf);
        continue;
      }
      const base = hashed;
      // Lines inside the covered prefix are only counted (the check in feed() compares their number).
      const prefixEnd = Math.max(0, Math.min(lastNl + 1, from.offset - base));
      for (let i = buf.indexOf(NL); i !== -1 && i < prefixEnd; i = buf.indexOf(NL, i + 1)) lines += 1;
      if (!feed(buf, 0, lastNl + 1)) return fail();
      for (let start = prefixEnd; start <= lastNl; ) {
        const nl = buf.indexOf(NL, start);
        lines += 1;
        parseLine(buf, start, nl, lines);
        start = nl + 1;
      }
      carry = Buffer.from(buf.subarray(lastNl + 1));
    }
    if (!checked) return fail();
    const pendingEvent = carry.length > 0 && parseLine(carry, 0, carry.length, lines + 1);
    if (skip) return { prefixMatches: true, events, badLines, end: hashed, lines, sha1: '', pendingEvent, hasher: null };
    const hasher = hash.copy();
    return { prefixMatches: true, events, badLines, end: hashed, lines, sha1: hash.digest('hex'), pendingEvent, hasher };
  } finally {
    await handle.close();
  }
}

/** Bytes read at each end of the covered prefix for its probe. */
export const PROBE_BYTES = 64 << 10;

/**
 * The probe of a journal's first `offset` bytes: the SHA-1 of the offset and of the first and the last
 * PROBE_BYTES of them (the run-start line that names the run, and the lines just before the offset), or null
 * when the file is shorter or the offset is not just after a newline. Another journal, a truncated or
 * rewritten one, or an edit near either end changes it; an edit of the same length deep inside a long prefix
 * does not (a resume, which builds on the record, still hashes every byte).
 */
export function probeJournal(file: string, offset: number): string | null {
  if (offset === 0) return createHash('sha1').update('0:').digest('hex');
  let fd: number;
  try {
    // A journal replaced by a link reads as no journal here; the scan that follows refuses it by name.
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch {
    return null;
  }
  try {
    const headLen = Math.min(PROBE_BYTES, offset);
    const tailStart = Math.max(headLen, offset - PROBE_BYTES);
    const buf = Buffer.allocUnsafe(headLen + (offset - tailStart));
    // Synchronous: two reads of 64 KB, and the live keeper takes its probe in the same tick as its snapshot.
    if (readSync(fd, buf, 0, headLen, 0) !== headLen) return null;
    if (offset > tailStart && readSync(fd, buf, headLen, offset - tailStart, tailStart) !== offset - tailStart) return null;
    if (buf[buf.length - 1] !== NL) return null;
    return createHash('sha1').update(`${offset}:`).update(buf).digest('hex');
  } finally {
    closeSync(fd);
  }
}
