// What the long-lived gits share (ref-writer.ts: update-ref --stdin; object-reader.ts: cat-file --batch): started
// with the arguments and environment of every harness git (git.ts, gitInvocation), holding the app open only
// while they work, and ended after IDLE_MS without work (their stdin closed) or when the app exits.
import { spawn, type ChildProcess } from 'node:child_process';
import { gitInvocation } from './git.js';

const IDLE_MS = 120_000;

/** Started and not ended (its exit may have come while nothing waited on it). */
export const running = (child: ChildProcess) => child.pid !== undefined && child.exitCode === null && child.signalCode === null;

/** `git <args>` in `dir` as a long-lived process with pipes for stdin, stdout (and stderr when asked). */
export async function spawnLongLived(dir: string, args: readonly string[], stderr: boolean): Promise<ChildProcess> {
  const how = await gitInvocation(dir, args);
  const child = spawn('git', how.argv, { cwd: dir, env: how.env, stdio: ['pipe', 'pipe', stderr ? 'pipe' : 'ignore'] });
  child.stdin!.on('error', () => undefined); // a write after it ended: its owner hears the exit
  return child;
}

/** Holds the app open while `child` works; lets it go while idle, so it never keeps a finished app alive. */
export function holdWhileBusy(child: ChildProcess, busy: boolean): void {
  for (const s of [child.stdin, child.stdout, child.stderr] as Array<{ ref?: () => void; unref?: () => void } | null>) {
    if (busy) s?.ref?.();
    else s?.unref?.();
  }
  if (busy) child.ref();
  else child.unref();
}

/**
 * Lets `child` go idle: after IDLE_MS, unless `stillIdle()` says it was replaced or asked something since, its
 * stdin is closed (it ends) and `forget()` drops it. Returns the timer, for the next request to clear.
 */
export function endWhenIdle(child: ChildProcess, stillIdle: () => boolean, forget: () => void): NodeJS.Timeout {
  holdWhileBusy(child, false);
  const timer = setTimeout(() => {
    if (!stillIdle()) return;
    forget();
    child.stdin!.end();
  }, IDLE_MS);
  timer.unref();
  return timer;
}

/**
 * One long-lived git of a repository: `ready()` gives the running process (started on first use and again after
 * one ended), held busy; `idle()` lets it go once nothing waits on it.
 */
export abstract class LongLivedGit {
  protected child: ChildProcess | null = null;
  private starting: Promise<ChildProcess> | null = null;
  private idleTimer: NodeJS.Timeout | null = null;

  constructor(protected readonly dir: string, private readonly what: string) {}

  /** Starts the process and listens to it (its answers, its exit). */
  protected abstract start(): Promise<ChildProcess>;

  /** Whether anything still waits on an answer. */
  protected abstract busy(): boolean;

  protected async ready(): Promise<ChildProcess> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (!this.child || !running(this.child)) {
      this.starting ??= this.start().finally(() => (this.starting = null));
      this.child = await this.starting;
    }
    const child = this.child;
    // It may have ended before this resumed (its exit was heard while nothing waited on it).
    if (!running(child)) {
      this.child = null;
      throw new Error(`git ${this.what} ended before it was asked anything`);
    }
    holdWhileBusy(child, true);
    return child;
  }

  /** After a request: once nothing waits on `child`, it may go idle (endWhenIdle). */
  protected idle(child: ChildProcess): void {
    if (this.busy()) return;
    this.idleTimer = endWhenIdle(
      child,
      () => this.child === child && !this.busy(),
      () => (this.child = null),
    );
  }
}
