// The Api's data about runs: their summaries and details, the live run's slots, and what the History reads
// of an experiment (log, diff) or makes of a run (finalize).
import type { ProjectConfig } from './config.js';
import type { RunUsage } from './slot-usage.js';
import type { Experiment, RunCounts } from './experiment.js';
import type { AuditEvent, StopReason } from './journal.js';

export type RunState = 'starting' | 'running' | 'pausing' | 'paused' | 'stopping' | 'stopped';

export interface RunSummary {
  readonly tag: string;
  readonly branch: string;
  readonly startedAt: string;
  readonly lastEventAt: string;
  /** 'stopped' for every run that is not live in this app. */
  readonly state: RunState;
  readonly stopReason: StopReason | null;
  readonly stopMessage: string | null;
  readonly proposer: string;
  readonly metricName: string;
  readonly direction: 'min' | 'max';
  readonly baseline: number | null;
  /** The current estimate of the best: the mean of all its runs, re-measurements included. */
  readonly best: number | null;
  /** How many runs `best` is the mean of; say it with wording.ts's formatEstimate ("1.503187 (mean of 3)"). */
  readonly bestRuns: number | null;
  readonly bestId: number | null;
  readonly bestCommit: string | null;
  /** Standard deviation of the baseline repeats, null with a single baseline run. */
  readonly noiseFloor: number | null;
  /** Records per status; counts.keep includes the baseline when it was measured. */
  readonly counts: RunCounts;
  /** Candidates kept after the baseline: what "kept" means everywhere (wording.ts). */
  readonly keptImprovements: number;
  readonly costUsd: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Sum of experiment wall times (training), for GPU-hours. */
  readonly trainingMs: number;
  /** From the first to the last event, pauses included. */
  readonly elapsedMs: number;
  /** Per slot: trainer time (GPU-hours) and idle time, from the journal (shared/slot-usage.ts). */
  readonly usage?: RunUsage;
}

export interface SteeringNote {
  readonly at: string;
  readonly note: string;
}

export interface RunNotice {
  readonly at: string;
  readonly level: 'info' | 'warning' | 'error';
  readonly message: string;
  readonly id?: number;
}

/** A proposal that waits for the researcher's answer (config.approval), or was answered and not yet run. */
export interface ApprovalItem {
  readonly id: number;
  readonly description: string;
  readonly hypothesis: string;
  /** The proposed commit and the best it was made on (getDiff shows the change). */
  readonly commit: string;
  readonly parentCommit: string;
  readonly changedFiles: readonly string[];
  readonly changedLines: number;
  /** Why it waits, e.g. "changes 120 lines, over 50 (approval: large)". */
  readonly reason: string;
  readonly requestedAt: string;
  /** The answer given while the run was stopped, applied when it resumes; null while it waits. */
  readonly answer: 'approve' | 'edit' | 'reject' | null;
}

export interface RunDetail extends RunSummary {
  readonly config: ProjectConfig;
  readonly startCommit: string;
  readonly experiments: readonly Experiment[];
  readonly steering: readonly SteeringNote[];
  readonly notices: readonly RunNotice[];
  /** The latest audit of the result (`autoresearch audit`, the History's Audit button); null when none. */
  readonly audit?: AuditEvent | null;
  /** Proposals waiting for approval (oldest first); empty when none. */
  readonly approvals?: readonly ApprovalItem[];
}

export type SlotPhase = 'idle' | 'proposing' | 'committing' | 'running' | 'confirming' | 'guarding' | 'deciding' | 'waiting';

export interface LiveSlot {
  readonly slot: number;
  readonly env: Readonly<Record<string, string>>;
  readonly phase: SlotPhase;
  readonly experimentId: number | null;
  readonly description: string | null;
  /** ISO time the current experiment / phase started. */
  readonly experimentStartedAt: string | null;
  readonly phaseStartedAt: string | null;
  /** Metrics parsed from the output so far. */
  readonly metricsSoFar: Readonly<Record<string, number>>;
  /** Why the slot waits (API down, retry in N s). */
  readonly waitingReason: string | null;
  /** Where the slot's experiments run: "local", "ssh:<host>", "slurm…" (absent from older hosts: local). */
  readonly where?: string;
  /** The job running elsewhere now, as its executor names it (the process group on the host, a Slurm job id). */
  readonly job?: string | null;
}

export interface StopConditionProgress {
  readonly kind: 'max-experiments' | 'max-hours' | 'max-cost' | 'target' | 'failures';
  readonly label: string;
  readonly current: number;
  readonly limit: number;
  /** 0..1 */
  readonly fraction: number;
}

export interface LiveRun {
  readonly tag: string;
  readonly state: RunState;
  readonly budgetSeconds: number;
  readonly timeoutSeconds: number;
  readonly slots: readonly LiveSlot[];
  readonly stopConditions: readonly StopConditionProgress[];
}

export interface LogInfo {
  readonly path: string;
  readonly bytes: number;
  readonly lines: number;
  /** True while the experiment still writes to it. */
  readonly growing: boolean;
}

export interface LogLines {
  readonly start: number;
  readonly lines: readonly string[];
  readonly totalLines: number;
}

export interface DiffResult {
  readonly from: string;
  readonly to: string;
  /** Unified diff text (git diff format). */
  readonly diff: string;
  readonly files: readonly { readonly path: string; readonly additions: number; readonly deletions: number }[];
}

/** What finalizeRun made: the new branch, its commits (oldest first), kept changes left out and why, the patch file. */
export interface FinalizeResult {
  readonly branch: string;
  readonly startCommit: string;
  readonly head: string;
  readonly commits: readonly { readonly id: number; readonly commit: string; readonly description: string; readonly before: number | null; readonly after: number | null }[];
  readonly leftOut: readonly { readonly id: number; readonly description: string; readonly reason: string }[];
  readonly patchFile: string;
}
