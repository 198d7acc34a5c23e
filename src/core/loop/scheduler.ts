// The scheduler: what each slot does next. A slot takes the oldest ready proposal from the queue
// (proposal-queue.ts) and runs it; with no proposers working ahead (one slot, by default) it proposes for
// itself, as autoresearch does. Before each experiment it checks the stop conditions, so a limit reached
// lets the other slots finish what they run. What running an experiment means is `run` (experiment.ts in a
// run; a stand-in in the unit tests).
import type { StopReason } from '../../shared/journal.js';
import type { SlotState } from './context.js';
import { errorMessage } from './context.js';
import type { ExperimentSource } from './experiment-start.js';
import type { ExperimentOutcome } from './outcomes.js';
import type { ProposalQueue } from './proposal-queue.js';
import type { shouldStop } from './stop-conditions.js';

type StopCheck = ReturnType<typeof shouldStop>;

export interface SchedulerInput {
  readonly slots: readonly SlotState[];
  readonly queue: Pick<ProposalQueue, 'depth' | 'hasReady' | 'take' | 'conflicted' | 'drop'>;
  /** One experiment in `slot`, start to end. */
  run(slot: SlotState, source: ExperimentSource): Promise<ExperimentOutcome>;
  /** Whether experiment `id` was started (journaled), so a failure is the experiment's rather than the proposal's. */
  started(id: number): boolean;
  setPhase(slot: SlotState, phase: 'idle' | 'waiting', extra?: { readonly waitingReason: string }): void;
  requestStop(reason: StopReason, message: string, graceful: boolean): void;
  waitWhilePaused(): Promise<void>;
  stopping(): boolean;
  /**
   * Why the run should stop before a slot starts another experiment. With `countReserved`, ids handed out
   * but not started count too (a slot that proposes for itself must not start past the limit).
   */
  stopNow(countReserved: boolean): StopCheck;
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
  const { queue } = input;
  const pipelined = queue.depth > 0;
  let conflictedLast = false;
  for (;;) {
    await input.waitWhilePaused();
    if (input.stopping()) return;
    // Proposals already made run first (waiting for approval, a resumed run's queue), then this slot's own or
    // the proposers'.
    const own = !pipelined && !queue.hasReady();
    const stop = input.stopNow(own);
    if (stop) {
      // Let the other slots finish what they run: a limit reached is not an emergency.
      input.requestStop(stop.reason, stop.message, true);
      return;
    }
    const waiting = input.takeWaiting();
    if (own || waiting !== null) {
      const id = waiting ?? input.reserve();
      try {
        await input.run(slot, waiting !== null ? { kind: 'waiting', id } : { kind: 'own', id });
      } catch (err) {
        await input.recover(slot, id, err);
      } finally {
        input.release(id);
      }
      continue;
    }
    if (!queue.hasReady()) input.setPhase(slot, 'waiting', { waitingReason: conflictedLast ? 'The proposal conflicted with a change just kept; waiting for the next one.' : 'Waiting for the next proposal.' });
    conflictedLast = false;
    const next = await queue.take();
    if (!next) {
      if (slot.phase === 'waiting') input.setPhase(slot, 'idle');
      return;
    }
    const id = next.made.id;
    try {
      const out = await input.run(slot, { kind: 'queued', queued: next });
      // A conflict never idles the slot on purpose: the queue makes it again elsewhere and the loop takes the
      // next ready proposal at once (its wait, if none is ready, is journaled as the conflict's).
      if (out.kind === 'conflict') {
        conflictedLast = true;
        await queue.conflicted(next, out, slot.index);
      }
      else if (out.kind === 'dropped') await queue.drop(id, out.reason);
    } catch (err) {
      // Failed before it became an experiment (the carry, a reset): dropped with why, so it is not retried forever.
      if (!input.started(id)) await queue.drop(id, `It could not be started: ${errorMessage(err)}`).catch(() => undefined);
      else await input.recover(slot, id, err);
    }
    if (slot.phase === 'waiting') input.setPhase(slot, 'idle');
  }
}
