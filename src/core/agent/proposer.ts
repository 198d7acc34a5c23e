// What every proposer (mutation, claude, command) implements. A proposer only edits files through the
// restricted Workspace of its slot; it never commits, runs the experiment or judges the result.
import type { ProjectConfig } from '../../shared/config.js';
import type { Experiment, TokenUsage } from '../../shared/experiment.js';
import type { Workspace } from './workspace.js';
import type { SandboxSpec } from '../exec/sandbox.js';

export interface ProposalContext {
  readonly config: ProjectConfig;
  /** Contents of program.md ('' when absent). */
  readonly program: string;
  readonly workspace: Workspace;
  readonly slot: number;
  /** The id the experiment will get. */
  readonly experimentId: number;
  /** The experiment whose commit the workspace holds (the best, or the node the search strategy chose). */
  readonly base: Experiment;
  /** Why the search strategy started from `base` (config `search`), for the prompt; null/absent: the best, plainly. */
  readonly baseWhy?: string | null;
  /** The run went `since` experiments without a keep; `closest`: the discarded ideas that came nearest the best. */
  readonly plateau?: { readonly since: number; readonly closest: readonly Experiment[] } | null;
  readonly baseline: Experiment | null;
  readonly best: Experiment | null;
  /** Sample standard deviation of the baseline repeats, null with one baseline run. */
  readonly noiseFloor: number | null;
  /** Every finished experiment of the run, oldest first (the proposer trims what it shows). */
  readonly history: readonly Experiment[];
  /** `git diff baseline..best` of the editable files ('' when the best is the baseline). */
  readonly bestDiff: string;
  /** Tail of this slot's previous experiment's log when it crashed, else null. */
  readonly lastCrashLogTail: string | null;
  /** The user's steering notes, oldest first. */
  readonly steering: readonly string[];
  /**
   * Experiments measured right now and proposals waiting for a slot (other slots, pipelined proposals):
   * not measured yet, so not in the history, but proposing them again would waste a slot.
   */
  readonly inFlight?: readonly InFlightExperiment[];
  /** This experiment was proposed before, on an older best, and that change conflicts with the best now. */
  readonly conflict?: ProposalConflict | null;
  /** Aborted when the run stops: give up quickly and throw ProposalAbortedError. */
  readonly signal: AbortSignal;
  /** Directory where the proposer may keep scratch files (outside the worktree). */
  readonly scratchDir: string;
  /** Hook for live status ("waiting for the API, retry in 20 s"). */
  readonly onStatus?: (message: string) => void;
  /** An external process (agent CLI) was started as its own process group; record it so a restarted app can kill orphans. */
  readonly onProcessStart?: (info: { readonly pid: number; readonly pgid: number }) => void;
  readonly onProcessEnd?: (info: { readonly pid: number; readonly pgid: number }) => void;
  /** The sandbox an agent CLI runs in (null: none available or turned off). */
  readonly sandbox?: { readonly bwrap: string; readonly spec: SandboxSpec } | null;
}

export interface InFlightExperiment {
  readonly id: number;
  readonly description: string;
  /** running: a slot measures it; queued: made and committed, waiting for a free slot. */
  readonly state: 'running' | 'queued';
}

export interface ProposalConflict {
  /** The earlier proposal's description. */
  readonly description: string;
  /** The best it conflicts with, and the files where. */
  readonly withId: number | null;
  readonly files: readonly string[];
}

export interface Proposal {
  /** One line, shown in results.tsv and every list. */
  readonly description: string;
  readonly hypothesis: string;
  readonly usage: TokenUsage | null;
  /** Saved as agent/<id>.json (must never contain the API key). null = nothing to save. */
  readonly transcript: unknown;
  /** Set when the proposal broke a rule or produced nothing usable; the experiment becomes 'rejected'. */
  readonly rejectedReason?: string;
}

export interface Proposer {
  readonly name: 'mutation' | 'claude' | 'command' | 'openai-compatible' | (string & {});
  propose(ctx: ProposalContext): Promise<Proposal>;
}

/** The service is unavailable for now (rate limit, overload, network). The slot waits and tries again. */
export class ProposerUnavailableError extends Error {
  readonly retryAfterMs: number | null;
  /** Tokens the failed attempt already spent (they count toward the spend cap); null when none. */
  readonly usage: TokenUsage | null;
  constructor(message: string, retryAfterMs: number | null = null, options?: { cause?: unknown; usage?: TokenUsage | null }) {
    super(message, options);
    this.name = 'ProposerUnavailableError';
    this.retryAfterMs = retryAfterMs;
    this.usage = options?.usage ?? null;
  }
}

/** Retrying cannot help (bad API key, no permission, unknown model): the run stops with this message. */
export class ProposerFatalError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProposerFatalError';
  }
}

/**
 * The proposer has nothing new to try (every step of its search space was measured from the current best).
 * Not a failure: the run stops with the reason 'exhausted', which the failure breaker does not count.
 */
export class SearchSpaceExhaustedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SearchSpaceExhaustedError';
  }
}

export class ProposalAbortedError extends Error {
  constructor(message = 'The proposal was cancelled because the run is stopping') {
    super(message);
    this.name = 'ProposalAbortedError';
  }
}
