// Pause, resume and stop: the run's state and what asks it to change. A stop is graceful (a limit reached,
// nothing left to try: running experiments finish) or not (the user, a journal that cannot be written: they
// are killed through the abort signal); an ungraceful request overrides a graceful one, never the reverse.
import type { RunState } from '../../shared/api.js';
import type { StopReason } from '../../shared/journal.js';
import type { StopOrder } from './outcomes.js';

export interface RunControl {
  /** Aborted by an ungraceful stop: running processes are killed, proposals give up. */
  readonly signal: AbortSignal;
  state(): RunState;
  setState(next: RunState): void;
  requestStop(reason: StopReason, message: string, graceful: boolean): void;
  /** The stop asked for, or null. */
  stopRequest(): StopOrder | null;
  stopRequested(): boolean;
  pause(): void;
  resume(): void;
  /** Resolves at once unless paused; then when resumed or stopped. */
  waitWhilePaused(): Promise<void>;
}

export function createRunControl(input: {
  /** The state changed (the live view is shown again). */
  readonly onState: () => void;
  /** A stop was asked for: no new proposals (the queue closes). */
  readonly onStop: () => void;
  /** Every slot idle, or idle and waiting: pausing is done. */
  readonly slotsIdle: (orWaiting: boolean) => boolean;
}): RunControl {
  const abort = new AbortController();
  let state: RunState = 'starting';
  let stopRequest: StopOrder | null = null;
  let resumeGate: { promise: Promise<void>; open: () => void } | null = null;

  const setState = (next: RunState) => {
    if (state === next) return;
    state = next;
    input.onState();
  };

  const requestStop = (reason: StopReason, message: string, graceful: boolean) => {
    if (stopRequest && (!stopRequest.graceful || graceful)) return;
    stopRequest = { reason, message, graceful };
    setState('stopping');
    if (!graceful) abort.abort();
    // No new proposals; slots waiting for one go home. What is queued stays in the journal for a resume.
    input.onStop();
    resumeGate?.open();
  };

  return {
    signal: abort.signal,
    state: () => state,
    setState,
    requestStop,
    stopRequest: () => stopRequest,
    stopRequested: () => stopRequest !== null,
    pause() {
      if (stopRequest || resumeGate) return;
      let open!: () => void;
      const promise = new Promise<void>((resolve) => (open = resolve));
      resumeGate = { promise, open };
      setState(input.slotsIdle(false) ? 'paused' : 'pausing');
    },
    resume() {
      if (!resumeGate) return;
      const gate = resumeGate;
      resumeGate = null;
      gate.open();
      if (!stopRequest) setState('running');
    },
    async waitWhilePaused() {
      while (resumeGate && !stopRequest) {
        if (input.slotsIdle(true)) setState('paused');
        await resumeGate.promise;
      }
    },
  };
}
