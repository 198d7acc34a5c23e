// The executor seam: everything the loop needs from "where experiments run". The loop prepares a workspace
// at a commit, starts a command there with its environment and budget, streams its output, kills its whole
// tree, waits for its result, and after a restart re-attaches to (or cleans up) what a previous process left.
// LocalExecutor does this on this machine (git worktrees and process groups); an executor for a job that runs
// elsewhere and outlives the app (Slurm, SSH) implements the same interface: `JobRef` is what the journal
// records of a job, so it must be enough to find that job again.
import type { RemoteJobRef } from '../../shared/journal.js';
import type { RunCommandOptions, RunCommandResult } from './run-command.js';

/** What the journal records of a started job, to find it after a restart. */
export interface JobRef {
  readonly pid: number;
  /** Process group here; 0 for a job elsewhere with no local process. */
  readonly pgid: number;
  /** A job elsewhere (Slurm, SSH): the executor's own handle, journaled with the process-start. */
  readonly remote?: RemoteJobRef;
}

/**
 * A command as run-command.ts takes it (its fields say what each means), plus what only an executor reports.
 * `stdin` is written by the local executor only (the hooks run through it, loop/hooks.ts); a job elsewhere gets none.
 */
export interface ExecutorJob
  extends Pick<RunCommandOptions, 'command' | 'cwd' | 'env' | 'logFile' | 'logMaxBytes' | 'timeoutMs' | 'graceMs' | 'signal' | 'sandbox' | 'onOutput' | 'stdin'> {
  /** Awaited before the job is waited on: the caller journals the ref (fsync'd) here. */
  readonly onStart?: (ref: JobRef) => void | Promise<void>;
  /**
   * A job that waits for resources elsewhere (queued in Slurm) says why, e.g. "queued in Slurm (PENDING,
   * Resources)"; null once it runs. Its timeout clock starts only then: time in a queue is not the budget's.
   */
  readonly onWaiting?: (reason: string | null) => void;
  /** Processes that left the job's tree and were killed after it ended (pids). */
  readonly onEscaped?: (pids: readonly number[]) => void | Promise<void>;
}

export interface Workspace {
  readonly path: string;
  /** It was broken (a crash mid-checkout) and has been rebuilt. */
  readonly repaired: boolean;
}

/** What a slot's "Test" button shows: a command run through the executor (nvidia-smi -L, sinfo) and its answer. */
export interface ProbeResult {
  readonly ok: boolean;
  /** The command as run, e.g. "sinfo --partition gpu". */
  readonly command: string;
  /** Its output, or the error that says what to fix. */
  readonly output: string;
}

/** What a re-attach found of the jobs a previous process recorded. */
export interface ReattachResult {
  readonly reattached: JobRef[];
  /** Process groups (local) or job ids (Slurm) that were still running and have been ended. */
  readonly killed: number[];
  /** How jobs that ended while the app was down ended, and what was done with the others (for the journal). */
  readonly notes?: readonly string[];
}

export interface Executor {
  readonly kind: string;
  /** Where its jobs run, as Experiment.where says it: "local", "ssh:<host>", "slurm…". */
  readonly where?: string;
  /** The slot's workspace, exactly at `commit` (linked inputs kept). */
  prepareWorkspace(slot: number, commit: string): Promise<Workspace>;
  /** Start `job` and wait for its end (or its kill through job.signal). */
  run(job: ExecutorJob): Promise<RunCommandResult>;
  /**
   * After a restart: what a previous process started (recorded refs) is found again. A local process whose
   * parent died cannot be re-attached (its output pipe is gone), so LocalExecutor kills it and says so.
   */
  reattach(refs: readonly JobRef[], runDir: string): Promise<ReattachResult>;
  /** Runs a harmless command where the slot's jobs run (the setup form's "Test"); never throws. */
  probe?(): Promise<ProbeResult>;
}
