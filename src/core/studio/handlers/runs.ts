// The runs of the open project and what History shows of them: a run page by page, a change's diff, an
// experiment's log and the agent's transcript.
import { readFile } from 'node:fs/promises';
import type { DiffResult, RunDetail } from '../../../shared/api.js';
import { diffCommits, diffNumstat } from '../../git/diff.js';
import { toRunDetail, toRunDetailWith } from '../../journal/fold.js';
import { logStats, readLogLines } from '../../logs/log-lines.js';
import type { Handlers, StudioContext } from '../context.js';
import { fail } from '../errors.js';

/**
 * A file the run has not written yet (a log before its first line, no transcript) reads as empty; any other
 * failure to read it (a permission, a folder in its place) is said, not shown as an empty page. The message is
 * the system's (it names the file, never its content).
 */
const unlessMissing =
  <T>(what: string, empty: T) =>
  (err: NodeJS.ErrnoException): T => {
    if (err.code === 'ENOENT') return empty;
    throw fail(`Cannot read ${what}: ${err.message}`, 'failed');
  };

export function runsHandlers({ session, runs }: StudioContext): Handlers<'listRuns' | 'getRun' | 'getDiff' | 'logInfo' | 'readLogLines' | 'getTranscript'> {
  return {
    listRuns: async () => runs.listRuns(),
    getRun: async ({ tag, offset, limit }) => {
      const from = offset ?? 0;
      const view = await runs.readView(tag);
      if (view) {
        const experiments = await view.page(from, limit ?? view.experimentsTotal);
        const detail = toRunDetailWith(view.record, runs.runState(tag), view.aggregates, experiments);
        return { ...detail, experimentsOffset: from, experimentsTotal: view.experimentsTotal };
      }
      const detail: RunDetail = toRunDetail(await runs.readRecord(tag), runs.runState(tag));
      const experiments = from === 0 && limit === undefined ? detail.experiments : detail.experiments.slice(from, limit === undefined ? undefined : from + limit);
      return { ...detail, experiments, experimentsOffset: from, experimentsTotal: detail.experiments.length };
    },
    getDiff: async ({ tag, id, against }): Promise<DiffResult> => {
      const p = session.require();
      const { record, experiment } = await runs.experimentOf(tag, id);
      const to = experiment.commit;
      const from = against === 'parent' ? experiment.parentCommit : record.startCommit;
      if (!to) return { from, to: '', diff: '', files: [] };
      const [diff, files] = await Promise.all([diffCommits(p.dir, from, to), diffNumstat(p.dir, from, to)]).catch((err: Error) => {
        throw fail(`Cannot read the diff of #${id}: ${err.message}. Its commit may have been garbage-collected.`, 'not-found');
      });
      return { from, to, diff, files };
    },
    logInfo: async ({ tag, id, run }) => {
      const { file, rel, experiment } = await runs.logFileOf(tag, id, run ?? 0);
      const st = await logStats(file).catch(unlessMissing(`the log of #${id} (${rel})`, { bytes: 0, lines: 0 }));
      return { path: rel, bytes: st.bytes, lines: st.lines, growing: experiment.status === 'running' };
    },
    readLogLines: async ({ tag, id, run, start, count }) => {
      const { file, rel } = await runs.logFileOf(tag, id, run ?? 0);
      const r = await readLogLines(file, start, count).catch(unlessMissing(`the log of #${id} (${rel})`, { lines: [] as string[], totalLines: 0 }));
      return { start, lines: r.lines, totalLines: r.totalLines };
    },
    getTranscript: async ({ tag, id }) => {
      const { experiment } = await runs.experimentOf(tag, id);
      if (!experiment.transcriptPath) return null;
      const file = await runs.runFile(tag, experiment.transcriptPath);
      const text = await readFile(file, 'utf8').catch(unlessMissing(`the transcript of #${id} (${experiment.transcriptPath})`, null));
      if (text === null) return null;
      try {
        return JSON.parse(text) as unknown;
      } catch {
        // Never echo the file's content (a parse error quotes its start).
        throw fail(`The transcript of #${id} (${experiment.transcriptPath}) is not valid JSON.`, 'failed');
      }
    },
  };
}
