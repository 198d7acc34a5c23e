// Reads a run's journal. Tolerates what a crash can leave behind: a torn last line (or any line that is
// not JSON) is skipped and reported, never fatal, so one bad byte cannot hide a night of experiments.
// Every event is validated (parseJournalEvent): the folder may come from anyone, and its commits reach git
// and its paths reach the file system. An invalid event is skipped and counted the same way.
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { parseJournalEvent, type JournalEvent } from '../../shared/journal.js';
import { projectPaths, runPaths } from '../project/paths.js';
import { foldEvent, emptyRunRecord, type RunRecord } from './fold.js';

export interface JournalReadResult {
  readonly events: JournalEvent[];
  /** 1-based line numbers that could not be parsed or are not a valid event. */
  readonly badLines: number[];
}

export async function readJournalEvents(file: string): Promise<JournalReadResult> {
  const events: JournalEvent[] = [];
  const badLines: number[] = [];
  const input = createReadStream(file, { encoding: 'utf8' });
  const lines = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.trim() === '') continue;
    try {
      const event = parseJournalEvent(JSON.parse(line));
      if (event) events.push(event);
      else badLines.push(n);
    } catch {
      badLines.push(n);
    }
  }
  return { events, badLines };
}

export class RunNotFoundError extends Error {
  constructor(tag: string, projectDir: string) {
    super(`There is no run "${tag}" in ${projectDir}. List the runs with \`autoresearch status\`.`);
    this.name = 'RunNotFoundError';
  }
}

export async function readRunRecord(projectDir: string, tag: string): Promise<RunRecord & { badLines: number[] }> {
  const { journal } = runPaths(projectDir, tag);
  const exists = await stat(journal).catch(() => null);
  if (!exists) throw new RunNotFoundError(tag, projectDir);
  const { events, badLines } = await readJournalEvents(journal);
  const rec = emptyRunRecord();
  for (const e of events) foldEvent(rec, e);
  if (!rec.tag) rec.tag = tag;
  return Object.assign(rec, { badLines });
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
