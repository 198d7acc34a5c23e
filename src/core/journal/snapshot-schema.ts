// The checks a fold snapshot's head must pass (snapshot.ts reads and writes it): every RunRecord field with the
// journal's own field schemas, so the snapshot can carry nothing the journal itself could not. RECORD_FIELDS
// lists them all; a field added to RunRecord is a type error here until it has one.
import { z } from 'zod';
import { EXPERIMENT_STATUSES, type RunCounts } from '../../shared/experiment.js';
import { JOURNAL_VERSION, JournalFieldSchemas as F, parseJournalEvent, type JournalEvent, type JournalEventType } from '../../shared/journal.js';
import { emptyRunRecord, processKey, type ApprovalRecord, type OpenProcess, type RunRecord } from './fold.js';

export const FORMAT = 'autoresearch-fold-snapshot';
/**
 * Bump when the fold gives a different record for the same events, or the layout changes: an older snapshot is
 * then ignored (and rebuilt), never misread. Fields added to or removed from RunRecord are caught without a bump
 * (the head lists its fields and they must be exactly the current ones).
 */
export const SNAPSHOT_VERSION = 4;

export type RecordField = Exclude<keyof RunRecord, 'experiments'>;

const openProcessEntries = z
  .array(z.tuple([z.string(), F.openProcess]))
  .max(100_000)
  // The key is derived again, never taken from the file.
  .transform((entries) => new Map(entries.map(([, p]) => [processKey(p as OpenProcess), p as OpenProcess])));

/** A journal event the record keeps as it is (checked exactly as the journal's line would be). */
const journalEvent = <T extends JournalEventType>(type: T) =>
  z.unknown().transform((value, ctx): Extract<JournalEvent, { type: T }> => {
    const event = parseJournalEvent(value);
    if (event?.type !== type) {
      ctx.addIssue({ code: 'custom', message: `a valid ${type} event` });
      return z.NEVER;
    }
    return event as Extract<JournalEvent, { type: T }>;
  });

const approvalEntries = z
  .array(z.tuple([z.number(), z.object({ request: journalEvent('approval-wait'), answer: journalEvent('approval-answer').nullable() }).strict()]))
  .max(1_000_000)
  // Keyed by the request's experiment id, as the fold keys them; an answer must be for that request.
  .refine((entries) => entries.every(([, a]) => a.answer === null || a.answer.id === a.request.id), 'an answer for its own request')
  .transform((entries) => new Map(entries.map(([, a]) => [a.request.id, a as ApprovalRecord])));

const queuedEntries = z
  .array(z.tuple([z.number(), journalEvent('proposal-made')]))
  .max(1_000_000)
  // Keyed by the proposal's id, as the fold keys them.
  .transform((entries) => new Map(entries.map(([, e]) => [e.id, e])));

/** A Map inside a field's value, as the writer encodes it ({ $map: entries }). */
const mapOf = <K extends z.ZodType, V extends z.ZodType>(key: K, value: V) =>
  z
    .object({ $map: z.array(z.tuple([key, value])).max(1_000_000) })
    .strict()
    .transform((o) => new Map(o.$map as [z.output<K>, z.output<V>][]));

const finite = z.number().finite();
/** The slot-usage accumulator (slot-usage.ts): times and GPU counts only. */
const usageSchema = z
  .object({
    session: z.object({ start: finite, startIso: z.string(), gpus: z.array(finite) }).strict().nullable(),
    lastGpus: z.array(finite),
    slots: mapOf(
      z.number().int(),
      z
        .object({
          busyMs: finite,
          gpuMs: finite,
          wallMs: finite,
          agentMs: finite,
          conflictMs: finite,
          confirmMs: finite,
          wait: z.object({ on: z.enum(['agent', 'conflict']), since: finite, sinceIso: z.string(), from: finite }).strict().nullable(),
        })
        .strict(),
    ),
    open: mapOf(z.string(), z.object({ slot: z.number().int(), start: finite, gpus: finite, confirm: z.boolean() }).strict()),
    at: finite,
    atIso: z.string(),
    before: finite,
    endedNow: z.array(z.object({ slot: z.number().int(), start: finite, end: finite, gpus: finite, confirm: z.boolean() }).strict()),
    ran: mapOf(z.number().int(), z.number().int()),
  })
  .strict();

/** Every RunRecord field but the experiments, with the check its value must pass. */
export const RECORD_FIELDS: { readonly [K in RecordField]: z.ZodType } = {
  tag: z.string(),
  branch: z.string(),
  startCommit: z.union([z.literal(''), F.sha]),
  startedAt: z.string(),
  lastEventAt: z.string(),
  config: F.recordedConfig.optional(),
  proposer: z.string(),
  bestId: F.id.nullable(),
  bestCommit: F.sha.nullable(),
  best: z.number().nullable(),
  bestRuns: F.count,
  noiseFloor: z.number().nullable(),
  noiseValues: z.array(z.number().nullable()),
  audits: z.array(F.audit),
  steering: z.array(z.looseObject({ at: z.string(), note: z.string() })),
  approvals: approvalEntries,
  notices: z.array(z.looseObject({ at: z.string(), level: z.enum(['info', 'warning', 'error']), message: z.string(), id: F.id.optional() })).max(10_000),
  stopReason: F.stopReason.nullable(),
  stopMessage: z.string().nullable(),
  openProcesses: openProcessEntries,
  costUsd: F.count,
  inputTokens: F.count,
  outputTokens: F.count,
  trainingMs: F.count,
  usage: usageSchema,
  queuedProposals: queuedEntries,
  droppedProposals: z.array(z.tuple([F.id, z.string()])).max(1_000_000).transform((entries) => new Map(entries)),
};

/** The record's fields, as this app's fold has them: a snapshot with other fields is from another version. */
export const recordFields = (): string[] => Object.keys(emptyRunRecord()).filter((k) => k !== 'experiments').sort();

// stopped-early came later (issue #23): a snapshot written before it has no such count, which is 0.
const countsSchema = z
  .object(Object.fromEntries(['total', ...EXPERIMENT_STATUSES].map((k) => [k, k === 'stopped-early' ? z.number().int().nonnegative().default(0) : z.number().int().nonnegative()])) as unknown as { [K in keyof RunCounts]: z.ZodNumber })
  .strict();

export const HeadSchema = z
  .object({
    format: z.literal(FORMAT),
    version: z.literal(SNAPSHOT_VERSION),
    journalVersion: z.literal(JOURNAL_VERSION),
    fields: z.array(z.string()),
    mark: z.object({
      offset: z.number().int().nonnegative(),
      lines: z.number().int().nonnegative(),
      sha1: z.string().regex(/^[0-9a-f]{40}$/),
      probe: z.string().regex(/^[0-9a-f]{40}$/),
      file: z.object({ size: z.number(), mtimeMs: z.number(), ctimeMs: z.number(), ino: z.number(), dev: z.number() }).strict().nullable(),
    }),
    badLines: z.array(z.number().int().positive()),
    record: z.record(z.string(), z.unknown()),
    aggregates: z.object({ counts: countsSchema, keptImprovements: z.number().int().nonnegative(), baseline: z.number().nullable() }).strict(),
    experiments: z.object({ count: z.number().int().nonnegative(), sorted: z.boolean(), index: z.array(z.number().int().nonnegative()) }).strict(),
  })
  .strict();
