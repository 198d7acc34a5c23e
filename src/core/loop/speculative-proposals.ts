// Speculative proposals (docs/decisions.md, "Pipelined proposals"): while conflicts are frequent, one proposer
// starts from the candidate a slot is measuring now instead of the best, so that whichever way its decision goes
// one ready proposal applies cleanly (this one if the candidate is kept; the regular one on the best if not, and
// this one is then dropped). This is the proposal queue's bookkeeping for it (proposal-queue.ts uses it):
// - which proposals were made speculatively (a kept one counts toward keeping the spare proposer);
// - which bases proposals are being made on, so only one is made on each running candidate;
// - the proposals just taken that have no commit yet: a speculative proposal waits for them, else it would start
//   from the best the moment before the slot's start (the candidate it should build on);
// - dropping ready proposals whose candidate was not kept (carried onto the best they would bring its change along).
import type { AsyncQueue } from '../util/async-queue.js';
import type { RunContext } from './context.js';
import type { MadeProposal } from './outcomes.js';
import { carriesOntoBest, chooseBase, chooseRemakeBase, chooseSpeculativeBase, type ChosenBase } from './search-base.js';
import type { LoopEvent } from './types.js';

/** A proposal as the queue holds it (proposal-queue.ts, QueuedProposal). */
interface Queued {
  readonly made: MadeProposal;
}

export interface SpeculationInput<T extends Queued> {
  readonly ctx: Pick<RunContext, 'record'>;
  readonly ready: AsyncQueue<T>;
  /** The run's journal as it is folded; absent (unit tests): a speculative proposal never waits for a start. */
  readonly subscribe?: (listener: (event: LoopEvent) => void) => () => void;
  readonly closed: () => boolean;
  /** Drops a queued proposal (journaled with why). */
  readonly drop: (id: number, reason: string) => Promise<void>;
}

export interface Speculation<T extends Queued> {
  /**
   * The base for proposal `id` made in proposal worktree `k`: the running candidate when `speculate` and none is
   * ready or being made on it yet, else the search strategy's choice. Waits first, when speculating, until every
   * proposal taken has its commit. Null when the queue closed meanwhile.
   */
  baseFor(k: number, id: number, speculate: boolean, remake?: boolean): Promise<ChosenBase | null>;
  /** Proposal worktree `k` is done making its proposal (made or not). */
  doneMaking(k: number): void;
  /** A proposal was taken by a slot: its experiment gets a commit soon. True when it was speculative and its base is the best now. */
  taken(p: T): boolean;
  /** A taken proposal will not start (dropped, or it conflicted). */
  notStarting(id: number): void;
  /** Drops ready proposals made on a candidate that was not kept (greedy only). */
  dropMisses(): Promise<void>;
  /** The queue closed: nothing waits any more. */
  close(): void;
}

export function createSpeculation<T extends Queued>(input: SpeculationInput<T>): Speculation<T> {
  const { ctx, ready } = input;
  /** Proposals made on a candidate being measured, by id. */
  const speculativeIds = new Set<number>();
  /** The base of the proposal each proposer is making now, by proposal worktree. */
  const making = new Map<number, number>();
  /** Proposals taken whose experiment has no commit yet (between take and experiment-proposed, a carry maybe). */
  const starting = new Set<number>();
  let startedWaiters: (() => void)[] = [];

  const settleStarts = () => {
    for (const id of starting) {
      const e = ctx.record.experiments.get(id);
      if (e && (e.commit !== null || e.status !== 'running')) starting.delete(id);
    }
    if (starting.size > 0 && !input.closed()) return;
    const waiters = startedWaiters;
    startedWaiters = [];
    for (const w of waiters) w();
  };
  const unsubscribe = input.subscribe?.((e) => {
    if (e.kind === 'journal' && starting.size > 0) settleStarts();
  });
  const untilStarted = () => (input.subscribe === undefined || starting.size === 0 || input.closed() ? Promise.resolve() : new Promise<void>((resolve) => startedWaiters.push(resolve)));
  /** Whether a proposal is ready or being made on experiment `id`. */
  const onBase = (id: number) => [...making.values()].includes(id) || ready.items.some((p) => p.made.baseId === id);

  return {
    async baseFor(k, id, speculate, remake = false) {
      if (speculate) await untilStarted();
      if (input.closed()) return null;
      const record = ctx.record;
      let speculative = speculate ? chooseSpeculativeBase({ record, slot: null, id }) : null;
      if (speculative && onBase(speculative.base.id)) speculative = null;
      // A remake after a conflict goes on the best it conflicted with (search-base.ts, chooseRemakeBase).
      const chosen = speculative ?? (remake ? chooseRemakeBase({ record, slot: null, id }) : chooseBase({ record, slot: null, id }));
      making.set(k, chosen.base.id);
      if (speculative) speculativeIds.add(id);
      else speculativeIds.delete(id);
      return chosen;
    },
    doneMaking: (k) => void making.delete(k),
    taken(p) {
      if (p.made.commit !== null) starting.add(p.made.id);
      return speculativeIds.delete(p.made.id) && p.made.parentCommit === ctx.record.bestCommit;
    },
    notStarting(id) {
      if (starting.delete(id)) settleStarts();
    },
    async dropMisses() {
      if (!carriesOntoBest(ctx.record)) return;
      const missed = (p: T) => {
        const base = p.made.baseId === null ? undefined : ctx.record.experiments.get(p.made.baseId);
        return base !== undefined && base.kind === 'candidate' && base.status !== 'keep' && base.status !== 'running';
      };
      for (const p of ready.takeAll(missed)) {
        await input.drop(p.made.id, `Made on #${p.made.baseId} while it was measured; #${p.made.baseId} was not kept, and carried onto the best the change would bring its change along.`);
      }
    },
    close() {
      settleStarts();
      unsubscribe?.();
    },
  };
}
