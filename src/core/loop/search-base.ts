// Which measured experiment a new proposal starts from: the search strategy's one decision (config `search`,
// issue #25). `greedy` (autoresearch's loop) always starts from the best. Every place that makes a proposal
// asks here (a slot proposing for itself in experiment-start.ts, a proposer working ahead in proposal-queue.ts),
// so a strategy is one function and the prompt can say which node it starts from and why.
import type { Experiment } from '../../shared/experiment.js';
import type { RunRecord } from '../journal/fold.js';

export interface ChosenBase {
  /** The measured experiment the proposal starts from (its commit is the proposal's parent). */
  readonly base: Experiment;
  /** Why this node, in a sentence for the agent's prompt and the journal; null for the plain greedy case. */
  readonly why: string | null;
}

export interface BaseRequest {
  readonly record: RunRecord;
  /** The slot proposing for itself, or null for a proposer working ahead. */
  readonly slot: number | null;
  /** The experiment id the proposal will get. */
  readonly id: number;
}

/** The node a proposal starts from. Greedy: the best. */
export function chooseBase(req: BaseRequest): ChosenBase {
  const { record } = req;
  return { base: record.experiments.get(record.bestId!)!, why: null };
}
