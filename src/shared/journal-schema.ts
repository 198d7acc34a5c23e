// Reading the journal back: a schema for every event type of journal-events.ts.
import { z } from 'zod';
import { EXPERIMENT_STATUSES } from './experiment.js';
import type { JournalEvent, JournalEventType, StopReason } from './journal-events.js';

// A project folder is untrusted input (it may come from a colleague or a tarball,
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
  seed: z.number().int().nullable().optional(),
  // A run's intermediate curve (config.earlyStop), downsampled to 64 points when recorded; a longer one is not ours.
  curve: z.array(z.tuple([z.number(), z.number()])).max(256).optional(),
  curveAxis: z.enum(['step', 'seconds']).optional(),
});
const HeldoutResultSchema = obj({ value: z.number().nullable(), error: z.string().nullable(), logPath: runRelativePath, durationMs: count });
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
    paired: z.boolean().optional(),
  })
    .nullable()
    .optional(),
  proposedAt: z.string().nullable().optional(),
  baseWhy: z.string().nullable().optional(),
  proposedOn: obj({ baseId: id.nullable(), parentCommit: sha, commit: sha }).nullable().optional(),
  approval: obj({ state: z.enum(['waiting', 'approve', 'edit', 'reject']), note: z.string().nullable(), at: z.string().nullable(), by: z.enum(['app', 'terminal']).nullable(), proposedCommit: sha })
    .nullable()
    .optional(),
  carried: obj({ fromBaseId: id.nullable(), fromParentCommit: sha, proposedCommit: sha, aloneMetric: z.number(), earlierRuns: z.array(RunResultSchema) }).nullable().optional(),
  where: z.string().min(1).max(300).optional(),
  measuredAtDecision: obj({ metric: z.number(), runs: count }).nullable().optional(),
  heldout: HeldoutResultSchema.nullable().optional(),
  earlyStop: obj({ at: z.number(), axis: z.enum(['step', 'seconds']), value: z.number(), bestValue: z.number(), noise: z.number(), bestId: id }).nullable().optional(),
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
    baseWhy: z.string().nullable().optional(),
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
    baseWhy: z.string().nullable().optional(),
  }),
  'proposal-dropped': obj({ type: z.literal('proposal-dropped'), at: z.string(), id, reason: z.string() }),
  'process-start': obj({ type: z.literal('process-start'), at: z.string(), id: processOwner, pid: z.number().int().nonnegative(), pgid: z.number().int().nonnegative(), what: z.enum(['setup', 'run', 'guard', 'heldout', 'agent', 'hook']), remote: remoteJobRef.optional(), slot: z.number().int().min(0).max(100_000).optional() }).refine((e) => e.pgid > 0 || e.remote !== undefined, 'a local process needs its process group'),
  'process-end': obj({ type: z.literal('process-end'), at: z.string(), id: processOwner, pgid: z.number().int().nonnegative(), remote: remoteJobRef.optional() }).refine((e) => e.pgid > 0 || e.remote !== undefined, 'a local process needs its process group'),
  'experiment-end': obj({ type: z.literal('experiment-end'), at: z.string(), experiment: ExperimentSchema }),
  'heldout-result': obj({ type: z.literal('heldout-result'), at: z.string(), id, value: z.number().nullable(), error: z.string().nullable(), logPath: runRelativePath, durationMs: count }),
  best: obj({ type: z.literal('best'), at: z.string(), id, commit: sha, metric: z.number() }),
  'noise-floor': obj({ type: z.literal('noise-floor'), at: z.string(), values: z.array(z.number().nullable()), spread: z.number().nullable() }),
  'baseline-run': obj({ type: z.literal('baseline-run'), at: z.string(), index: z.number().int().min(0).max(1000), run: RunResultSchema }),
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
    seeds: z.array(z.number().int()).optional(),
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
  notice: obj({ type: z.literal('notice'), at: z.string(), level: z.enum(['info', 'warning', 'error']), message: z.string(), id: id.optional(), conflictSlot: z.number().int().min(0).max(100_000).optional() }),
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
  openProcess: obj({ id: processOwner, pid: z.number().int().nonnegative(), pgid: z.number().int().nonnegative(), what: z.enum(['setup', 'run', 'guard', 'heldout', 'agent', 'hook']), remote: remoteJobRef.optional() }).refine((e) => e.pgid > 0 || e.remote !== undefined, 'a local process needs its process group'),
} as const;
