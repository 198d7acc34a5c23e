// The journal: .autoresearch/runs/<tag>/journal.jsonl, one event a line, append-only, fsync'd.
// It is the source of truth for a run; results.tsv, the UI and the reports are all derived from it.
import type { ProjectConfig } from './config.js';
import type { Experiment, ExperimentRunResult, TokenUsage } from './experiment.js';

export const JOURNAL_VERSION = 1 as const;

export interface RunStartEvent {
  readonly type: 'run-start';
  readonly at: string;
  readonly version: typeof JOURNAL_VERSION;
  readonly tag: string;
  readonly branch: string;
  /** The commit the run started from (the user's HEAD). */
  readonly startCommit: string;
  readonly config: ProjectConfig;
  readonly proposer: string;
  readonly appVersion: string;
}

/** The run was started again after a stop or a crash of the app. */
export interface RunResumeEvent {
  readonly type: 'run-resume';
  readonly at: string;
  readonly config: ProjectConfig;
  readonly proposer: string;
}

export interface RunStopEvent {
  readonly type: 'run-stop';
  readonly at: string;
  /** Why: 'max-experiments', 'max-hours', 'max-cost', 'target', 'exhausted', 'failures', 'user', 'signal', 'auth', 'error'. */
  readonly reason: StopReason;
  readonly message: string;
}

export type StopReason =
  | 'max-experiments'
  | 'max-hours'
  | 'max-cost'
  | 'target'
  /** The proposer has nothing new to try from the best (the mutation proposer's search space); not a failure. */
  | 'exhausted'
  | 'failures'
  | 'user'
  | 'signal'
  | 'auth'
  | 'error';

export interface ExperimentStartEvent {
  readonly type: 'experiment-start';
  readonly at: string;
  /** A 'running' record; later events fill it in. */
  readonly experiment: Experiment;
}

/** The proposer finished; the candidate is committed (or rejected). */
export interface ExperimentProposedEvent {
  readonly type: 'experiment-proposed';
  readonly at: string;
  readonly id: number;
  readonly commit: string | null;
  readonly description: string;
  readonly hypothesis: string;
  readonly usage: TokenUsage | null;
  readonly proposalMs: number;
  readonly changedFiles: readonly string[];
  readonly transcriptPath: string | null;
}

/** A process group was started for an experiment; recorded so a restarted app can kill orphans. */
export interface ProcessStartEvent {
  readonly type: 'process-start';
  readonly at: string;
  readonly id: number;
  readonly pid: number;
  /** Process group id (= pid, the child is started detached as a group leader). */
  readonly pgid: number;
  readonly what: 'setup' | 'run' | 'guard' | 'agent';
}

export interface ProcessEndEvent {
  readonly type: 'process-end';
  readonly at: string;
  readonly id: number;
  readonly pgid: number;
}

/** The final record of an experiment. The last one for an id wins. */
export interface ExperimentEndEvent {
  readonly type: 'experiment-end';
  readonly at: string;
  readonly experiment: Experiment;
}

/** The run branch moved to a new best. */
export interface BestEvent {
  readonly type: 'best';
  readonly at: string;
  readonly id: number;
  readonly commit: string;
  readonly metric: number;
}

/** Baseline repeats measured the noise floor. */
export interface NoiseFloorEvent {
  readonly type: 'noise-floor';
  readonly at: string;
  readonly values: readonly number[];
  /** Sample standard deviation of the baseline runs (0 with one run). */
  readonly spread: number;
}

/**
 * The noise-aware rule measured the current best again (beside a promising candidate, or because the runs
 * that chose it flatter it). The run joins that experiment's runs and its metric becomes the new mean.
 */
export interface BestRemeasuredEvent {
  readonly type: 'best-remeasured';
  readonly at: string;
  /** The experiment measured again (the best at the time). */
  readonly id: number;
  readonly run: ExperimentRunResult;
}

/**
 * An audit of the result: the baseline commit and the best commit re-run `repeats` times each, interleaved
 * (A B A B …) in the run's slots, and the paired improvement with its 95 % interval.
 */
export interface AuditEvent {
  readonly type: 'audit';
  readonly at: string;
  readonly bestId: number;
  readonly baselineCommit: string;
  readonly bestCommit: string;
  /** Pairs asked for. */
  readonly repeats: number;
  /** The measurements, pair by pair (a failed pair is left out of both). */
  readonly baseline: readonly number[];
  readonly best: readonly number[];
  /** Pairs left out because a run failed (crash, timeout, protected file changed). */
  readonly failedPairs: number;
  /** Mean of the paired gains (best over baseline), positive = better in the metric's direction. */
  readonly improvement: number;
  /** The 95 % interval of that mean (paired Student-t). */
  readonly ciLow: number;
  readonly ciHigh: number;
  /** The improvement the run itself recorded (baseline → best) when the audit began; null when unknown. */
  readonly recordedImprovement: number | null;
  /** The interval lies wholly above 0: the improvement is real at the 95 % level. */
  readonly confirmed: boolean;
}

export interface SteerEvent {
  readonly type: 'steer';
  readonly at: string;
  readonly note: string;
}

/** A transient problem the run recovered from or is waiting out (API down, worktree repaired). */
export interface NoticeEvent {
  readonly type: 'notice';
  readonly at: string;
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly id?: number;
}

export type JournalEvent =
  | RunStartEvent
  | RunResumeEvent
  | RunStopEvent
  | ExperimentStartEvent
  | ExperimentProposedEvent
  | ProcessStartEvent
  | ProcessEndEvent
  | ExperimentEndEvent
  | BestEvent
  | NoiseFloorEvent
  | BestRemeasuredEvent
  | AuditEvent
  | SteerEvent
  | NoticeEvent;

export type JournalEventType = JournalEvent['type'];
