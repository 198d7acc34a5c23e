// What the parts of a run share, as narrow interfaces: each step of the loop takes only the ones it uses
// (the decision step: the record, the journal, the closer, the lock and git; the scheduler none of them), so it
// reads as a plain function of its own and a unit test hands it small in-memory versions (test/helpers). The
// parts are built by createRun (run.ts) from run-journal.ts, run-control.ts, run-live.ts, close-experiment.ts,
// run-process.ts, inbox.ts and loop-git.ts; `RunContext` is all of them together.
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
  readonly what: 'run' | 'guard' | 'heldout' | 'setup';
  /** The experiment it belongs to (-1 for the setup command). */
  readonly id: number;
  readonly slot: SlotState;
  readonly command: string;
  readonly cwd: string;
  /** Relative to the run directory. */
  readonly logRel: string;
  readonly timeoutMs: number;
  readonly onOutput?: (text: string) => void;
  /** Kills this command alone, as a timeout would (an early stop); the run's own stop kills it too. */
  readonly signal?: AbortSignal;
  /** Variables added to the command's environment for this run only (the seed of a seeded run). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Which run, with what settings. */
export interface RunIdentity {
  readonly projectDir: string;
  readonly tag: string;
  readonly config: ProjectConfig;
  readonly paths: ReturnType<typeof runPaths>;
}

/** The run's journal: the record folded from it, and the one way to change both. */
export interface RunJournalView {
  /** The run as folded from its journal; only `append` changes it. */
  readonly record: RunRecord;
  /** Journal (fsync'd) first, then fold into the record and tell the listeners, for every change. */
  append(event: JournalEvent): Promise<void>;
}

/** What the UI sees of the run as it goes: slot phases, log lines. */
export interface RunLiveView {
  emit(event: LoopEvent): void;
  emitLive(): void;
  setPhase(slot: SlotState, phase: SlotPhase, extra?: Partial<SlotState>): void;
}

/** Stopping: asked for by the user, a limit, or a step that cannot go on. */
export interface RunStopView {
  /** Aborted by a user stop: running processes are killed, proposals give up. */
  readonly signal: AbortSignal;
  requestStop(reason: StopReason, message: string, graceful: boolean): void;
  /** A stop was asked for (graceful or not): what waits (an approval) gives up, what runs may finish. */
  stopRequested(): boolean;
}

/** The one place an experiment ends (close-experiment.ts). */
export interface ExperimentCloser {
  /**
   * Record the end of experiment `id`: its record as folded so far with `patch` over it, journaled as
   * experiment-end, its results.tsv row, the failure streak, the slot back to idle.
   */
  close(slot: SlotState, id: number, patch: Partial<Experiment>, tail: string | null): Promise<Experiment>;
  /** Experiment `id` as folded so far. */
  current(id: number): Experiment;
}

/** Commands run for the experiments (run-process.ts). */
export interface RunProcesses {
  /** Run a command as its own process group, journaled (process-start/end) so orphans can be found. */
  runProcess(request: ProcessRequest): Promise<RunCommandResult>;
  /** The sandbox for a command in `cwd` (null: bubblewrap is missing or the sandbox is off); `slot`: with that slot's own /tmp and caches. */
  sandboxFor(cwd: string, kind: 'trainer' | 'agent', slot?: number): { readonly bwrap: string; readonly spec: SandboxSpec } | null;
  /** sha256 of the protected files at the run's start commit. */
  protectedHashes(): ProtectedHashes;
}

/** What a proposer is asked with, beyond the record. */
export interface ProposingView {
  readonly proposer: Proposer;
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Finished experiments, oldest first. */
  finishedHistory(): readonly Experiment[];
  /** Steering notes and approval answers dropped by other processes into the run's inbox. */
  importInbox(): Promise<void>;
}

/** Decisions that move the branch run one at a time across slots. */
export interface DecisionLock {
  withDecisionLock<T>(fn: () => Promise<T>): Promise<T>;
}

/** What git does for the loop (loop-git.ts; an in-memory one in test/helpers/loop-memory.ts). */
export interface LoopGit {
  /** The worktree at `commit`, clean (the linked inputs kept). */
  resetTo(worktree: string, commit: string): Promise<void>;
  updateRef(ref: string, commit: string): Promise<void>;
  /** The change of `commit` carried onto `onto` (a three-way merge), or the files that conflict. */
  carryOnto(commit: string, onto: string, message: string): Promise<CarryOutcome>;
  /**
   * Starts the same carry now, while a candidate trains (pre-carry.ts): a later carryOnto with the same arguments
   * gets its result without waiting for git. Returns the carry's outcome (a conflict found ahead is acted on at
   * once: proposal-queue.ts, conflictedAhead); a failure rejects. Optional: an in-memory LoopGit (unit tests)
   * computes carries on demand.
   */
  carryAhead?(commit: string, onto: string, message: string): Promise<CarryOutcome>;
  commitExists(commit: string): Promise<boolean>;
}

export type CarryOutcome = { readonly kind: 'carried'; readonly commit: string } | { readonly kind: 'conflict'; readonly files: readonly string[] };

/** Everything createRun builds, together; each step takes the parts it uses. */
export interface RunContext extends RunIdentity, RunJournalView, RunLiveView, RunStopView, ExperimentCloser, RunProcesses, ProposingView, DecisionLock {
  readonly deps: LoopDeps;
  readonly git: LoopGit;
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
