// What the once-a-second follow of another process's run does with its errors. Most are one tick's race (a
// journal caught mid-rename, a folder that vanished with the run's end) and the next tick is right: those stay
// quiet. But an error that comes back tick after tick (a journal this user cannot read) used to be swallowed
// forever, and the page just never showed the run: after a few ticks in a row it is said once, as a notice,
// and said again only if the follow recovers and then fails anew.

/** Consecutive failed ticks before a failure is worth the user's attention (about three seconds). */
export const POLL_FAILURES_BEFORE_NOTICE = 3;

export interface PollErrors {
  /** A tick went through: a later failure is news again. */
  succeeded(): void;
  failed(err: unknown): void;
}

/** Vanished files are the normal end of a run (its lock and folders go away), never a failure to report. */
const isBestEffort = (err: unknown) => (err as NodeJS.ErrnoException | null)?.code === 'ENOENT';

export function createPollErrors(report: (message: string) => void, after = POLL_FAILURES_BEFORE_NOTICE): PollErrors {
  let streak = 0;
  let said = false;
  return {
    succeeded() {
      streak = 0;
      said = false;
    },
    failed(err) {
      if (isBestEffort(err)) return;
      streak += 1;
      if (streak < after || said) return;
      said = true;
      const why = (err instanceof Error ? err.message : String(err)).split('\n')[0];
      report(`Cannot follow the run another process owns: ${why}. Check that this user can read the project's .autoresearch folder; the app keeps trying.`);
    },
  };
}
