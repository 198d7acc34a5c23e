// Quitting: ask before stopping a live run, then stop the studio cleanly before the app exits.
export interface QuitGuardOptions {
  readonly isRunning: () => boolean;
  /** Ask the user; true = stop the run and quit. */
  readonly confirmStop: () => Promise<boolean>;
  /** Stop any run and release resources (studio.dispose). */
  readonly shutdown: () => Promise<void>;
  /** Quit for real (app.quit); the guard lets the next before-quit through. */
  readonly quit: () => void;
}

/** The app's 'before-quit' handler. */
export function createQuitGuard(options: QuitGuardOptions): (event: { preventDefault(): void }) => void {
  let phase: 'idle' | 'asking' | 'shutting-down' | 'done' = 'idle';
  return (event) => {
    if (phase === 'done') return;
    event.preventDefault();
    if (phase !== 'idle') return; // already asking or stopping: one dialog, one shutdown
    phase = 'asking';
    void (async () => {
      if (options.isRunning() && !(await options.confirmStop())) {
        phase = 'idle';
        return;
      }
      phase = 'shutting-down';
      try {
        await options.shutdown();
      } finally {
        phase = 'done';
        options.quit();
      }
    })();
  };
}
