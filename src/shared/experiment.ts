import type { CurvePoint, EarlyStopInfo } from './config-early-stop.js';

// The experiment record: what one turn of the loop produced. JSON-safe (no Date, no Map, no undefined
// that matters), so the same value travels through the journal, Electron IPC and the WebSocket.

export const EXPERIMENT_STATUSES = [
  'running',
  'keep',
  'discard',
  'crash',
  'timeout',
  'rejected',
  'interrupted',
  /** Its intermediate curve was clearly worse than the best's and its run was stopped (config.earlyStop); a discard in results.tsv. */
  'stopped-early',
] as const;
export type ExperimentStatus = (typeof EXPERIMENT_STATUSES)[number];

/** Statuses that count as a failure for the circuit breaker and in the UI. */
export const FAILURE_STATUSES: ReadonlySet<ExperimentStatus> = new Set(['crash', 'timeout', 'rejected']);

export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationInputTokens: number;
  readonly cacheReadInputTokens: number;
  /** null when the model has no entry in the price table. */
  readonly costUsd: number | null;
}

/** Sum of two usages (a proposal retried after an outage pays for both attempts). */
export function addUsage(a: TokenUsage | null, b: TokenUsage | null): TokenUsage | null {
  if (!a) return b;
  if (!b) return a;
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    costUsd: a.costUsd === null && b.costUsd === null ? null : (a.costUsd ?? 0) + (b.costUsd ?? 0),
  };
}

export interface ExperimentTimings {
  /** Time the proposer took (agent thinking and editing). */
  readonly proposalMs: number | null;
  /** Wall time of the run command (all repeats added up). */
  readonly trainingMs: number | null;
  /** From the start of the proposal to the decision. */
  readonly totalMs: number | null;
  /** A pipelined proposal: how long it waited, made and committed, for a free slot (absent otherwise). */
  readonly queueWaitMs?: number | null;
}

/** One execution of the run command. A candidate has one, more when confirmation runs were made. */
export interface ExperimentRunResult {
  readonly metric: number | null;
  readonly metrics: Readonly<Record<string, number>>;
  readonly exitCode: number | null;
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly durationMs: number;
  /** Relative to the run directory, e.g. logs/12.log or logs/12.2.log. */
  readonly logPath: string;
  /** The seed the harness ran it under (config.seed); absent when the seed is not varied, and in older journals. */
  readonly seed?: number | null;
  /** The intermediate points it printed (config.earlyStop.pattern), downsampled; absent without a pattern. */
  readonly curve?: readonly CurvePoint[];
  /** The axis of `curve`: steps, or seconds since the run started. */
  readonly curveAxis?: 'step' | 'seconds';
}

export interface GuardResult {
  readonly passed: boolean;
  readonly exitCode: number | null;
  readonly durationMs: number;
  readonly logPath: string;
}

export type ExperimentKind = 'baseline' | 'candidate';

/** How far a keep stands above the noise. */
export type ConfidenceLabel = 'clear' | 'above-noise' | 'within-noise' | 'exact' | 'unknown';

/** What a decision knew about the noise when it kept (or discarded) a candidate. */
export interface KeepConfidence {
  readonly rule: 'noise-aware' | 'classic';
  /** Improvement of the candidate's mean over the best's mean (positive = better), in metric units. */
  readonly gain: number;
  /** Noise of one measurement, pooled over every commit measured more than once; null when unknown. */
  readonly noiseSd: number | null;
  readonly noiseDof: number;
  /** Standard error of the gain: noiseSd × √(1/runs + 1/bestRuns). */
  readonly standardError: number | null;
  /** gain / standardError: how many standard errors the gain stands above the noise; null when unknown. */
  readonly z: number | null;
  /** The z the noise-aware rule required (one-sided Student-t bound of the false-keep rate); null for classic. */
  readonly bound: number | null;
  readonly runs: number;
  readonly bestRuns: number;
  readonly label: ConfidenceLabel;
  /** Judged on the differences under equal seeds (the candidate's runs used the best's seeds); absent: unpaired. */
  readonly paired?: boolean;
}

/**
 * What a decision says when identical reruns agree exactly but the seed was never varied: a change re-rolls
 * the randomness, so the spread that matters was never measured.
 */
export const NOISE_UNKNOWN_FIXED_SEED =
  'noise unknown: the runs repeat exactly because the seed is fixed — set how the seed is varied in Setup → Seed, or a minimum improvement';

/** The warning a run posts once when it decides without knowing the noise (a fixed seed, exact repeats). */
export const NOISE_UNKNOWN_NOTICE = `${NOISE_UNKNOWN_FIXED_SEED[0]!.toUpperCase()}${NOISE_UNKNOWN_FIXED_SEED.slice(1)}. Until then any gain above the minimum improvement is kept.`;

/**
 * The run decides without knowing its noise: the baseline's repeats agreed exactly (noise floor 0) and the seed
 * is not varied (no seed setting, or "none"), so they were identical reruns, not a measure of the noise.
 */
export function noiseUnknownFixedSeed(seed: { readonly kind: string } | null | undefined, noiseFloor: number | null): boolean {
  return noiseFloor === 0 && (!seed || seed.kind === 'none');
}

/** clear: ≥ 3 standard errors; above-noise: ≥ 2; within-noise: less (a keep that may be luck). */
export function confidenceLabel(z: number | null, exact = false): ConfidenceLabel {
  if (exact) return 'exact';
  if (z === null) return 'unknown';
  return z >= 3 ? 'clear' : z >= 2 ? 'above-noise' : 'within-noise';
}

/** One line for tables and reports: "3.4 SE above the noise (clear)" ("… under the same seeds" when paired). */
export function describeConfidence(c: KeepConfidence | null | undefined): string {
  if (!c) return '—';
  switch (c.label) {
    case 'exact':
      return 'exact (the metric has no noise)';
    case 'unknown':
      return 'noise unknown';
    case 'clear':
      return `${c.z!.toFixed(1)} SE above the noise${c.paired ? ' under the same seeds' : ''} (clear)`;
    case 'above-noise':
      return `${c.z!.toFixed(1)} SE above the noise`;
    case 'within-noise':
      return `${c.z!.toFixed(1)} SE: within the noise`;
  }
}

/**
 * A candidate that started from an older best and won: its change was carried onto the best kept meanwhile
 * (a three-way merge) and measured again there. The record's commit, parentCommit and baseId are then the
 * combination's; this keeps the first parent of the lineage and what the change measured alone.
 */
export interface CarriedChange {
  /** The experiment the change was proposed on (the second parent in the lineage). */
  readonly fromBaseId: number | null;
  readonly fromParentCommit: string;
  /** The commit the proposer made, measured alone. */
  readonly proposedCommit: string;
  /** Its metric alone, on its own base. */
  readonly aloneMetric: number;
  /** Every run measured before the last carry (alone, and on a best that moved again). */
  readonly earlierRuns: readonly ExperimentRunResult[];
}

export interface Experiment {
  readonly id: number;
  readonly kind: ExperimentKind;
  readonly slot: number;
  /** The experiment whose commit this one started from (lineage); null for the baseline. */
  readonly baseId: number | null;
  /** Commit the candidate was based on (the best commit when it started). */
  readonly parentCommit: string;
  /** The candidate commit; for the baseline, the starting commit. null when nothing was committed. */
  readonly commit: string | null;
  readonly description: string;
  readonly hypothesis: string;
  readonly status: ExperimentStatus;
  /** The primary metric (mean over runs); null for crash/timeout/rejected/interrupted/running. */
  readonly metric: number | null;
  /** Every number parsed from the output of the last run, primary included. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly runs: readonly ExperimentRunResult[];
  readonly guard: GuardResult | null;
  /** The best metric when the decision was made (what this one was compared with). */
  readonly bestBefore: number | null;
  readonly startedAt: string;
  readonly finishedAt: string | null;
  readonly timings: ExperimentTimings;
  readonly usage: TokenUsage | null;
  /** Relative to the run directory. */
  readonly logPath: string | null;
  readonly transcriptPath: string | null;
  /** What went wrong, in words a user can act on (crash tail, rule broken, timeout). */
  readonly error: string | null;
  /** Files the candidate changed, relative to the project root. */
  readonly changedFiles: readonly string[];
  /** For a decided candidate: how far its gain stood above the noise (absent in journals written before). */
  readonly confidence?: KeepConfidence | null;
  /** Set when the change was carried onto a best kept while it was measured (absent otherwise). */
  readonly carried?: CarriedChange | null;
  /** When the proposer started on it (a pipelined proposal is made before a slot is free; absent otherwise). */
  readonly proposedAt?: string | null;
  /**
   * Why the search started it from its base (search-base.ts), as the agent was told: a tree or islands node, a
   * plateau's step back, a speculative base, a remake on the best. Absent when it simply started from the best.
   */
  readonly baseWhy?: string | null;
  /**
   * A pipelined proposal made on a best that moved before a slot took it: its change was carried onto the
   * best of that moment (a three-way merge) before it ran. What it was made on (absent otherwise).
   */
  readonly proposedOn?: ProposedOn | null;
  /** Set when the proposal waited for the researcher (config.approval): the answer it got (absent otherwise). */
  readonly approval?: ExperimentApproval | null;
  /**
   * Where it ran: "local", "ssh:<host>" (port added when not 22), "slurm:<job id>" (or the slot's Slurm place
   * before a job exists). Absent in journals written before slots could run elsewhere: this machine.
   */
  readonly where?: string;
  /**
   * Set when the record was measured again after its decision (the noise rule re-measures the best): the mean
   * the decision saw and how many runs made it. `metric` is then the mean of every run, the current estimate.
   */
  readonly measuredAtDecision?: MeasuredValue | null;
  /** The held-out check on this commit (config.heldout), when it ran: shown to the user, never to a proposer. */
  readonly heldout?: HeldoutResult | null;
  /** Set when its run was stopped early (status stopped-early): where, and against which curve. */
  readonly earlyStop?: EarlyStopInfo | null;
}

/** One run of the held-out command on a kept commit: its metric, or why there is none. */
export interface HeldoutResult {
  readonly value: number | null;
  /** Why no value was read (a crash, a timeout, a missing metric); null when it measured. */
  readonly error: string | null;
  /** Relative to the run directory, e.g. heldout/3.log (logs/3.heldout.log in runs made before 2026-12). */
  readonly logPath: string;
  readonly durationMs: number;
}

/** A mean of measured runs: the value and how many runs it is the mean of. */
export interface MeasuredValue {
  readonly metric: number;
  readonly runs: number;
}

/** How many runs `metric` is the mean of: the runs that produced a number. */
export function measuredRuns(e: { readonly runs: readonly { readonly metric: number | null }[] }): number {
  let n = 0;
  for (const r of e.runs) if (r.metric !== null && Number.isFinite(r.metric)) n += 1;
  return n;
}

export interface ProposedOn {
  readonly baseId: number | null;
  readonly parentCommit: string;
  /** The commit the proposer made, before the carry. */
  readonly commit: string;
}

/** What the researcher answered to a proposal that waited for approval. */
export interface ExperimentApproval {
  /** waiting: no answer yet; approve: ran as proposed; edit: ran with the researcher's edit; reject: never ran. */
  readonly state: 'waiting' | 'approve' | 'edit' | 'reject';
  readonly note: string | null;
  /** When it was answered (null while waiting). */
  readonly at: string | null;
  readonly by: 'app' | 'terminal' | null;
  /** The proposed commit, before an edit replaced it. */
  readonly proposedCommit: string;
}

/** A remote job as the dashboard names it: "job 4711" (Slurm), "process group 812 on gpu-box" (SSH). */
export function jobLabel(remote: { readonly kind: 'slurm' | 'ssh'; readonly handle: string }): string {
  if (remote.kind === 'slurm') return `job ${remote.handle}`;
  const m = /^(.+):(\d+):(\d+):\//.exec(remote.handle);
  return m ? `process group ${m[3]} on ${m[1]!.replace(/^[^@]*@/, '')}` : remote.handle;
}

/** Where a journaled remote job ran, as Experiment.where says it (ssh handles are host:port:pgid:folder). */
export function whereOfRemote(remote: { readonly kind: 'slurm' | 'ssh'; readonly handle: string }): string {
  if (remote.kind === 'slurm') return `slurm:${remote.handle}`;
  const m = /^(.+):(\d+):\d+:\//.exec(remote.handle);
  if (!m) return 'ssh';
  const host = m[1]!.replace(/^[^@]*@/, '');
  return `ssh:${host}${m[2] === '22' ? '' : `:${m[2]}`}`;
}

export interface RunCounts {
  readonly total: number;
  readonly keep: number;
  readonly discard: number;
  readonly crash: number;
  readonly timeout: number;
  readonly rejected: number;
  readonly interrupted: number;
  readonly 'stopped-early': number;
  readonly running: number;
}

export function countStatuses(experiments: readonly Experiment[]): RunCounts {
  const counts = { total: 0, keep: 0, discard: 0, crash: 0, timeout: 0, rejected: 0, interrupted: 0, 'stopped-early': 0, running: 0 };
  for (const e of experiments) {
    counts.total += 1;
    counts[e.status] += 1;
  }
  return counts;
}

/** Is `candidate` better than `best` in the metric's direction (strictly, ignoring thresholds)? */
export function isBetter(candidate: number, best: number, direction: 'min' | 'max'): boolean {
  return direction === 'min' ? candidate < best : candidate > best;
}

/** Signed improvement of `value` over `reference`: positive means better, whatever the direction. */
export function improvement(value: number, reference: number, direction: 'min' | 'max'): number {
  return direction === 'min' ? reference - value : value - reference;
}
