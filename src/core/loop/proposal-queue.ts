// Pipelined proposals (docs/decisions.md, "Pipelined proposals"): while the slots train, `depth` proposers
// work ahead, each in its own proposal worktree (.autoresearch/worktrees/proposal-<k>), on the best as it is
// when they start. A proposal made is journaled (proposal-made) and waits here, oldest first, for a free slot;
// its proposer starts on the next one when a slot has taken it, so at most `depth` are made or waiting at once.
// A slot that finds the best moved carries the change onto it (candidate.ts, runQueued); a conflict comes back
// here and is proposed once more with the conflict shown to the agent, or dropped with a journal entry.
import type { ProposalConflict } from '../agent/proposer.js';
import { isoNow, type RunContext } from './context.js';
import { makeProposal, type MadeProposal, type ProposalSite } from './proposal.js';

export interface QueuedProposal {
  readonly made: MadeProposal;
  /** When it was journaled (its queue wait starts here). */
  readonly madeAt: string;
  /** How often it was made again after a conflict. */
  readonly remakes: number;
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
  /** Proposal worktree `k`, at `commit`. */
  worktree(k: number, commit: string): Promise<string>;
  /** The end of the last experiment's log when it crashed (for the prompt). */
  lastCrashLogTail(): string | null;
}

export interface ProposalQueue {
  readonly depth: number;
  /** Start the proposers (after the baseline: they propose on the best). */
  start(): void;
  hasReady(): boolean;
  /** The oldest ready proposal; waits while proposers work; null when none will come (all done, or stopping). */
  take(): Promise<QueuedProposal | null>;
  /** A taken proposal conflicts with the best: made again once, with the conflict shown, else dropped. */
  conflicted(p: QueuedProposal, conflict: { readonly files: readonly string[]; readonly withId: number | null }): Promise<void>;
  /** A queued proposal will not run (journaled with why; its id no longer counts). */
  drop(id: number, reason: string): Promise<void>;
  /** Stop proposing (proposals being made are abandoned); wakes every waiting slot. Resolves when the proposers are done. */
  close(): Promise<void>;
  /** The proposer's message when it ran out of ideas, else null. */
  exhausted(): string | null;
}

interface Ready {
  readonly p: QueuedProposal;
  /** Lets the proposer that made it start on the next one. */
  readonly taken: () => void;
}

interface Redo {
  readonly p: QueuedProposal;
  readonly conflict: ProposalConflict;
}

export function createProposalQueue(input: ProposalQueueInput): ProposalQueue {
  const { ctx, depth } = input;
  const ready: Ready[] = input.initial.map((p) => ({ p, taken: () => undefined }));
  const redos: Redo[] = [];
  const alive = new Map<number, Promise<void>>();
  let wakers: (() => void)[] = [];
  let closed = false;
  let started = false;
  let exhaustedMessage: string | null = null;
  // Proposals being made are abandoned when the run stops (even gracefully): they will not run this session.
  const abort = new AbortController();
  const onRunAbort = () => abort.abort();
  ctx.signal.addEventListener('abort', onRunAbort, { once: true });
  const wake = () => {
    const w = wakers;
    wakers = [];
    for (const f of w) f();
  };
  const proposeCtx: RunContext = { ...ctx, signal: abort.signal };

  const site = (k: number, dir: string): ProposalSite => ({
    dir,
    index: k,
    lastCrashLogTail: input.lastCrashLogTail(),
    status: () => undefined,
    waiting: () => undefined,
    proposing: () => undefined,
  });

  const worker = async (k: number): Promise<void> => {
    let dir: string | null = null;
    for (;;) {
      await input.waitWhilePaused();
      if (closed || input.stopping()) return;
      const redo = redos.shift() ?? null;
      const id = redo ? redo.p.made.id : input.reserve();
      if (id === null) return;
      const record = ctx.record;
      const base = record.experiments.get(record.bestId!)!;
      dir = await input.worktree(k, base.commit!).then(
        (d) => d,
        async (err: Error) => {
          await ctx.append({ type: 'notice', at: isoNow(), level: 'error', id, message: `Proposal worktree ${k} could not be prepared: ${err.message}` }).catch(() => undefined);
          return null;
        },
      );
      if (dir === null) {
        if (redo) await drop(id, 'Its proposal worktree could not be prepared.');
        else input.release(id);
        return;
      }
      const out = await makeProposal(proposeCtx, site(k, dir), id, base, redo?.conflict ?? null, redo?.p.made.usage ?? null).catch(async (err: Error) => {
        await ctx.append({ type: 'notice', at: isoNow(), level: 'error', id, message: `Proposal ${id} failed inside the app: ${err.message}` }).catch(() => undefined);
        return { interrupted: err.message };
      });
      if ('interrupted' in out || 'fatal' in out || 'exhausted' in out) {
        // A proposal made again keeps its earlier one in the journal: a resumed run finds it queued.
        if ('exhausted' in out) {
          exhaustedMessage ??= out.exhausted;
          if (redo) await drop(id, `Made again after a conflict, the proposer had nothing new: ${out.exhausted}`);
        }
        if (!redo) input.release(id);
        if ('fatal' in out) ctx.requestStop('auth', out.fatal, false);
        return;
      }
      const madeAt = isoNow();
      await ctx.append({ type: 'proposal-made', at: madeAt, ...out });
      const p: QueuedProposal = { made: out, madeAt, remakes: redo ? redo.p.remakes + 1 : 0 };
      // Wait until a slot takes it (or the run stops): at most one proposal per proposer is waiting. A proposer
      // that finished after the queue closed (an agent that does not watch the stop) does not wait: close() has
      // let the waiting ones go already, and no slot takes it this session; the journal keeps it queued.
      await new Promise<void>((resolve) => {
        ready.push({ p, taken: resolve });
        wake();
        if (closed) resolve();
      });
    }
  };

  const spawn = () => {
    for (let k = 0; k < depth && alive.size < depth; k++) {
      if (alive.has(k)) continue;
      const run = worker(k).finally(() => {
        alive.delete(k);
        wake();
      });
      alive.set(k, run);
      return;
    }
  };

  const drop = async (id: number, reason: string) => {
    await ctx.append({ type: 'proposal-dropped', at: isoNow(), id, reason });
    input.release(id);
    // Its id no longer counts toward the limit: the proposers, who went home when the limit was all handed out,
    // are wanted again for one more (else the slots would find nothing to take and the run end short of it).
    if (started && !closed && !input.stopping()) {
      spawn();
      wake();
    }
  };

  return {
    depth,
    start() {
      if (started) return;
      started = true;
      for (let k = 0; k < depth; k++) spawn();
    },
    hasReady: () => ready.length > 0,
    async take() {
      for (;;) {
        // Closed: nothing more starts this session, even a proposal that came in after the stop.
        if (closed) return null;
        const next = ready.shift();
        if (next) {
          next.taken();
          return next.p;
        }
        if (closed || input.stopping() || (alive.size === 0 && redos.length === 0)) return null;
        await new Promise<void>((resolve) => wakers.push(resolve));
      }
    },
    async conflicted(p, conflict) {
      const { made } = p;
      const files = conflict.files.join(', ') || 'conflicting changes';
      if (p.remakes >= 1 || depth === 0 || closed) {
        await drop(made.id, `Made on #${made.baseId}, its change conflicts with #${conflict.withId}, kept meanwhile (${files})${p.remakes >= 1 ? ', again after it was made anew' : ''}.`);
        return;
      }
      await ctx.append({ type: 'notice', at: isoNow(), level: 'info', id: made.id, message: `#${made.id} was proposed on #${made.baseId}; its change conflicts with #${conflict.withId}, kept meanwhile (${files}), so it is proposed again on #${conflict.withId} with the conflict shown to the agent.` });
      redos.push({ p, conflict: { description: made.description, withId: conflict.withId, files: conflict.files } });
      spawn();
      wake();
    },
    drop,
    async close() {
      closed = true;
      abort.abort();
      ctx.signal.removeEventListener('abort', onRunAbort);
      // Proposers waiting for a slot to take theirs go home; what they made stays queued in the journal.
      for (const r of ready) r.taken();
      wake();
      await Promise.all([...alive.values()]);
      // Redos never made again stay queued in the journal (their proposal-made): a resumed run retries them.
    },
    exhausted: () => exhaustedMessage,
  };
}
