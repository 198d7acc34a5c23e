// Pipelined proposals (docs/decisions.md, "Pipelined proposals"): while the slots train, `depth` proposers
// work ahead, each in its own proposal worktree (.autoresearch/worktrees/proposal-<k>), on the best as it is
// when they start. A proposal made is journaled (proposal-made) and waits here, oldest first, for a free slot;
// its proposer starts on the next one when a slot has taken it, so at most `depth` are made or waiting at once.
// A slot that finds the best moved carries the change onto it (experiment-start.ts, startQueued); a conflict comes
// back here and is proposed once more with the conflict shown to the agent, or dropped with a journal entry.
// A conflict must not idle the slot (docs/decisions.md, "Pipelined proposals"): it is made again at once by a
// spare proposer in a worktree of its own (the regular ones keep working ahead, so the slot takes the next ready
// proposal meanwhile), and while conflicts are frequent the queue keeps one proposal more ahead (adaptive depth)
// and makes one on the candidate being measured (speculative: kept, it applies with no carry); take hands out one
// made on the best of now first.
import type { ProposalConflict } from '../agent/proposer.js';
import type { JournalEvent } from '../../shared/journal.js';
import { AsyncQueue } from '../util/async-queue.js';
import { isoNow, type RunContext } from './context.js';
import { stopFor, type ProposalResult, type ScratchLeft } from './outcomes.js';
import type { LoopEvent } from './types.js';
import { propose, type MadeProposal, type ProposalSite } from './proposal.js';
import { createSpeculation } from './speculative-proposals.js';

export interface QueuedProposal {
  readonly made: MadeProposal;
  /** When it was journaled (its queue wait starts here). */
  readonly madeAt: string;
  /** How often it was made again after a conflict. */
  readonly remakes: number;
  /** Its commit's ref being written (made in this session); the experiment's start waits for it. */
  readonly refSet?: Promise<void>;
}

export interface ProposalQueueInput {
  readonly ctx: RunContext;
  /** Proposers working ahead (0: none; the slots propose for themselves). */
  readonly depth: number;
  /** Proposals a previous session made and no slot took (from the journal), oldest first. */
  readonly initial: readonly QueuedProposal[];
  /** The next experiment id, or null when no more proposals are wanted (a limit is reached, the run stops). */
  reserve(): number | null;
  /** An id reserved and never used: it no longer counts toward the limit. */
  release(id: number): void;
  /** Resolves while the run is not paused. */
  waitWhilePaused(): Promise<void>;
  stopping(): boolean;
  /**
   * Proposal worktree `k`, at `commit`. `left`: 'clean' when the last proposal made there was committed and its
   * guard found nothing untracked beside it (nothing else writes in a proposal worktree), so the checkout alone
   * puts it at `commit`; 'unknown' otherwise (the first use, an interrupted or failed proposal). `scratch`: what
   * the last proposal there left (outcomes.ts): on the same base, those files alone are put back.
   */
  worktree(k: number, commit: string, left: 'clean' | 'unknown', scratch?: ScratchLeft): Promise<string>;
  /** The end of the last experiment's log when it crashed (for the prompt). */
  lastCrashLogTail(): string | null;
  /**
   * The run's journal events as they are folded (run-journal.ts, subscribe): a speculative proposal waits until
   * the proposal just taken has its commit (it is the candidate measured now). Absent (unit tests): no wait.
   */
  readonly subscribe?: (listener: (event: LoopEvent) => void) => () => void;
  /** Makes one proposal (default: proposal.ts's propose); unit tests pass a proposer with no git. */
  readonly propose?: typeof propose;
  /** How long close() waits for the proposers (default PROPOSER_CLOSE_DEADLINE_MS). */
  readonly closeDeadlineMs?: number;
}

export interface ProposalQueue {
  readonly depth: number;
  /** Start the proposers (after the baseline: they propose on the best). */
  start(): void;
  hasReady(): boolean;
  /** The oldest ready proposal; waits while proposers work; null when none will come (all done, or stopping). */
  take(): Promise<QueuedProposal | null>;
  /**
   * A taken proposal conflicts with the best: made again once, with the conflict shown, else dropped. `slot`, the
   * slot that found it, is named in the journal's notice (slot usage counts its wait as waiting on a conflict).
   */
  conflicted(p: QueuedProposal, conflict: FoundConflict, slot?: number): Promise<void>;
  /**
   * Queued proposal `id`'s carry (of its commit `commit`) onto the best (`onto`) was found to conflict ahead
   * (pre-carry.ts): if that commit still waits here and the best is still `onto`, it leaves the queue and is made
   * again (or dropped) now, as conflicted() does, instead of when a slot takes it; no slot waited for it.
   */
  conflictedAhead(id: number, commit: string, conflict: FoundConflict, onto: string): Promise<void>;
  /** Proposers wanted now: `depth`, plus one while conflicts are frequent. */
  wanted(): number;
  /** A queued proposal will not run (journaled with why; its id no longer counts). */
  drop(id: number, reason: string): Promise<void>;
  /**
   * Stop proposing (proposals being made are abandoned); wakes every waiting slot. Resolves when the proposers
   * are done, or after `deadlineMs` (default: input.closeDeadlineMs, else PROPOSER_CLOSE_DEADLINE_MS) with a
   * notice that one did not stop; what such a proposer makes afterwards is not recorded.
   */
  close(deadlineMs?: number): Promise<void>;
  /** The proposer's message when it ran out of ideas, else null. */
  exhausted(): string | null;
}

/** How long close() waits for the proposers to see the stop: an agent that does not watch it does not hang the run. */
export const PROPOSER_CLOSE_DEADLINE_MS = 30_000;

/**
 * Adaptive depth: of the last CONFLICT_WINDOW proposals taken, CONFLICTS_FOR_SPARE or more conflicting means
 * conflicts are frequent, and one more proposal is kept ahead (a spare, ready when the next one conflicts). It
 * costs agent time (a proposal more in flight), so it lasts only while the conflicts do.
 */
export const CONFLICT_WINDOW = 6;
export const CONFLICTS_FOR_SPARE = 2;

/**
 * The last CONFLICT_WINDOW proposals taken, oldest first: whether each came back as a conflict, or was a
 * speculative one taken on the candidate it was made on, just kept (`avoided`: made on the best before it, it
 * would have needed a carry, so it counts toward keeping the spare, else the spare would go home as soon as it
 * works and the conflicts come back).
 */
class ConflictWindow {
  private readonly recent: { readonly id: number; conflict: boolean; readonly avoided: boolean }[] = [];
  taken(id: number, avoided: boolean): void {
    this.recent.push({ id, conflict: false, avoided });
    if (this.recent.length > CONFLICT_WINDOW) this.recent.shift();
  }
  conflicted(id: number): void {
    const taken = this.recent.findLast((r) => r.id === id);
    if (taken) taken.conflict = true;
  }
  /** 1 while conflicts are frequent (a spare proposer is wanted), else 0. */
  spare(): 0 | 1 {
    return this.recent.filter((r) => r.conflict || r.avoided).length >= CONFLICTS_FOR_SPARE ? 1 : 0;
  }
  summary(): string {
    return `${this.recent.filter((r) => r.conflict).length} of the last ${this.recent.length}`;
  }
}

/** A proposal worktree's site: nothing live to show (the dashboard shows the queue from the journal). */
function queueSite(k: number, dir: string, at: string, lastCrashLogTail: string | null): ProposalSite {
  return { dir, at, scratch: true, index: k, lastCrashLogTail, status: () => undefined, waiting: () => undefined, proposing: () => undefined };
}

/** How proposal worktree `k` was left (createProposalQueue's `leftClean`), forgotten as it is read. */
function takeLeft(leftClean: Map<number, ScratchLeft | null>, k: number): { left: 'clean' | 'unknown'; scratch?: ScratchLeft } {
  const scratch = leftClean.get(k);
  if (!leftClean.delete(k)) return { left: 'unknown' };
  return scratch ? { left: 'clean', scratch } : { left: 'clean' };
}

/** A conflict as a carry found it: the best it conflicts with, and the files where. */
export type FoundConflict = Pick<ProposalConflict, 'withId' | 'files'>;

interface Redo {
  readonly p: QueuedProposal;
  readonly conflict: ProposalConflict;
}

/** What the queue's conflict handling reads and does (createProposalQueue's own state and steps). */
interface ConflictDeps {
  readonly ctx: RunContext;
  readonly depth: number;
  readonly ready: AsyncQueue<QueuedProposal>;
  readonly recent: ConflictWindow;
  readonly speculation: { notStarting(id: number): void };
  readonly redos: Redo[];
  drop(id: number, reason: string): Promise<void>;
  /** Starts a proposer in a free worktree (for a remake, even past the depth wanted). */
  spawn(): void;
  /** Journals that conflicts have become frequent. */
  frequent(): Promise<void>;
  closed(): boolean;
  stopping(): boolean;
}

/** A conflicting proposal made again once, with the conflict shown, or dropped: found by a slot, or ahead at a keep. */
function conflictHandling(d: ConflictDeps): Pick<ProposalQueue, 'conflicted' | 'conflictedAhead'> {
  const { ctx, depth, recent } = d;
  const conflicted: ProposalQueue['conflicted'] = async (p, conflict, slot) => {
    const { made } = p;
    d.speculation.notStarting(made.id);
    const files = conflict.files.join(', ') || 'conflicting changes';
    const before = recent.spare();
    recent.conflicted(made.id);
    const at = slot === undefined ? {} : { conflictSlot: slot };
    if (p.remakes >= 1 || depth === 0 || d.closed()) {
      // Named with its slot first: the slot's wait for the next proposal is a conflict's (slot usage).
      await ctx.append({ type: 'notice', at: isoNow(), level: 'info', id: made.id, ...at, message: `#${made.id} conflicts with #${conflict.withId}, kept meanwhile (${files}); it is dropped.` });
      await d.drop(made.id, `Made on #${made.baseId}, its change conflicts with #${conflict.withId}, kept meanwhile (${files})${p.remakes >= 1 ? ', again after it was made anew' : ''}.`);
      if (recent.spare() > before && depth > 0 && !d.closed()) await d.frequent();
      return;
    }
    await ctx.append({ type: 'notice', at: isoNow(), level: 'info', id: made.id, ...at, message: `#${made.id} was proposed on #${made.baseId}; its change conflicts with #${conflict.withId}, kept meanwhile (${files}), so it is proposed again on #${conflict.withId} with the conflict shown to the agent.` });
    d.redos.push({ p, conflict: { description: made.description, withId: conflict.withId, files: conflict.files } });
    if (recent.spare() > before) await d.frequent();
    d.spawn();
    // The spare proposer, wanted now that conflicts are frequent.
    if (!d.closed() && !d.stopping()) d.spawn();
  };
  return {
    conflicted,
    async conflictedAhead(id, commit, conflict, onto) {
      // Stopping: what waits stays queued in the journal for a resumed run, as it is.
      if (d.closed() || d.stopping() || ctx.record.bestCommit !== onto) return;
      // Taken by a slot meanwhile: that slot finds the same conflict and hands it back itself. Made again since
      // (the same id, another commit): this conflict was the earlier commit's, told again from the carries' cache.
      const [p] = d.ready.takeAll((q) => q.made.id === id && q.made.commit === commit);
      if (!p) return;
      recent.taken(id, false);
      // Counted as a producer at work until the remake (or the drop's replacement) has its proposer: the proposer
      // that made this one is free now and may go home (no id left to make), and a slot waiting meanwhile must not
      // hear that nothing more will come.
      await d.ready.produce(() => conflicted(p, conflict));
    },
  };
}

export function createProposalQueue(input: ProposalQueueInput): ProposalQueue {
  const { ctx, depth } = input;
  const make = input.propose ?? propose;
  // Proposals wait here, oldest first; a proposer's put ends when a slot takes its proposal (so at most one per
  // proposer waits) or when the queue closes. The queue ends with its proposers: a slot that finds it empty
  // with no proposer at work hears `drained` and goes home.
  const ready = new AsyncQueue<QueuedProposal>({ endsWithProducers: true });
  for (const p of input.initial) void ready.put(p);
  const redos: Redo[] = [];
  /** Proposal worktrees their last proposal left committed and clean (see QueueInput.worktree), each with what it left beside its base when its commit did not move HEAD. */
  const leftClean = new Map<number, ScratchLeft | null>();
  /** Proposal worktrees with a proposer at work. */
  const alive = new Set<number>();
  let closed = false;
  /** close() stopped waiting for the proposers: one that comes back later writes nothing (the run may have ended). */
  let abandoned = false;
  let started = false;
  let exhaustedMessage: string | null = null;
  const recent = new ConflictWindow();
  const spare = () => recent.spare();
  const wanted = () => (depth === 0 ? 0 : depth + spare());
  // Proposals being made are abandoned when the run stops (even gracefully): they will not run this session.
  const abort = new AbortController();
  const onRunAbort = () => abort.abort();
  ctx.signal.addEventListener('abort', onRunAbort, { once: true });
  // Slots waiting for a proposal go home when a proposer ends and finds the run stopping (a graceful stop:
  // the other proposers may still be at work, and what they make will not run).
  const stopWaiting = new AbortController();
  const speculation = createSpeculation({ ctx, ready, subscribe: input.subscribe, closed: () => closed, drop: (id, reason) => drop(id, reason) });
  const proposeCtx: RunContext = { ...ctx, signal: abort.signal };
  const note = (event: JournalEvent) => (abandoned ? Promise.resolve() : ctx.append(event).catch(() => undefined));

  const worker = async (k: number): Promise<void> => {
    let dir: string | null = null;
    for (;;) {
      await input.waitWhilePaused();
      if (closed || input.stopping()) return;
      // A spare (past the depth wanted now) only makes conflicts again; with none left it goes home.
      if (k >= wanted() && redos.length === 0) return;
      // Conflicts frequent: a regular proposer with an id of its own leaves remakes to the spares (a conflict found
      // at once, carried ahead, would always come first and none would speculate); with no id left it makes them.
      const fresh = k < depth && spare() > 0 && redos.length > 0 ? input.reserve() : null;
      const redo = fresh !== null ? null : (redos.shift() ?? null);
      const id = fresh ?? (redo ? redo.p.made.id : input.reserve());
      if (id === null) return;
      // The spare, while conflicts are frequent, makes a new proposal on the candidate measured now (speculative):
      // kept, it is the best and this proposal applies cleanly; discarded, the regular one on the best does.
      // Whichever proposer is free first: one proposal on the candidate measured now is enough (none is ready or
      // being made on it yet), the others go on the best as always.
      const chosen = await speculation.baseFor(k, id, !redo && spare() > 0, redo !== null);
      if (chosen === null || input.stopping()) {
        if (!redo) input.release(id);
        return;
      }
      const { base } = chosen;
      const { left, scratch } = takeLeft(leftClean, k);
      dir = await input.worktree(k, base.commit!, left, scratch).catch((err: Error) => note({ type: 'notice', at: isoNow(), level: 'error', id, message: `Proposal worktree ${k} could not be prepared: ${err.message}` }).then(() => null));
      if (dir === null) {
        if (redo) await drop(id, 'Its proposal worktree could not be prepared.');
        else input.release(id);
        return;
      }
      const out: ProposalResult = await make(proposeCtx, queueSite(k, dir, base.commit!, input.lastCrashLogTail()), id, base, redo?.conflict ?? null, redo?.p.made.usage ?? null).catch(async (err: Error) => {
        await note({ type: 'notice', at: isoNow(), level: 'error', id, message: `Proposal ${id} failed inside the app: ${err.message}` });
        return { kind: 'interrupted', message: err.message } as const;
      });
      speculation.doneMaking(k);
      // Came back after close() gave up on it: the run went on to its end without it, so nothing is recorded
      // (a redo keeps its earlier proposal-made in the journal; a resumed run finds it queued).
      if (abandoned) {
        if (!redo) input.release(id);
        return;
      }
      if (out.kind !== 'made') {
        // A proposal made again keeps its earlier one in the journal: a resumed run finds it queued.
        if (out.kind === 'exhausted') {
          exhaustedMessage ??= out.message;
          if (redo) await drop(id, `Made again after a conflict, the proposer had nothing new: ${out.message}`);
        }
        if (!redo) input.release(id);
        // A key refused stops the run at once. A graceful stop (nothing new to try) is not asked for here: the
        // other proposers may still have ideas and what is queued still runs; the run ends on exhausted()
        // (run.ts) once every proposer is done, where a stop now would close the queue on them.
        const stop = stopFor(out);
        if (stop && !stop.graceful) ctx.requestStop(stop.reason, stop.message, stop.graceful);
        return;
      }
      const made = out.made;
      if (made.commit !== null) leftClean.set(k, out.scratch ?? null);
      const madeAt = isoNow();
      await ctx.append({ type: 'proposal-made', at: madeAt, ...made });
      // Wait until a slot takes it (or the queue closes: no slot takes it this session, the journal keeps it queued).
      const outcome = await ready.put({ made, madeAt, remakes: redo ? redo.p.remakes + 1 : 0, ...(out.refSet ? { refSet: out.refSet } : {}) });
      if (outcome !== 'taken') return;
    }
  };

  /**
   * Starts one proposer in the first free worktree: while fewer than wanted() are at work, or for a conflict to
   * be made again when every proposer is busy (a proposer waiting for a slot to take its proposal holds its
   * worktree), so the remake never waits behind a proposal the slots may not need yet.
   */
  const spawn = () => {
    const limit = redos.length > 0 ? Math.max(wanted(), alive.size + 1) : wanted();
    for (let k = 0; k < limit && alive.size < limit; k++) {
      if (alive.has(k)) continue;
      // Its worktree is free again before the queue counts it done (a drop right then may start one there).
      const run = ready.produce(() =>
        worker(k).finally(() => {
          alive.delete(k);
          speculation.doneMaking(k);
          if (input.stopping()) stopWaiting.abort();
          // A conflict that came back while this proposer was on its way out (past its look at the redos, with
          // no free worktree to start another) is taken up here; else it would wait for no one, and so would the slots.
          else if (redos.length > 0 && !closed) spawn();
        }),
      );
      if (!run) return;
      alive.add(k);
      // A proposer's own steps catch their errors; this is the journal failing under it (the run stops).
      run.catch((err: Error) => note({ type: 'notice', at: isoNow(), level: 'error', message: `Proposal worktree ${k} stopped on an error in the app: ${err.message}` }));
      return;
    }
  };

  // The adaptive depth was raised (by a conflict made again or dropped alike).
  const frequent = () => ctx.append({ type: 'notice', at: isoNow(), level: 'info', message: `Proposals conflict often (${recent.summary()}): one more is made ahead while they do, one of them on the candidate being measured.` });

  const drop = async (id: number, reason: string) => {
    speculation.notStarting(id);
    await ctx.append({ type: 'proposal-dropped', at: isoNow(), id, reason });
    input.release(id);
    // Its id no longer counts toward the limit: the proposers, who went home when the limit was all handed out,
    // are wanted again for one more (else the slots would find nothing to take and the run end short of it).
    if (started && !closed && !input.stopping()) spawn();
  };

  const { conflicted, conflictedAhead } = conflictHandling({ ctx, depth, ready, recent, speculation, redos, drop, spawn, frequent, closed: () => closed, stopping: input.stopping });

  return {
    depth,
    start() {
      if (started) return;
      started = true;
      for (let k = 0; k < depth; k++) spawn();
    },
    hasReady: () => ready.size > 0,
    async take() {
      // Closed: nothing more starts this session, even a proposal that came in after the stop.
      if (closed) return null;
      // Stopping: what is ready still runs (the slot checks the stop before it starts); nothing is waited for.
      if (input.stopping() && ready.size === 0) return null;
      await speculation.dropMisses();
      // A proposal made on the best of now first (no carry, no conflict): after a keep, the one made speculatively
      // on it; else the oldest.
      const bestCommit = ctx.record.bestCommit;
      const got = await ready.take({ signal: stopWaiting.signal }, (p) => p.made.parentCommit === bestCommit);
      if (!got.ok) return null;
      recent.taken(got.value.made.id, speculation.taken(got.value));
      // Conflicts have become rare again: a spare proposer goes home after its proposal is taken (worker, above).
      return got.value;
    },
    conflicted,
    conflictedAhead,
    wanted,
    drop,
    async close(deadlineMs = input.closeDeadlineMs ?? PROPOSER_CLOSE_DEADLINE_MS) {
      closed = true;
      speculation.close();
      abort.abort();
      ctx.signal.removeEventListener('abort', onRunAbort);
      // Waiting slots hear `closed`; proposers waiting for a slot go home, what they made stays queued in the
      // journal. A proposer that does not come back by the deadline is left behind.
      const { late } = await ready.closeAndWait(deadlineMs);
      if (late > 0) {
        await note({ type: 'notice', at: isoNow(), level: 'warning', message: `${late === 1 ? 'A proposer' : `${late} proposers`} did not stop within ${Math.round(deadlineMs / 1000)} s of the stop; the run ends without ${late === 1 ? 'it' : 'them'}, and nothing ${late === 1 ? 'it makes' : 'they make'} now is recorded.` });
        abandoned = true;
      }
      // Redos never made again stay queued in the journal (their proposal-made): a resumed run retries them.
    },
    exhausted: () => exhaustedMessage,
  };
}
