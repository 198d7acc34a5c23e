// The scheduler: what each slot does next. A slot takes the oldest ready proposal from the queue
// (proposal-queue.ts) and runs it; with no proposers working ahead (one slot, by default) it proposes for
// itself, as autoresearch does. Before each experiment it checks the stop conditions, so a limit reached
// lets the other slots finish what they run.
import { errorMessage, type RunContext, type SlotState } from './context.js';
import { runCandidate, runQueued } from './candidate.js';
import type { ProposalQueue } from './proposal-queue.js';
import type { shouldStop } from './stop-conditions.js';

export interface SchedulerInput {
  readonly ctx: RunContext;
  readonly slots: readonly SlotState[];
  readonly queue: ProposalQueue;
  waitWhilePaused(): Promise<void>;
  stopping(): boolean;
  /**
   * Why the run should stop before a slot starts another experiment. With `countReserved`, ids handed out
   * but not started count too (a slot that proposes for itself must not start past the limit).
   */
  stopNow(countReserved: boolean): ReturnType<typeof shouldStop>;
  /** The next id for a slot that proposes for itself. */
  reserve(): number;
  /** A proposal an earlier session left waiting for approval (approval.ts), taken up again first; or null. */
  takeWaiting(): number | null;
  release(id: number): void;
  /** An experiment failed inside the app (git broke, disk full): record it and put the slot back at the best. */
  recover(slot: SlotState, id: number, err: unknown): Promise<void>;
}

export async function runSlots(input: SchedulerInput): Promise<void> {
  await Promise.all(input.slots.map((slot) => slotLoop(input, slot)));
}

async function slotLoop(input: SchedulerInput, slot: SlotState): Promise<void> {
  const { ctx, queue } = input;
  const pipelined = queue.depth > 0;
  for (;;) {
    await input.waitWhilePaused();
    if (input.stopping()) return;
    // Proposals already made run first (waiting for approval, a resumed run's queue), then this slot's own or
    // the proposers'.
    const own = !pipelined && !queue.hasReady();
    const stop = input.stopNow(own);
    if (stop) {
      // Let the other slots finish what they run: a limit reached is not an emergency.
      ctx.requestStop(stop.reason, stop.message, true);
      return;
    }
    const waiting = input.takeWaiting();
    if (own || waiting !== null) {
      const id = waiting ?? input.reserve();
      try {
        await runCandidate(ctx, slot, id);
      } catch (err) {
        await input.recover(slot, id, err);
      } finally {
        input.release(id);
      }
      continue;
    }
    if (!queue.hasReady()) ctx.setPhase(slot, 'waiting', { waitingReason: 'Waiting for the next proposal.' });
    const next = await queue.take();
    if (!next) {
      if (slot.phase === 'waiting') ctx.setPhase(slot, 'idle');
      return;
    }
    const id = next.made.id;
    try {
      const out = await runQueued(ctx, slot, next);
      if ('conflict' in out) await queue.conflicted(next, out.conflict);
      else if ('dropped' in out) await queue.drop(id, out.dropped);
    } catch (err) {
      // Failed before it became an experiment (the carry, a reset): dropped with why, so it is not retried forever.
      if (!ctx.record.experiments.has(id)) await queue.drop(id, `It could not be started: ${errorMessage(err)}`).catch(() => undefined);
      else await input.recover(slot, id, err);
    }
    if (slot.phase === 'waiting') ctx.setPhase(slot, 'idle');
  }
}
