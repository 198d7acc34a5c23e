// The journal's events: one interface per line type of .autoresearch/runs/<tag>/journal.jsonl (journal.ts
// gathers these and the schemas that read them back, journal-schema.ts).
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
  /** Why the search started it from its base (search-base.ts), when it chose on purpose; absent otherwise. */
  readonly baseWhy?: string | null;
}

/**
 * A pipelined proposal is ready (docs/decisions.md, "Pipelined proposals"): made and committed in a
 * proposal worktree while the slots trained, waiting for a free slot. Journaled as soon as it is made, so a
 * killed app loses none: a resumed run queues it again. It becomes an experiment when a slot takes it
 * (experiment-start with the same id), or is dropped (proposal-dropped). A later one for the same id (made
 * again after a conflict) replaces it.
 */
export interface ProposalMadeEvent {
  readonly type: 'proposal-made';
  readonly at: string;
  readonly id: number;
  /** The best it was made on. */
  readonly baseId: number | null;
  readonly parentCommit: string;
  /** null: nothing usable was proposed (rejectedReason says why); the slot that takes it records a rejection. */
  readonly commit: string | null;
  readonly description: string;
  readonly hypothesis: string;
  readonly usage: TokenUsage | null;
  /** When the proposer started on it. */
  readonly proposedAt: string;
  readonly proposalMs: number;
  readonly changedFiles: readonly string[];
  /** Lines the change adds and removes (the approval gate's `large` rule reads it). */
  readonly changedLines: number;
  readonly transcriptPath: string | null;
  readonly rejectedReason: string | null;
  /** Why the search started it from its base (search-base.ts), when it chose on purpose; absent otherwise. */
  readonly baseWhy?: string | null;
}

/** A queued proposal will not run: why (its change conflicts with the best, its commit is gone). */
export interface ProposalDroppedEvent {
  readonly type: 'proposal-dropped';
  readonly at: string;
  readonly id: number;
  readonly reason: string;
}

/** The run-stop a resume writes for a run whose process died (killed or crashed) while it ran. */
export const REPAIR_STOP_MESSAGE = 'The app stopped unexpectedly (killed or crashed); the run can be resumed.';

/** A process group was started for an experiment; recorded so a restarted app can kill orphans. */
export interface ProcessStartEvent {
  readonly type: 'process-start';
  readonly at: string;
  readonly id: number;
  readonly pid: number;
  /** Process group id (= pid, the child is started detached as a group leader). 0: a remote job with no local process. */
  readonly pgid: number;
  readonly what: 'setup' | 'run' | 'guard' | 'heldout' | 'agent' | 'hook';
  /** A job that runs elsewhere (a Slurm job, a process group on an SSH host): enough to find it again. */
  readonly remote?: RemoteJobRef;
  /** The slot it runs in (a re-measurement of the best runs in the candidate's slot); absent in older journals. */
  readonly slot?: number;
}

/** How the journal names a job an executor started elsewhere; `handle` is the executor's own (a job id, host:pgid). */
export interface RemoteJobRef {
  readonly kind: 'slurm' | 'ssh';
  /** The slot whose executor started it (its config says where). */
  readonly slot: number;
  readonly handle: string;
}

export interface ProcessEndEvent {
  readonly type: 'process-end';
  readonly at: string;
  readonly id: number;
  readonly pgid: number;
  readonly remote?: RemoteJobRef;
}

/** The final record of an experiment. The last one for an id wins. */
export interface ExperimentEndEvent {
  readonly type: 'experiment-end';
  readonly at: string;
  readonly experiment: Experiment;
}

/** The held-out command ran on a kept commit (the baseline, a keep, or the best at the run's end). Never shown to a proposer. */
export interface HeldoutResultEvent {
  readonly type: 'heldout-result';
  readonly at: string;
  /** The experiment whose commit was evaluated. */
  readonly id: number;
  readonly value: number | null;
  readonly error: string | null;
  readonly logPath: string;
  readonly durationMs: number;
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
 * One repeat of the baseline finished and passed (its metric read, no protected file changed). Journaled as each
 * one ends, so a run killed during the baseline keeps them: the resume measures only the repeats still missing.
 */
export interface BaselineRunEvent {
  readonly type: 'baseline-run';
  readonly at: string;
  /** Which repeat (0-based) of `acceptance.baselineRuns`. */
  readonly index: number;
  /** The repeat; `run.seed` is the seed it ran under when config.seed varies it (the repeats' seeds differ). */
  readonly run: ExperimentRunResult;
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
  /** The run; `run.seed` is the seed it ran under when config.seed varies it (the best's next, unused one). */
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
  /** The seed of each pair (both sides ran under it) when config.seed varies it; absent otherwise and in older journals. */
  readonly seeds?: readonly number[];
}

export interface SteerEvent {
  readonly type: 'steer';
  readonly at: string;
  readonly note: string;
}

/**
 * A committed proposal waits for the researcher (config.approval) before it runs. It stays waiting across a
 * stop or a crash: a resumed run takes it up again, it is never lost and never run unapproved.
 */
export interface ApprovalWaitEvent {
  readonly type: 'approval-wait';
  readonly at: string;
  /** The experiment (its record holds the description, hypothesis and changed files). */
  readonly id: number;
  /** The proposal's commit, and the best it was made on. */
  readonly commit: string;
  readonly parentCommit: string;
  readonly baseId: number | null;
  /** Lines the proposal adds and removes. */
  readonly changedLines: number;
  /** Why it waits, in words: "every proposal waits (approval: all)", "changes 120 lines, over 50". */
  readonly reason: string;
}

export type ApprovalAnswerKind = 'approve' | 'edit' | 'reject';

/** A file of the proposal as the researcher edited it (the content replaces the proposed one). */
export interface EditedFile {
  readonly path: string;
  readonly content: string;
}

/** The researcher's answer to a waiting proposal, from the app or `autoresearch approve`. */
export interface ApprovalAnswerEvent {
  readonly type: 'approval-answer';
  readonly at: string;
  readonly id: number;
  readonly answer: ApprovalAnswerKind;
  /** reject: why, shown to the agent in its next prompt; approve/edit: an optional remark. */
  readonly note: string | null;
  /** edit: the files as edited (the commit that runs is the proposal with these contents); otherwise empty. */
  readonly files: readonly EditedFile[];
  /** Where the answer came from: 'app' or 'terminal'. */
  readonly by: 'app' | 'terminal';
}

/** A transient problem the run recovered from or is waiting out (API down, worktree repaired). */
export interface NoticeEvent {
  readonly type: 'notice';
  readonly at: string;
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly id?: number;
  /**
   * The slot that found this proposal conflicting with the best (proposal-queue.ts): its wait from here to its
   * next experiment counts as waiting on a conflict in the slot usage.
   */
  readonly conflictSlot?: number;
}

export type JournalEvent =
  | RunStartEvent
  | RunResumeEvent
  | RunStopEvent
  | ExperimentStartEvent
  | ExperimentProposedEvent
  | ProposalMadeEvent
  | ProposalDroppedEvent
  | ProcessStartEvent
  | ProcessEndEvent
  | ExperimentEndEvent
  | HeldoutResultEvent
  | BestEvent
  | NoiseFloorEvent
  | BaselineRunEvent
  | BestRemeasuredEvent
  | AuditEvent
  | SteerEvent
  | ApprovalWaitEvent
  | ApprovalAnswerEvent
  | NoticeEvent;

export type JournalEventType = JournalEvent['type'];
