// Runs one experiment command: its own process group, output to a capped log, a hard timeout that kills
// the whole group, and nothing of it left running when this returns.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { setTimeout as sleep } from 'node:timers/promises';
import { createStreamRedactor, redact } from '../util/redact.js';
import { createByteRing } from './byte-ring.js';
import { openCappedLog, type CappedLog } from './capped-log.js';
import { collapseProgress, decodeCutUtf8 } from './collapse-progress.js';
import { isProcessGroupAlive, killProcessGroup } from './kill-tree.js';
import { inPidNamespace } from './pid-namespace.js';
import { sandboxedArgv, type SandboxSpec } from './sandbox.js';

export interface RunCommandOptions {
  /** A shell command line, run with /bin/sh -c (the user writes `uv run train.py`). */
  readonly command: string;
  readonly cwd: string;
  /** The COMPLETE environment (the caller merges process.env). */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Created (parents too); stdout and stderr interleaved in arrival order. */
  readonly logFile: string;
  /** Cap on the log file: the head and the last min(4 MiB, cap/4) bytes are kept, with a marker between. */
  readonly logMaxBytes: number;
  /** Hard timeout: then the whole process group is killed. */
  readonly timeoutMs: number;
  /** SIGTERM to the group, SIGKILL after this many ms if anything is left. */
  readonly graceMs: number;
  /** Abort = kill the group the same way; result.aborted = true. */
  readonly signal?: AbortSignal;
  /** Written to the child's stdin, then closed; default: stdin is /dev/null. */
  readonly stdin?: string;
  /** Awaited before waiting on the child (the loop journals the pgid here, fsync'd). */
  readonly onStart?: (p: { pid: number; pgid: number }) => void | Promise<void>;
  /** Every chunk of output as decoded text (UTF-8 safe across chunks); the caller batches for the UI. */
  readonly onOutput?: (text: string) => void;
  /** Run inside the sandbox (exec/sandbox.ts: bubblewrap on Linux, Seatbelt on macOS); null or absent: unsandboxed. */
  readonly sandbox?: { readonly bwrap: string; readonly spec: SandboxSpec } | null;
  /** Unsandboxed, run in a PID namespace of its own (pid-namespace.ts: the unshare argv), so nothing of it outlives it. */
  readonly pidNamespace?: readonly string[] | null;
}

export interface RunCommandResult {
  /** null when killed by a signal. */
  readonly exitCode: number | null;
  /** e.g. 'SIGKILL'. */
  readonly signal: string | null;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly durationMs: number;
  /** All bytes the command printed. */
  readonly outputBytes: number;
  /** Bytes not written to the log because of the cap. */
  readonly droppedBytes: number;
  /** The last ~16 KiB of output (for crash messages), \r-progress collapsed. */
  readonly tail: string;
  /** Why the command could not be started (then exitCode is null and nothing ran). */
  readonly spawnError: string | null;
  /** Set when the log file could not be written completely (e.g. disk full); the run itself went on. */
  readonly logError?: string | null;
  /** A job elsewhere that the executor lost track of (its host stopped answering): why; the experiment is interrupted. */
  readonly interrupted?: string | null;
}

export const TAIL_BYTES = 16 * 1024;
/** How long to wait for the output pipes to close once the group is gone (a process that escaped the group may hold them). */
const PIPE_DRAIN_MS = 2_000;
/** setTimeout fires at once for delays above 2^31-1 ms (24.8 days); longer timeouts are capped there. */
const MAX_TIMER_MS = 2 ** 31 - 1;

const notRun = (spawnError: string | null, aborted = false): RunCommandResult => ({
  exitCode: null,
  signal: null,
  timedOut: false,
  aborted,
  durationMs: 0,
  outputBytes: 0,
  droppedBytes: 0,
  tail: '',
  spawnError,
  logError: null,
});

function cleanEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}

async function checkCwd(cwd: string): Promise<string | null> {
  try {
    const info = await stat(cwd);
    return info.isDirectory() ? null : `The working directory ${cwd} is not a directory. Point the run at the project folder.`;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return `The working directory ${cwd} does not exist. Check the project path (or recreate the worktree) and start again.`;
    return `The working directory ${cwd} cannot be used: ${(err as Error).message}`;
  }
}

function describeSpawnError(err: NodeJS.ErrnoException, cwd: string): string {
  if (err.code === 'ENOENT') return `Could not start /bin/sh in ${cwd} (${err.message}). The system shell /bin/sh is missing or the folder vanished; check that both exist.`;
  if (err.code === 'EACCES') return `Not allowed to start /bin/sh in ${cwd} (${err.message}). Check the folder's permissions.`;
  if (err.code === 'EAGAIN' || err.code === 'EMFILE' || err.code === 'ENOMEM') return `The system refused to start another process (${err.message}). Free memory or processes and try again.`;
  return `Could not start the command: ${err.message}`;
}

/** Resolves once the child has been spawned (pid known) or failed to. */
function spawned(child: ChildProcess): Promise<NodeJS.ErrnoException | null> {
  return new Promise((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (err) => resolve(err));
  });
}

export async function runCommand(opts: RunCommandOptions): Promise<RunCommandResult> {
  if (opts.signal?.aborted) return notRun(null, true);
  const cwdProblem = await checkCwd(opts.cwd);
  if (cwdProblem) return notRun(cwdProblem);

  let log: CappedLog;
  try {
    await mkdir(path.dirname(opts.logFile), { recursive: true });
    log = await openCappedLog(opts.logFile, opts.logMaxBytes);
  } catch (err) {
    return notRun(`Could not create the log file ${opts.logFile}: ${(err as Error).message}. Check that the disk has space and the folder is writable.`);
  }

  const started = performance.now();
  // Sandboxed, bwrap leads the process group; a kill of the group ends its PID namespace and so everything
  // inside, even a process that escaped with setsid.
  // Unsandboxed in a PID namespace (pid-namespace.ts), unshare leads the group the same way.
  const [file, argv] = opts.sandbox
    ? sandboxedArgv(opts.sandbox, opts.cwd, opts.command)
    : opts.pidNamespace
      ? inPidNamespace(opts.pidNamespace, opts.command)
      : ['/bin/sh', ['-c', opts.command]];
  const child = spawn(file, argv, {
    cwd: opts.cwd,
    env: cleanEnv(opts.env),
    // Its own process group (setsid), so a timeout can end the trainer and everything it started.
    detached: true,
    stdio: [opts.stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    windowsHide: true,
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const spawnErr = await spawned(child);
  // Later 'error' events (none are expected: signals go through process.kill) must not crash the app.
  child.on('error', () => undefined);
  if (spawnErr || child.pid === undefined) {
    await log.finish();
    return notRun(describeSpawnError(spawnErr ?? new Error('no pid'), opts.cwd));
  }
  const pid = child.pid;
  const pgid = pid;

  if (opts.stdin !== undefined && child.stdin) {
    // A command that never reads its stdin closes the pipe early: that is not an error of the run.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.stdin);
  }

  // --- output: one handler for both pipes, in arrival order
  const tailRing = createByteRing(TAIL_BYTES);
  let outputBytes = 0;
  const streams = [child.stdout!, child.stderr!];
  const decoders = streams.map(() => new StringDecoder('utf8'));
  let paused = false;
  // The live output (the dashboard's log view) is redacted like the log file, a secret split across chunks too.
  const liveRedactor = createStreamRedactor();
  const emit = (text: string, last = false) => {
    if (!opts.onOutput) return;
    const clean = Buffer.concat([liveRedactor.push(Buffer.from(text)), last ? liveRedactor.end() : Buffer.alloc(0)]).toString('utf8');
    if (!clean) return;
    try {
      opts.onOutput(clean);
    } catch {
      // A failing UI listener must not lose the experiment's output or its result.
    }
  };
  log.onDrain(() => {
    if (!paused) return;
    paused = false;
    for (const s of streams) s.resume();
  });
  const pipesClosed = streams.map(
    (s, i) =>
      new Promise<void>((resolve) => {
        s.on('data', (chunk: Buffer) => {
          outputBytes += chunk.length;
          tailRing.push(chunk);
          emit(decoders[i]!.write(chunk));
          if (!log.write(chunk) && !paused) {
            // The disk is behind: stop reading so the pipe fills and the child waits, instead of our memory growing.
            paused = true;
            for (const p of streams) p.pause();
          }
        });
        s.once('close', () => resolve());
        s.once('error', () => resolve());
      }),
  );

  // --- timeout and abort: both end the whole group
  let timedOut = false;
  let aborted = false;
  let killing: Promise<unknown> | null = null;
  const stop = () => {
    // It throws only for a pgid that is not one (checkPgid), which a spawned child's never is; the exit is awaited anyway.
    killing ??= killProcessGroup(pgid, opts.graceMs).catch(() => undefined);
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, Math.min(MAX_TIMER_MS, Math.max(0, opts.timeoutMs)));
  const onAbort = () => {
    aborted = true;
    stop();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  // An abort while the log was opened or the child spawned (after the check on entry) fired before the listener:
  // without this, a Stop pressed just as a trainer starts let it run until its timeout.
  if (opts.signal?.aborted) onAbort();

  let startError: unknown = null;
  try {
    await opts.onStart?.({ pid, pgid });
  } catch (err) {
    // The caller could not record the start (e.g. the journal's disk is gone): do not leave the command running unrecorded.
    startError = err;
    stop();
  }

  const exit = await exited;
  clearTimeout(timer);
  opts.signal?.removeEventListener('abort', onAbort);
  // The experiment owns its group: background processes the command left behind go with it.
  if (killing === null && isProcessGroupAlive(pgid)) stop();
  if (killing) await killing;

  // Output still in the pipes is read to the end; a process that escaped the group may hold them open.
  if (paused) for (const s of streams) s.resume();
  const drained = await Promise.race([Promise.all(pipesClosed).then(() => true), sleep(PIPE_DRAIN_MS).then(() => false)]);
  if (!drained) for (const s of streams) s.destroy();
  for (const [i, d] of decoders.entries()) emit(d.end(), i === decoders.length - 1);
  const { droppedBytes, error: logError } = await log.finish();
  if (startError !== null) throw startError;

  return {
    exitCode: exit.code,
    signal: exit.signal,
    timedOut,
    aborted,
    durationMs: Math.round(performance.now() - started),
    outputBytes,
    droppedBytes,
    tail: redact(collapseProgress(decodeCutUtf8(tailRing.contents()))),
    spawnError: null,
    logError,
  };
}
