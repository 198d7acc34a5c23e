// What the parts of a run share: the run's identity and config, the journal-backed record, and the few
// operations every step uses. createRun (run.ts) builds one; baseline.ts, candidate.ts and measure.ts
// take it, so each step of the loop reads as a plain function of its own.
import type { SlotPhase } from '../../shared/api.js';
import type { ProjectConfig } from '../../shared/config.js';
import type { Experiment, ExperimentStatus } from '../../shared/experiment.js';
import type { JournalEvent, StopReason } from '../../shared/journal.js';
import type { Proposer } from '../agent/proposer.js';
import type { RunCommandResult } from '../exec/run-command.js';
import type { SandboxSpec } from '../exec/sandbox.js';
import type { RunRecord } from '../journal/fold.js';
import type { runPaths } from '../project/paths.js';
import type { ProtectedHashes } from './protected-files.js';
import type { LoopDeps, LoopEvent } from './types.js';

/** The live state of one slot (what the UI shows for it). */
export interface SlotState {
  readonly index: number;
  worktree: string;
  phase: SlotPhase;
  experimentId: number | null;
  description: string | null;
  experimentStartedAt: string | null;
  phaseStartedAt: string | null;
  metricsSoFar: Record<string, number>;
  waitingReason: string | null;
  /** Status and log of this slot's previous experiment, for the crash tail in the next prompt. */
  lastStatus: ExperimentStatus | null;
  lastLogTail: string | null;
  /** The job running elsewhere now (LiveSlot.job). */
  job: string | null;
}

export interface ProcessRequest {
  readonly what: 'run' | 'guard' | 'setup';
  /** The experiment it belongs to (-1 for the setup command). */
  readonly id: number;
  readonly slot: SlotState;
  readonly command: string;
  readonly cwd: string;
  /** Relative to the run directory. */
  readonly logRel: string;
  readonly timeoutMs: number;
  readonly onOutput?: (text: string) => void;
}

export interface RunContext {
  readonly projectDir: string;
  readonly tag: string;
  readonly config: ProjectConfig;
  readonly paths: ReturnType<typeof runPaths>;
  readonly deps: LoopDeps;
  readonly proposer: Proposer;
  /** The run as folded from its journal; only `append` changes it. */
  readonly record: RunRecord;
  /** Aborted by a user stop: running processes are killed, proposals give up. */
  readonly signal: AbortSignal;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** sha256 of the protected files at the run's start commit. */
  protectedHashes(): ProtectedHashes;
  /** Journal (fsync'd), fold into the record, tell the listeners — in that order, for every change. */
  append(event: JournalEvent): Promise<void>;
  emit(event: LoopEvent): void;
  emitLive(): void;
  setPhase(slot: SlotState, phase: SlotPhase, extra?: Partial<SlotState>): void;
  /** Record the end of an experiment (journal, results.tsv, failure streak, slot back to idle). */
  finish(slot: SlotState, experiment: Experiment, tail: string | null): Promise<Experiment>;
  current(id: number): Experiment;
  /** Finished experiments, oldest first. */
  finishedHistory(): readonly Experiment[];
  /** Steering notes dropped by other processes into the run's inbox. */
  importInbox(): Promise<void>;
  requestStop(reason: StopReason, message: string, graceful: boolean): void;
  /** A stop was asked for (graceful or not): what waits (an approval) gives up, what runs may finish. */
  stopRequested(): boolean;
  /** Decisions that move the branch run one at a time across slots. */
  withDecisionLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Run a command as its own process group, journaled (process-start/end) so orphans can be found. */
  runProcess(request: ProcessRequest): Promise<RunCommandResult>;
  /** The sandbox for a command in `cwd` (null: bubblewrap is missing or the sandbox is off). */
  sandboxFor(cwd: string, kind: 'trainer' | 'agent'): { readonly bwrap: string; readonly spec: SandboxSpec } | null;
}

/** How much of a failed command's output goes into an experiment's error. */
export const CRASH_TAIL_CHARS = 4000;

/** " Last output:\n…" with the end of a failed command's output, or a plain note that it printed nothing. */
export function lastOutput(tail: string): string {
  const text = tail.slice(-CRASH_TAIL_CHARS);
  return text.trim() ? ` Last output:\n${text}` : ' It printed nothing.';
}

export const isoNow = () => new Date().toISOString();

export const errorMessage = (err: unknown) => (err instanceof Error ? err.message : String(err));

/** A new record in the 'running' state; later events fill in the rest. */
export function runningExperiment(
  fields: Pick<Experiment, 'id' | 'kind' | 'slot' | 'baseId' | 'parentCommit' | 'startedAt'> & Partial<Pick<Experiment, 'commit' | 'description' | 'hypothesis' | 'logPath'>>,
): Experiment {
  return {
    commit: null,
    description: '',
    hypothesis: '',
    logPath: null,
    ...fields,
    status: 'running',
    metric: null,
    metrics: {},
    runs: [],
    guard: null,
    bestBefore: null,
    finishedAt: null,
    timings: { proposalMs: null, trainingMs: null, totalMs: null },
    usage: null,
    transcriptPath: null,
    error: null,
    changedFiles: [],
  };
}

/** The first non-empty line, trimmed, at most 200 characters. */
export function oneLine(text: string): string {
  return text.split('\n').map((l) => l.trim()).find(Boolean)?.slice(0, 200) ?? '';
}
