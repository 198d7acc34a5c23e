// Public types of the loop: what callers (the CLI, the Studio) pass in and get back.
import type { LiveRun, RunState } from '../../shared/api.js';
import type { ProjectConfig } from '../../shared/config.js';
import type { JournalEvent, StopReason } from '../../shared/journal.js';
import type { Proposer } from '../agent/proposer.js';
import type { RunRecord } from '../journal/fold.js';
import type { GpuRequest } from './slot-gpus.js';

export type ProposerName = 'mutation' | 'claude' | 'command' | 'openai-compatible';

/** Side effects and environment the loop needs; the CLI and the Studio pass their own. */
export interface LoopDeps {
  /** Base environment of experiment processes (the API key is stripped from it). */
  readonly env: NodeJS.ProcessEnv;
  /** A Node runtime for run commands (AUTORESEARCH_NODE). */
  readonly nodePath: string;
  readonly nodeEnv?: Readonly<Record<string, string>>;
  readonly appVersion: string;
  /** Builds the proposer; the host decides where the API key comes from. */
  readonly createProposer: (name: ProposerName, config: ProjectConfig) => Promise<Proposer>;
  /** Abortable sleep (tests pass a fast one). */
  readonly sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface StartRunOptions {
  readonly projectDir: string;
  /** The run's tag; an existing run with this tag is resumed. Default: today's date (e.g. nov24). */
  readonly tag?: string;
  readonly proposer?: ProposerName;
  /** Overrides config.stop.maxExperiments (candidates after the baseline, over the whole run). */
  readonly maxExperiments?: number;
  readonly maxHours?: number;
  /** Overrides the number of slots (extra slots get an empty environment). */
  readonly slots?: number;
  /**
   * Assign and lease GPUs to the slots (gpu/lease.ts): each slot gets its own from `gpus` or nvidia-smi,
   * in CUDA_VISIBLE_DEVICES. Absent: the slots' environments are used as configured, nothing is leased.
   */
  readonly gpus?: GpuRequest;
  readonly deps: LoopDeps;
}

export type LoopEvent =
  | { readonly kind: 'journal'; readonly event: JournalEvent }
  | { readonly kind: 'log'; readonly id: number; readonly text: string }
  | { readonly kind: 'live'; readonly live: LiveRun };

export interface RunOutcome {
  readonly reason: StopReason;
  readonly message: string;
}

export interface RunHandle {
  readonly tag: string;
  readonly projectDir: string;
  readonly runDir: string;
  /** True when this start continued an existing run. */
  readonly resumed: boolean;
  subscribe(listener: (event: LoopEvent) => void): () => void;
  /** The run as folded from its journal, live. Do not mutate. */
  record(): RunRecord;
  live(): LiveRun;
  state(): RunState;
  /** Finish the running experiments, start no new ones until resume(). */
  pause(): void;
  resume(): void;
  /**
   * Stop the run. By default the running experiments are killed (their whole process groups) and
   * recorded as interrupted; with graceful: true they finish first.
   */
  stop(opts?: { reason?: StopReason; message?: string; graceful?: boolean }): Promise<RunOutcome>;
  steer(note: string): Promise<void>;
  readonly done: Promise<RunOutcome>;
}
