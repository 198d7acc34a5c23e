// The one place an experiment ends: experiment-end journaled, its results.tsv row written, the failure
// streak counted, the slot back to idle. Every step closes through `close(slot, id, patch, tail)`, the
// record as folded so far with what the step found over it.
import type { ProjectConfig } from '../../shared/config.js';
import { FAILURE_STATUSES, type Experiment } from '../../shared/experiment.js';
import type { JournalEvent } from '../../shared/journal.js';
import { appendResultsRow, resultsRows, writeResultsRows, type ResultsRows } from '../journal/results-tsv.js';
import { Mutex } from '../util/mutex.js';
import { errorMessage, isoNow, type ExperimentCloser, type RunJournalView, type RunLiveView, type SlotState } from './context.js';

export interface Closer extends ExperimentCloser {
  /** Failed candidates in a row (a stop condition). */
  consecutiveFailures(): number;
  /** An engine failure outside any experiment: it counts toward the streak too. */
  countFailure(): void;
  /** The last experiment to end, for the crash tail in a pipelined proposal's prompt. */
  lastCrashTail(): string | null;
  /** A journaled event was folded: a best measured again has a new mean, its results.tsv row follows. */
  folded(event: JournalEvent): Promise<void>;
}

export function createCloser(input: RunJournalView & Pick<RunLiveView, 'setPhase'> & { readonly results: string; readonly metric: ProjectConfig['metric'] }): Closer {
  const { record, results, metric } = input;
  /** Ids that have a row in results.tsv (start-run rewrote it from the journal). */
  const rowIds = new Set([...record.experiments.values()].filter((e) => e.status !== 'running').map((e) => e.id));
  let consecutiveFailures = 0;
  let lastEnded: { status: Experiment['status']; tail: string | null } | null = null;
  // Every write of results.tsv, one at a time: a rewrite (a best measured again) beside another slot's append
  // would lose that row. A write that fails is said in the journal (the UI and the CLI show it), once until a
  // write succeeds again; the journal keeps every result, and a resume rewrites results.tsv from it.
  const writes = new Mutex();
  let failing = false;
  const write = (what: string, fn: () => Promise<void>) =>
    writes.runExclusive(async () => {
      try {
        await fn();
        failing = false;
      } catch (err) {
        if (failing) return;
        failing = true;
        const message = `results.tsv could not be written (${errorMessage(err)}): ${what}. The journal keeps every result; resuming the run rewrites results.tsv from it.`;
        // A journal that cannot be written either has already stopped the run with its own message.
        await input.append({ type: 'notice', at: isoNow(), level: 'warning', message }).catch(() => undefined);
      }
    });
  // The rows as rendered, made at the first rewrite and kept up to date from then on: a rewrite renders only
  // the rows that changed, not the whole history again.
  let rows: ResultsRows | null = null;
  // Read when the write starts (inside the lock), so the file has the record as it is then.
  const rewrite = (changed: number) => {
    if (rows === null) rows = resultsRows(record.experiments.values(), metric);
    else rows.set(record.experiments.get(changed)!);
    return writeResultsRows(results, rows);
  };

  const finish = async (slot: SlotState, e: Experiment, tail: string | null): Promise<Experiment> => {
    const finishedAt = isoNow();
    const ended: Experiment = { ...e, finishedAt, timings: { ...e.timings, totalMs: Date.parse(finishedAt) - Date.parse(e.startedAt) } };
    await input.append({ type: 'experiment-end', at: finishedAt, experiment: ended });
    // One row per experiment, as the journal folds it: a baseline measured again after an interruption
    // replaces its row rather than adding a second one.
    const replace = rowIds.has(ended.id);
    rowIds.add(ended.id);
    // A row kept for later rewrites follows the record too, rewritten or appended.
    if (rows !== null && !replace) (rows as ResultsRows).set(record.experiments.get(ended.id) ?? ended);
    await write(`#${ended.id}'s result is not in it`, () => (replace ? rewrite(ended.id) : appendResultsRow(results, ended, metric)));
    // A proposal the researcher rejected is their call, not a failure of the run: the breaker does not count it.
    if (ended.kind === 'candidate' && ended.approval?.state !== 'reject') {
      if (FAILURE_STATUSES.has(ended.status)) consecutiveFailures += 1;
      else if (ended.status !== 'interrupted') consecutiveFailures = 0;
    }
    slot.lastStatus = ended.status;
    slot.lastLogTail = tail;
    lastEnded = { status: ended.status, tail };
    input.setPhase(slot, 'idle', { experimentId: null, description: null, experimentStartedAt: null, metricsSoFar: {} });
    return ended;
  };
  const current = (id: number): Experiment => record.experiments.get(id)!;

  return {
    current,
    close: (slot, id, patch, tail) => finish(slot, { ...current(id), ...patch }, tail),
    consecutiveFailures: () => consecutiveFailures,
    countFailure: () => void (consecutiveFailures += 1),
    lastCrashTail: () => (lastEnded && (lastEnded.status === 'crash' || lastEnded.status === 'timeout') ? lastEnded.tail : null),
    async folded(event) {
      // Written before the listeners hear of it: whoever reads results.tsv on the event finds the new mean.
      if (event.type === 'best-remeasured' && rowIds.has(event.id)) await write(`#${event.id} was measured again, and its row still shows its old mean`, () => rewrite(event.id));
    },
  };
}
