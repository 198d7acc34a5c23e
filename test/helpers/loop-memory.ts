// In-memory stand-ins for what the loop's steps take (src/core/loop/context.ts): the journal folded into a
// record with no file, git as a map of refs, the closer and the decision lock. The same fold and the same
// decision code as a run; only the disk and the git processes are left out, so a unit test of the scheduler
// or the decision step runs in milliseconds. What each did is logged in one list, in order.
import type { ProjectConfig, ProjectConfigInput } from '../../src/shared/config.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import type { Experiment } from '../../src/shared/experiment.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import { emptyRunRecord, foldEvent, type RunRecord } from '../../src/core/journal/fold.js';
import { runningExperiment, type CarryOutcome, type DecisionLock, type ExperimentCloser, type LoopGit, type RunJournalView, type SlotState } from '../../src/core/loop/context.js';
import { Mutex } from '../../src/core/util/mutex.js';

/** What the stand-ins did, in order: journal event types and git operations ("ref <name> <commit>"). */
export type MemoryLog = string[];

export interface MemoryJournal extends RunJournalView {
  readonly events: JournalEvent[];
}

export function memoryJournal(log: MemoryLog, record: RunRecord = emptyRunRecord()): MemoryJournal {
  const events: JournalEvent[] = [];
  return {
    record,
    events,
    // Written first, then folded: the order a run keeps.
    async append(event) {
      events.push(event);
      log.push(event.type);
      foldEvent(record, event);
    },
  };
}

export interface MemoryGit extends LoopGit {
  readonly refs: Map<string, string>;
  /** Worktree → the commit it was last reset to. */
  readonly worktrees: Map<string, string>;
}

/** Git as a map of refs; a carry makes "<commit>+<onto>", or conflicts when `conflicts` names files for it. */
export function memoryGit(log: MemoryLog, conflicts: (commit: string, onto: string) => readonly string[] = () => []): MemoryGit {
  const refs = new Map<string, string>();
  const worktrees = new Map<string, string>();
  return {
    refs,
    worktrees,
    async resetTo(worktree, commit) {
      worktrees.set(worktree, commit);
      log.push(`reset ${worktree} ${commit}`);
    },
    async updateRef(ref, commit) {
      refs.set(ref, commit);
      log.push(`ref ${ref} ${commit}`);
    },
    async carryOnto(commit, onto): Promise<CarryOutcome> {
      const files = conflicts(commit, onto);
      log.push(`carry ${commit} onto ${onto}`);
      return files.length ? { kind: 'conflict', files } : { kind: 'carried', commit: `${commit}+${onto}` };
    },
    commitExists: async () => true,
  };
}

/** Closes an experiment as the run's closer does (experiment-end over the folded record, the slot idle). */
export function memoryCloser(journal: RunJournalView): Pick<ExperimentCloser, 'close' | 'current'> {
  const current = (id: number) => journal.record.experiments.get(id)!;
  return {
    current,
    async close(slot, id, patch) {
      const ended: Experiment = { ...current(id), ...patch, finishedAt: new Date().toISOString() };
      await journal.append({ type: 'experiment-end', at: ended.finishedAt!, experiment: ended });
      slot.phase = 'idle';
      slot.experimentId = null;
      return ended;
    },
  };
}

/** One decision at a time, in call order (the run's lock). */
export function memoryLock(): DecisionLock {
  const mutex = new Mutex();
  return { withDecisionLock: (fn) => mutex.runExclusive(fn) };
}

export function memorySlot(index = 0): SlotState {
  return { index, worktree: `wt-${index}`, phase: 'idle', experimentId: null, description: null, experimentStartedAt: null, phaseStartedAt: null, metricsSoFar: {}, waitingReason: null, lastStatus: null, lastLogTail: null, job: null };
}

export const memoryConfig = (extra: Partial<ProjectConfigInput> = {}): ProjectConfig =>
  ProjectConfigSchema.parse({ run: { command: 'train' }, files: { editable: ['train.py'] }, metric: { name: 'loss', direction: 'min' }, budget: { seconds: 5 }, ...extra } as ProjectConfigInput);

/** A run whose baseline (experiment 0, commit "c0") measured `baseline` and is the best. */
export async function memoryRunAtBaseline(journal: RunJournalView, config: ProjectConfig, baseline: readonly number[]): Promise<void> {
  const at = new Date().toISOString();
  await journal.append({ type: 'run-start', at, version: 1, tag: 't', branch: 'autoresearch/t', startCommit: 'c0', config, proposer: 'mutation', appVersion: 'test' });
  const e = runningExperiment({ id: 0, kind: 'baseline', slot: 0, baseId: null, parentCommit: 'c0', commit: 'c0', startedAt: at });
  await journal.append({ type: 'experiment-start', at, experiment: e });
  const runs = baseline.map((metric) => ({ metric, metrics: {}, exitCode: 0, signal: null, timedOut: false, durationMs: 1, logPath: 'logs/0.log' }));
  const metric = baseline.reduce((s, v) => s + v, 0) / baseline.length;
  await journal.append({ type: 'experiment-end', at, experiment: { ...e, status: 'keep', metric, runs, finishedAt: at } });
  await journal.append({ type: 'best', at, id: 0, commit: 'c0', metric });
}

/** Candidate `id` started in `slot` on the best as it is now, with its proposal at `commit`. */
export async function memoryCandidate(journal: RunJournalView, id: number, commit: string, slot = 0): Promise<void> {
  const { record } = journal;
  const at = new Date().toISOString();
  await journal.append({ type: 'experiment-start', at, experiment: { ...runningExperiment({ id, kind: 'candidate', slot, baseId: record.bestId, parentCommit: record.bestCommit!, startedAt: at }), commit, description: `#${id}` } });
}
