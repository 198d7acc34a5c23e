// One holder at a time, in the order they asked (FIFO). Hand-made promise chains got this wrong in two ways:
// a chain with no rejection handler lets one failed holder fail every later one, and a chain that swallows
// errors hides them from the caller. Here the caller of runExclusive gets its own result or its own error,
// and the next holder starts either way.

export class Mutex {
  /** Settles when the last holder asked for so far is done; never rejects. */
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  /** Runs `fn` once every earlier holder is done; resolves or rejects as `fn` does. */
  runExclusive<T>(fn: () => T | Promise<T>): Promise<T> {
    this.waiting += 1;
    const run = this.tail.then(() => fn());
    // The next holder waits for this one to end, however it ends; the error stays with this caller.
    this.tail = run.then(
      () => this.leave(),
      () => this.leave(),
    );
    return run;
  }

  /** A holder runs now, or holders wait. */
  get locked(): boolean {
    return this.waiting > 0;
  }

  /** Holders running or waiting. */
  get pending(): number {
    return this.waiting;
  }

  private leave(): void {
    this.waiting -= 1;
  }
}
