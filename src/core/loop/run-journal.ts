// The run's journal and what is counted from it. `append` writes the event (fsync'd) FIRST, then folds it into
// the in-memory record and updates the counters, then tells the listeners: what the record, results.tsv and
// the UI hold is on disk. A write that fails stops the run (the caller's onWriteFailure) with the writer's
// one-line message, and nothing is folded or told.
import type { Experiment } from '../../shared/experiment.js';
import type { JournalEvent } from '../../shared/journal.js';
import { JournalWriteError } from '../journal/append.js';
import { foldEvent, type RunRecord } from '../journal/fold.js';
import type { KeptJournalWriter } from '../journal/live-snapshot.js';
import type { LoopEvent } from './types.js';

export interface RunJournal {
  readonly record: RunRecord;
  append(event: JournalEvent): Promise<void>;
  subscribe(listener: (event: LoopEvent) => void): () => void;
  /** Tell the listeners (a log line, the live state); journal events go through `append`. */
  emit(event: LoopEvent): void;
  /** Candidates started (running or ended, not interrupted), and those of them that reached a decision. */
  counts(): { readonly candidates: number; readonly decided: number };
  /** Finished experiments, oldest first; rebuilt only when an experiment starts or ends. */
  finishedHistory(): readonly Experiment[];
  /** Why the journal could not be written, once it could not. */
  failure(): JournalWriteError | null;
  close(): Promise<void>;
}

/** Counted toward max experiments: a candidate, unless interrupted. */
const counts = (e: Experiment | undefined) => (e && e.kind === 'candidate' && e.status !== 'interrupted' ? 1 : 0);
// Decided candidates: what the progress toward max experiments shows (a proposal waiting for approval, a
// queued one or a running one is not done yet, though it counts toward the limit).
const decided = (e: Experiment | undefined) => (counts(e) && e!.status !== 'running' ? 1 : 0);

export function createRunJournal(input: {
  readonly writer: Pick<KeptJournalWriter, 'append' | 'folded' | 'close'>;
  readonly record: RunRecord;
  /** The event as journaled (an experiment-start gets where it runs). */
  readonly complete?: (event: JournalEvent) => JournalEvent;
  /** After the fold, before the listeners (results.tsv follows a best measured again). */
  readonly afterFold?: (event: JournalEvent) => Promise<void>;
  /** The first failed write: the run must stop at once. */
  readonly onWriteFailure: (err: JournalWriteError) => void;
}): RunJournal {
  const { writer, record } = input;
  const listeners = new Set<(e: LoopEvent) => void>();
  // Counted incrementally so that nothing the loop does per experiment grows with the run's history.
  let candidateCount = 0;
  let decidedCount = 0;
  for (const e of record.experiments.values()) {
    candidateCount += counts(e);
    decidedCount += decided(e);
  }
  let historyCache: Experiment[] | null = null;
  let failure: JournalWriteError | null = null;

  const emit = (e: LoopEvent) => {
    for (const l of listeners) {
      try {
        l(e);
      } catch {
        // A broken listener (a closed window) must never stop the run.
      }
    }
  };

  // Appends are serialised by the writer and each is folded as soon as its write returns, so folding keeps
  // the write order.
  const append = async (given: JournalEvent) => {
    const event = input.complete ? input.complete(given) : given;
    try {
      await writer.append(event);
    } catch (err) {
      if (err instanceof JournalWriteError && !failure) {
        // Nothing more can be recorded, so nothing more may happen.
        failure = err;
        input.onWriteFailure(err);
      }
      throw err;
    }
    const id = event.type === 'experiment-start' || event.type === 'experiment-end' ? event.experiment.id : null;
    const before = id !== null ? record.experiments.get(id) : undefined;
    foldEvent(record, event);
    writer.folded();
    if (id !== null) {
      candidateCount += counts(record.experiments.get(id)) - counts(before);
      decidedCount += decided(record.experiments.get(id)) - decided(before);
      historyCache = null;
    }
    await input.afterFold?.(event);
    emit({ kind: 'journal', event });
  };

  return {
    record,
    append,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    emit,
    counts: () => ({ candidates: candidateCount, decided: decidedCount }),
    finishedHistory: () => (historyCache ??= [...record.experiments.values()].filter((e) => e.status !== 'running')),
    failure: () => failure,
    close: () => writer.close(),
  };
}
