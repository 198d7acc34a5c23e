// What a step of the loop came to, as tagged unions (`kind`), and the one place an outcome becomes a stop.
import type { CarriedChange, Experiment } from '../../shared/experiment.js';
import type { ProposalMadeEvent, StopReason } from '../../shared/journal.js';

/** A proposal made: committed (commit set) or rejected (rejectedReason set). The fields of proposal-made. */
export type MadeProposal = Omit<ProposalMadeEvent, 'type' | 'at'>;

/** What a proposal left in its proposal worktree (ProposalResult's `scratch`). */
export interface ScratchLeft {
  readonly base: string;
  readonly paths: readonly string[];
}

/** What asking for a proposal came to: a proposal (committed or rejected), or nothing, and why. */
export type ProposalResult =
  | {
      readonly kind: 'made';
      readonly made: MadeProposal;
      /**
       * The commit's ref (refs/autoresearch/<tag>/<id>) being written, never journaled: the experiment's start
       * waits for it beside the slot's reset, so the two git processes run at once (bench/loop-overhead).
       */
      readonly refSet?: Promise<void>;
      /**
       * The commit was written without moving the proposal worktree's HEAD (git/fast-commit.ts): the worktree
       * is at `base` but for `paths`, which the next proposal on the same base puts back without a checkout.
       */
      readonly scratch?: ScratchLeft;
    }
  /** A stop came while the agent worked (or the app failed it): nothing was proposed. */
  | { readonly kind: 'interrupted'; readonly message: string }
  /** The proposer cannot work at all (no key, a key refused). */
  | { readonly kind: 'fatal'; readonly message: string }
  /** The proposer has nothing new to try. */
  | { readonly kind: 'exhausted'; readonly message: string };

export interface StopOrder {
  readonly reason: StopReason;
  readonly message: string;
  /** Let running experiments finish (a limit, nothing left to try) rather than kill them (a key refused). */
  readonly graceful: boolean;
}

/** Whether a proposal that came to nothing stops the run, and how. */
export function stopFor(result: ProposalResult): StopOrder | null {
  switch (result.kind) {
    case 'fatal':
      return { reason: 'auth', message: result.message, graceful: false };
    case 'exhausted':
      // The proposer has nothing new: the run stops gracefully, letting other slots finish what they measure.
      return { reason: 'exhausted', message: result.message, graceful: true };
    default:
      return null;
  }
}

/** What became of an experiment a slot took on; the scheduler acts on the last two. */
export type ExperimentOutcome =
  /** It ran (or came to nothing) and is closed, whatever its status. */
  | { readonly kind: 'closed' }
  /** A queued proposal whose change conflicts with the best: back to the queue, nothing recorded. */
  | { readonly kind: 'conflict'; readonly files: readonly string[]; readonly withId: number | null }
  /** A queued proposal that cannot start (its commit is gone): dropped with why. */
  | { readonly kind: 'dropped'; readonly reason: string };

export const CLOSED: ExperimentOutcome = { kind: 'closed' };

/** Where a candidate is measured: its commit, the best it sits on, and that best's experiment. */
export interface Target {
  readonly commit: string;
  readonly parentCommit: string;
  readonly baseId: number | null;
}

/** The record's fields for where the candidate was measured (and what it was carried from). */
export function targetFields(target: Target, carried: CarriedChange | null): Partial<Experiment> {
  return { commit: target.commit, parentCommit: target.parentCommit, baseId: target.baseId, ...(carried ? { carried } : {}) };
}
