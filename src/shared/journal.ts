// The journal: .autoresearch/runs/<tag>/journal.jsonl, one event a line, append-only, fsync'd.
// It is the source of truth for a run; results.tsv, the UI and the reports are all derived from it.
import { z } from 'zod';
import type { ProjectConfig } from './config.js';
import { EXPERIMENT_STATUSES, type Experiment, type ExperimentRunResult, type TokenUsage } from './experiment.js';

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
  readonly what: 'setup' | 'run' | 'guard' | 'agent';
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
  | BestEvent
  | NoiseFloorEvent
  | BestRemeasuredEvent
  | AuditEvent
  | SteerEvent
  | ApprovalWaitEvent
  | ApprovalAnswerEvent
  | NoticeEvent;

export type JournalEventType = JournalEvent['type'];

// ---------------------------------------------------------------------------------------------------------
// Reading the journal back. A project folder is untrusted input (it may come from a colleague or a tarball,
// and agent-written code ran inside it), so every event is checked before anything uses it: commits are
// 40 or 64 hex digits (they reach git as arguments), ids are integers, statuses come from the enum, paths
// are relative and stay below the run folder. An event that fails is skipped and counted like a torn line.
// Objects pass unknown keys through, so a field added by a newer version survives an older reader.

const sha = z.string().regex(/^(?:[0-9a-f]{40}|[0-9a-f]{64})$/, 'a commit is 40 or 64 hex digits');
const id = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const count = z.number().finite();
/** A process belongs to an experiment, or to the run's setup command, which journals it as id -1. */
const processOwner = z.number().int().min(-1).max(Number.MAX_SAFE_INTEGER);
const remoteJobRef = z.object({ kind: z.enum(['slurm', 'ssh']), slot: z.number().int().nonnegative(), handle: z.string().min(1).max(512) }).strict();
/** Relative to the run folder: no absolute path, no `..`, no backslash or NUL (checked again on disk with realpath). */
const runRelativePath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.includes('\\') && !p.includes('\0') && !p.split('/').includes('..'), 'a path inside the run folder');
/** A project-relative path an edit may name: no absolute path, no `..`, no backslash or NUL (the workspace checks it again). */
const editedPath = z
  .string()
  .min(1)
  .max(1024)
  .refine((p) => !p.startsWith('/') && !/^[A-Za-z]:/.test(p) && !p.includes('\\') && !p.includes('\0') && !p.split('/').includes('..'), 'a path inside the project');
/** An edit is a researcher's change to a proposal: a few files, each at most the size the agent's workspace reads. */
export const MAX_EDITED_FILES = 50;
export const MAX_EDITED_FILE_CHARS = 2 * 1024 * 1024;
const obj = <T extends z.ZodRawShape>(shape: T) => z.looseObject(shape);

const TokenUsageSchema = obj({
  inputTokens: count,
  outputTokens: count,
  cacheCreationInputTokens: count,
  cacheReadInputTokens: count,
  costUsd: count.nullable(),
});
const metricsRecord = z.record(z.string(), z.number().nullable());
const RunResultSchema = obj({
  metric: z.number().nullable(),
  metrics: metricsRecord,
  exitCode: z.number().int().nullable(),
  signal: z.string().nullable(),
  timedOut: z.boolean(),
  durationMs: count,
  logPath: runRelativePath,
});
export const ExperimentSchema = obj({
  id,
  kind: z.enum(['baseline', 'candidate']),
  slot: z.number().int().nonnegative(),
  baseId: id.nullable(),
  parentCommit: sha,
  commit: sha.nullable(),
  description: z.string(),
  hypothesis: z.string(),
  status: z.enum(EXPERIMENT_STATUSES),
  metric: z.number().nullable(),
  metrics: metricsRecord,
  runs: z.array(RunResultSchema),
  guard: obj({ passed: z.boolean(), exitCode: z.number().int().nullable(), durationMs: count, logPath: runRelativePath }).nullable(),
  bestBefore: z.number().nullable(),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  timings: obj({ proposalMs: count.nullable(), trainingMs: count.nullable(), totalMs: count.nullable(), queueWaitMs: count.nullable().optional() }),
  usage: TokenUsageSchema.nullable(),
  logPath: runRelativePath.nullable(),
  transcriptPath: runRelativePath.nullable(),
  error: z.string().nullable(),
  changedFiles: z.array(z.string()),
  confidence: obj({
    rule: z.enum(['noise-aware', 'classic']),
    gain: z.number(),
    noiseSd: z.number().nullable(),
    noiseDof: count,
    standardError: z.number().nullable(),
    z: z.number().nullable(),
    bound: z.number().nullable(),
    runs: count,
    bestRuns: count,
    label: z.enum(['clear', 'above-noise', 'within-noise', 'exact', 'unknown']),
  })
    .nullable()
    .optional(),
  proposedAt: z.string().nullable().optional(),
  proposedOn: obj({ baseId: id.nullable(), parentCommit: sha, commit: sha }).nullable().optional(),
  approval: obj({ state: z.enum(['waiting', 'approve', 'edit', 'reject']), note: z.string().nullable(), at: z.string().nullable(), by: z.enum(['app', 'terminal']).nullable(), proposedCommit: sha })
    .nullable()
    .optional(),
  carried: obj({ fromBaseId: id.nullable(), fromParentCommit: sha, proposedCommit: sha, aloneMetric: z.number(), earlierRuns: z.array(RunResultSchema) }).nullable().optional(),
  where: z.string().min(1).max(300).optional(),
  measuredAtDecision: obj({ metric: z.number(), runs: count }).nullable().optional(),
});

/** The config a run recorded: shown, never executed (a run always executes the project's current config). */
const RecordedConfigSchema = obj({ metric: obj({ name: z.string(), direction: z.enum(['min', 'max']) }) });

/** Every stop reason, as a mapped type: a reason added to StopReason is a type error here until listed. */
const STOP_REASONS: { readonly [K in StopReason]: true } = {
  'max-experiments': true,
  'max-hours': true,
  'max-cost': true,
  target: true,
  exhausted: true,
  failures: true,
  user: true,
  signal: true,
  auth: true,
  error: true,
};

/**
 * One schema per event type. The mapped type makes a new member of `JournalEvent` a type error here until
 * it has a schema, so the writer and the reader cannot drift apart.
 */
const EVENT_SCHEMAS: { readonly [K in JournalEventType]: z.ZodType } = {
  'run-start': obj({ type: z.literal('run-start'), at: z.string(), version: z.number(), tag: z.string(), branch: z.string(), startCommit: sha, config: RecordedConfigSchema, proposer: z.string(), appVersion: z.string() }),
  'run-resume': obj({ type: z.literal('run-resume'), at: z.string(), config: RecordedConfigSchema, proposer: z.string() }),
  'run-stop': obj({ type: z.literal('run-stop'), at: z.string(), reason: z.string().refine((r) => Object.hasOwn(STOP_REASONS, r), 'a known stop reason'), message: z.string() }),
  'experiment-start': obj({ type: z.literal('experiment-start'), at: z.string(), experiment: ExperimentSchema }),
  'experiment-proposed': obj({
    type: z.literal('experiment-proposed'),
    at: z.string(),
    id,
    commit: sha.nullable(),
    description: z.string(),
    hypothesis: z.string(),
    usage: TokenUsageSchema.nullable(),
    proposalMs: count,
    changedFiles: z.array(z.string()),
    transcriptPath: runRelativePath.nullable(),
  }),
  'proposal-made': obj({
    type: z.literal('proposal-made'),
    at: z.string(),
    id,
    baseId: id.nullable(),
    parentCommit: sha,
    commit: sha.nullable(),
    description: z.string(),
    hypothesis: z.string(),
    usage: TokenUsageSchema.nullable(),
    proposedAt: z.string(),
    proposalMs: count,
    changedFiles: z.array(z.string()),
    changedLines: z.number().int().nonnegative(),
    transcriptPath: runRelativePath.nullable(),
    rejectedReason: z.string().nullable(),
  }),
  'proposal-dropped': obj({ type: z.literal('proposal-dropped'), at: z.string(), id, reason: z.string() }),
  'process-start': obj({ type: z.literal('process-start'), at: z.string(), id: processOwner, pid: z.number().int().nonnegative(), pgid: z.number().int().nonnegative(), what: z.enum(['setup', 'run', 'guard', 'agent']), remote: remoteJobRef.optional(), slot: z.number().int().min(0).max(100_000).optional() }).refine((e) => e.pgid > 0 || e.remote !== undefined, 'a local process needs its process group'),
  'process-end': obj({ type: z.literal('process-end'), at: z.string(), id: processOwner, pgid: z.number().int().nonnegative(), remote: remoteJobRef.optional() }).refine((e) => e.pgid > 0 || e.remote !== undefined, 'a local process needs its process group'),
  'experiment-end': obj({ type: z.literal('experiment-end'), at: z.string(), experiment: ExperimentSchema }),
  best: obj({ type: z.literal('best'), at: z.string(), id, commit: sha, metric: z.number() }),
  'noise-floor': obj({ type: z.literal('noise-floor'), at: z.string(), values: z.array(z.number().nullable()), spread: z.number().nullable() }),
  'best-remeasured': obj({ type: z.literal('best-remeasured'), at: z.string(), id, run: RunResultSchema }),
  audit: obj({
    type: z.literal('audit'),
    at: z.string(),
    bestId: id,
    baselineCommit: sha,
    bestCommit: sha,
    repeats: z.number().int().min(2),
    baseline: z.array(z.number()),
    best: z.array(z.number()),
    failedPairs: z.number().int().nonnegative(),
    improvement: z.number(),
    ciLow: z.number(),
    ciHigh: z.number(),
    recordedImprovement: z.number().nullable(),
    confirmed: z.boolean(),
  }),
  steer: obj({ type: z.literal('steer'), at: z.string(), note: z.string() }),
  'approval-wait': obj({ type: z.literal('approval-wait'), at: z.string(), id, commit: sha, parentCommit: sha, baseId: id.nullable(), changedLines: count, reason: z.string() }),
  'approval-answer': obj({
    type: z.literal('approval-answer'),
    at: z.string(),
    id,
    answer: z.enum(['approve', 'edit', 'reject']),
    note: z.string().max(4000).nullable(),
    files: z.array(obj({ path: editedPath, content: z.string().max(MAX_EDITED_FILE_CHARS) })).max(MAX_EDITED_FILES),
    by: z.enum(['app', 'terminal']),
  }).refine((e) => (e.answer === 'edit') === (e.files.length > 0), 'an edit carries the edited files, and only an edit does'),
  notice: obj({ type: z.literal('notice'), at: z.string(), level: z.enum(['info', 'warning', 'error']), message: z.string(), id: id.optional() }),
};

/** A journal line's parsed JSON as an event, or null when it is not a valid event of a known type. */
export function parseJournalEvent(value: unknown): JournalEvent | null {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return null;
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || !Object.hasOwn(EVENT_SCHEMAS, type)) return null;
  const result = EVENT_SCHEMAS[type as JournalEventType].safeParse(value);
  return result.success ? (result.data as JournalEvent) : null;
}

/**
 * The field checks above, for other files in the project folder that hold journal data (the fold snapshot
 * beside the journal is read with these, so it can carry nothing the journal itself could not).
 */
export const JournalFieldSchemas = {
  sha,
  id,
  count,
  remoteJobRef,
  recordedConfig: RecordedConfigSchema,
  stopReason: z.string().refine((r) => Object.hasOwn(STOP_REASONS, r), 'a known stop reason'),
  audit: EVENT_SCHEMAS.audit,
  /** A process the fold still holds open (the fields of a process-start it keeps). */
  openProcess: obj({ id: processOwner, pid: z.number().int().nonnegative(), pgid: z.number().int().nonnegative(), what: z.enum(['setup', 'run', 'guard', 'agent']), remote: remoteJobRef.optional() }).refine((e) => e.pgid > 0 || e.remote !== undefined, 'a local process needs its process group'),
} as const;
