// Reading the open project's runs: the live one from memory, finished ones from their journals, each kept
// until its journal changes, and the files a journal names (logs, transcripts) opened only inside the run's folder.
import { stat } from 'node:fs/promises';
import type { RunState, RunSummary } from '../../shared/api.js';
import type { Experiment } from '../../shared/experiment.js';
import { summarize, type RunRecord } from '../journal/fold.js';
import { approvalsNeedRows, listRunTags, readRunRecord, readRunView, RunNotFoundError, type RunView } from '../journal/read.js';
import { OutsideRunFolderError, resolveRunFile } from '../logs/run-file.js';
import { projectPaths, runPaths } from '../project/paths.js';
import { fail } from './errors.js';

/** The run this process owns or follows, as the reader needs it (live-run.ts). */
export interface LiveRecords {
  /** The in-memory record when `tag` of `dir` is the run this process owns or follows; null for any other. */
  recordOf(dir: string, tag: string): RunRecord | null;
  /** Its state; 'stopped' for every run that is not live here. */
  stateOf(dir: string | null, tag: string): RunState;
}

export interface RunReader {
  readRecord(tag: string): Promise<RunRecord>;
  /** A finished run's view, or null where the full record is at hand (the live run, or one read whole before). */
  readView(tag: string): Promise<RunView | null>;
  runState(tag: string): RunState;
  /** Every run of the open project (none without one); a run that cannot be read is left out. */
  listRuns(): Promise<RunSummary[]>;
  /** Drop what is cached of a run whose journal is being written by its owner until now. */
  forget(dir: string, tag: string): void;
  experimentOf(tag: string, id: number): Promise<{ record: RunRecord; experiment: Experiment }>;
  /** A file the journal names, opened only inside the run's folder (the journal is untrusted input). */
  runFile(tag: string, rel: string): Promise<string>;
  logFileOf(tag: string, id: number, runIndex?: number): Promise<{ file: string; rel: string; experiment: Experiment }>;
}

export function createRunReader(opts: {
  /** The open project's folder, or null. */
  readonly projectDir: () => string | null;
  /** The open project's folder; throws the "open a project first" error without one. */
  readonly requireDir: () => string;
  readonly live: LiveRecords;
}): RunReader {
  const { live, requireDir } = opts;
  // Finished runs are read from their journals once and kept until the journal changes.
  const runCache = new Map<string, { size: number; mtimeMs: number; record: RunRecord }>();
  // Summaries and history pages of finished runs come from views (a snapshot's head and the rows asked for),
  // so the run list and the first page of a long run do not wait for the whole fold.
  const viewCache = new Map<string, { size: number; mtimeMs: number; view: RunView }>();
  const key = (dir: string, tag: string) => `${dir}\0${tag}`;

  const readRecord = async (tag: string): Promise<RunRecord> => {
    const dir = requireDir();
    const inMemory = live.recordOf(dir, tag);
    if (inMemory) return inMemory;
    const info = await stat(runPaths(dir, tag).journal).catch(() => null);
    if (!info) throw fail(`There is no run "${tag}" in this project.`, 'not-found');
    const hit = runCache.get(key(dir, tag));
    if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) return hit.record;
    const record = await readRunRecord(dir, tag).catch((err) => {
      if (err instanceof RunNotFoundError) throw fail(err.message, 'not-found');
      throw err;
    });
    runCache.set(key(dir, tag), { size: info.size, mtimeMs: info.mtimeMs, record });
    return record;
  };

  const readView = async (tag: string): Promise<RunView | null> => {
    const dir = requireDir();
    if (live.recordOf(dir, tag)) return null;
    const full = runCache.get(key(dir, tag));
    const info = await stat(runPaths(dir, tag).journal).catch(() => null);
    if (!info) throw fail(`There is no run "${tag}" in this project.`, 'not-found');
    // A full record read earlier is as good as a view.
    if (full && full.size === info.size && full.mtimeMs === info.mtimeMs) return null;
    const hit = viewCache.get(key(dir, tag));
    if (hit && hit.size === info.size && hit.mtimeMs === info.mtimeMs) return hit.view;
    const view = await readRunView(dir, tag).catch((err) => {
      if (err instanceof RunNotFoundError) throw fail(err.message, 'not-found');
      throw err;
    });
    if (approvalsNeedRows(view)) return null;
    viewCache.set(key(dir, tag), { size: info.size, mtimeMs: info.mtimeMs, view });
    return view;
  };

  const runState = (tag: string) => live.stateOf(opts.projectDir(), tag);

  const experimentOf = async (tag: string, id: number) => {
    const record = await readRecord(tag);
    const experiment = record.experiments.get(id);
    if (!experiment) throw fail(`Run ${tag} has no experiment #${id}.`, 'not-found');
    return { record, experiment };
  };

  const runFile = (tag: string, rel: string) => {
    const dir = requireDir();
    return resolveRunFile(projectPaths(dir).runsDir, runPaths(dir, tag).dir, rel).catch((err: unknown) => {
      throw err instanceof OutsideRunFolderError ? fail(err.message, 'failed') : err;
    });
  };

  return {
    readRecord,
    readView,
    runState,
    async listRuns() {
      const dir = opts.projectDir();
      if (!dir) return [];
      const out: RunSummary[] = [];
      for (const tag of await listRunTags(dir)) {
        try {
          const view = await readView(tag);
          out.push(view ? summarize(view.record, runState(tag), view.aggregates) : summarize(await readRecord(tag), runState(tag)));
        } catch {
          // A run that cannot be read is skipped here; opening it says why.
        }
      }
      return out;
    },
    forget(dir, tag) {
      runCache.delete(key(dir, tag));
      viewCache.delete(key(dir, tag));
    },
    experimentOf,
    runFile,
    async logFileOf(tag, id, runIndex = 0) {
      const { experiment } = await experimentOf(tag, id);
      const paths = runPaths(requireDir(), tag);
      const rel = experiment.runs[runIndex]?.logPath ?? (runIndex === 0 ? (experiment.logPath ?? paths.logRel(id)) : paths.logRel(id, runIndex));
      return { file: await runFile(tag, rel), rel, experiment };
    },
  };
}
