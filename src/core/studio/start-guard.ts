// One start at a time per project, in this process. startRun takes seconds (preflight, git, GPU leases,
// the proposer) before the run exists and before run.lock is written; a second Start in that window (a click
// then Ctrl+Enter) used to begin a second loop on the same auto-tag, which died in `git worktree add` and left
// the first one looking interrupted. run.lock cannot stop it: a lock held by this very process reads as stale.
// So the studio refuses the second start itself, before anything is read or written. The same goes for the
// app's own ablations and audits: they run the trainer in the project's slots under run.lock, which this
// process's Start would read as stale, so they hold the project here and a Start meanwhile is refused.

export interface StartGuard {
  /** Why a start (or opening another project) must wait, or null when nothing is starting. */
  whyBusy(projectDir: string): string | null;
  /** Any project with a start in flight (opening another project must wait for it). */
  startingIn(): string | null;
  /** Runs `start` as the project's only start in flight; throws `whyBusy`'s message when one is. */
  run<T>(projectDir: string, start: () => Promise<T>, refuse: (message: string) => Error): Promise<T>;
  /**
   * Runs a long job of the project (an ablation, an audit) that no start may overlap: `busy` is what a Start
   * meanwhile is told. Throws `whyBusy`'s message when a start or another job is in flight.
   */
  hold<T>(projectDir: string, busy: string, job: () => Promise<T>, refuse: (message: string) => Error): Promise<T>;
}

export function createStartGuard(): StartGuard {
  const starting = new Set<string>();
  /** Projects with a long job in flight, and what a Start meanwhile is told. */
  const held = new Map<string, string>();
  const whyBusy = (projectDir: string) =>
    starting.has(projectDir) ? 'A run is already starting in this project (Start was pressed twice). Wait a moment: it appears on the Run dashboard.' : (held.get(projectDir) ?? null);
  return {
    whyBusy,
    startingIn: () => starting.values().next().value ?? null,
    async run(projectDir, start, refuse) {
      // The check and the mark happen in one synchronous step, so two calls in the same tick cannot both pass.
      const busy = whyBusy(projectDir);
      if (busy) throw refuse(busy);
      starting.add(projectDir);
      try {
        return await start();
      } finally {
        starting.delete(projectDir);
      }
    },
    async hold(projectDir, busy, job, refuse) {
      const why = whyBusy(projectDir);
      if (why) throw refuse(why);
      held.set(projectDir, busy);
      try {
        return await job();
      } finally {
        held.delete(projectDir);
      }
    },
  };
}
