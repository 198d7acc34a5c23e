// A Slurm slot: every command is its own batch job (sbatch with a generated script), in the slot's worktree
// on storage the cluster's nodes share with this machine. The job's output file is followed as it grows
// into the experiment's capped log; the timeout clock starts when the job starts RUNNING (time in the queue
// is shown, not charged); a timeout or a stop cancels the job (scancel) and waits until Slurm has ended its
// processes. The job id is the journaled handle, so a restarted app finds the job again.
import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { prepareWorktree } from './worktrees.js';
import { createByteRing } from './byte-ring.js';
import { openCappedLog, type CappedLog } from './capped-log.js';
import { collapseProgress, decodeCutUtf8 } from './collapse-progress.js';
import type { Executor, ExecutorJob, JobRef, ProbeResult, ReattachResult } from './executor.js';
import { followFile } from './file-follower.js';
import { TAIL_BYTES, type RunCommandResult } from './run-command.js';
import { newProcessMarker, PROCESS_MARKER_KEY } from './sweep-escaped.js';
import { isActive, isWaiting, jobState, parseJobId, recordedExitCode, scancel, slurmTool, type JobState } from './slurm-cli.js';
import { batchScript, sbatchArgs, submitEnv, type SlurmSettings } from './slurm-script.js';

export interface SlurmExecutorOptions {
  readonly projectDir: string;
  /** Untracked inputs linked into each worktree (the nodes see them through the shared storage too). */
  readonly linked: readonly string[];
  /** The app's environment: PATH finds sbatch & co., SLURM_CONF (if set) names the cluster. */
  readonly env: NodeJS.ProcessEnv;
  readonly slot: number;
  readonly settings: SlurmSettings;
  /** How often the controller is asked for the job's state; default 1 s (the output file is read 4× as often). */
  readonly pollMs?: number;
}

/** The job files of a run: scripts, outputs (<job id>.out) and exit statuses (<job id>.exit). */
export const slurmDir = (runDir: string) => path.join(runDir, 'slurm');

/** How long a cancelled job may stay COMPLETING (Slurm's KillWait and epilog) before we stop waiting. */
const CANCEL_WAIT_MS = 180_000;
/** What the batch script may need beyond the grace period to kill, sweep and exit. */
const SUPERVISOR_SLACK_MS = 10_000;
/** A finished job's exit file may reach this machine a little later over NFS. */
const EXIT_FILE_WAIT_MS = 3_000;

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

const delay = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

async function readExitFile(file: string): Promise<number | null> {
  const text = await readFile(file, 'utf8').catch(() => null);
  if (text === null || !/^\d+\s*$/.test(text)) return null;
  return Number(text.trim());
}

async function removeJobFiles(dir: string, jobId: string): Promise<void> {
  await Promise.all(['out', 'exit', 'exit.tmp'].map((ext) => rm(path.join(dir, `${jobId}.${ext}`), { force: true }).catch(() => undefined)));
}

/** Polls until the job has left every active state (its processes are gone); false when it did not within `ms`. */
async function waitUntilEnded(jobId: string, env: NodeJS.ProcessEnv, ms: number, pollMs: number): Promise<boolean> {
  const until = Date.now() + ms;
  for (;;) {
    const s = await jobState(jobId, env);
    if (s && !isActive(s)) return true;
    if (Date.now() >= until) return false;
    await delay(pollMs);
  }
}

/**
 * Ends a job for real: a plain scancel, so Slurm records the job as CANCELLED (a stop is no failure in the
 * cluster's job history; a TERM sent with --signal and the script's exit 143 read as FAILED). The cancel sends
 * SIGTERM to every process of the job; the batch script forwards it to the command's group and KILLs that after
 * the grace period (slurm-script.ts), and Slurm KILLs what is left after its KillWait. Returns once Slurm no longer
 * lists the job as active (COMPLETING included, which lasts until the node has killed the job's processes).
 */
export async function cancelJob(jobId: string, graceMs: number, env: NodeJS.ProcessEnv, pollMs = 250): Promise<boolean> {
  const s = await jobState(jobId, env);
  if (s && !isActive(s)) return true;
  await scancel(jobId, [], env);
  if (s && !isWaiting(s)) {
    if (await waitUntilEnded(jobId, env, graceMs + SUPERVISOR_SLACK_MS, pollMs)) return true;
    // Still there after the grace (a node in trouble, a long KillWait): KILL every process of it now.
    await scancel(jobId, ['--signal=KILL', '--full'], env);
  }
  return waitUntilEnded(jobId, env, CANCEL_WAIT_MS, pollMs);
}

export function createSlurmExecutor(opts: SlurmExecutorOptions): Executor {
  const pollMs = Math.max(50, opts.pollMs ?? 1000);
  const tickMs = Math.max(50, Math.floor(pollMs / 4));

  async function run(job: ExecutorJob): Promise<RunCommandResult> {
    if (job.signal?.aborted) return notRun(null, true);
    const cwdInfo = await stat(job.cwd).catch(() => null);
    if (!cwdInfo?.isDirectory()) return notRun(`The working directory ${job.cwd} does not exist. Check the project path (or recreate the worktree) and start again.`);

    // The job files live in the run's folder, on the storage the nodes share (AUTORESEARCH_RUN_DIR is the run's).
    const runDir = job.env.AUTORESEARCH_RUN_DIR ?? path.dirname(job.logFile);
    const dir = slurmDir(runDir);
    let log: CappedLog;
    const script = path.join(dir, `${randomUUID()}.sh`);
    try {
      await mkdir(dir, { recursive: true });
      await mkdir(path.dirname(job.logFile), { recursive: true });
      await writeFile(script, batchScript(job.command, job.cwd, dir, job.graceMs), { mode: 0o755 });
      log = await openCappedLog(job.logFile, job.logMaxBytes);
    } catch (err) {
      return notRun(`Could not write the job's files in ${dir}: ${(err as Error).message}. Check that the disk has space and the folder is writable.`);
    }

    const args = sbatchArgs({
      settings: opts.settings,
      jobName: `autoresearch-slot${opts.slot}`,
      outputPattern: path.join(dir, '%j.out'),
      cwd: job.cwd,
      timeoutMs: job.timeoutMs,
      graceMs: job.graceMs,
    });
    // The marker the batch script sweeps by at the end: whatever escaped the command's group still carries it.
    const jobEnv = { ...submitEnv(job.env, opts.env), [PROCESS_MARKER_KEY]: newProcessMarker() };
    const submitted = await slurmTool('sbatch', [...args, script], jobEnv);
    await rm(script, { force: true }).catch(() => undefined);
    const jobId = parseJobId(submitted.stdout);
    if (submitted.missing || submitted.code !== 0 || jobId === null) {
      await log.finish();
      return notRun(
        submitted.missing
          ? "sbatch was not found on this machine's PATH. Install Slurm's client tools and the cluster's slurm.conf here (Debian: slurm-client), or set the slot's executor to local."
          : `sbatch refused the job: ${(submitted.stderr || submitted.stdout).trim() || `exit code ${submitted.code}`}. Check the slot's Slurm settings (partition, account, qos, constraint, extra options).`,
      );
    }
    const env = opts.env;
    const outFile = path.join(dir, `${jobId}.out`);
    const exitFile = path.join(dir, `${jobId}.exit`);

    // --- output: the job's file, followed into the capped log
    const follower = followFile(outFile);
    const tailRing = createByteRing(TAIL_BYTES);
    const decoder = new StringDecoder('utf8');
    let outputBytes = 0;
    let drainWaiter: (() => void) | null = null;
    let readFailed = false;
    log.onDrain(() => {
      drainWaiter?.();
      drainWaiter = null;
    });
    const emit = (text: string) => {
      if (!text || !job.onOutput) return;
      try {
        job.onOutput(text);
      } catch {
        // A failing UI listener must not lose the experiment's output or its result.
      }
    };
    const pump = () =>
      follower
        .read(async (chunk) => {
          outputBytes += chunk.length;
          tailRing.push(chunk);
          emit(decoder.write(chunk));
          // The disk is behind: wait for it rather than let memory grow (the job itself is not slowed).
          if (!log.write(chunk)) await new Promise<void>((resolve) => (drainWaiter = resolve));
        })
        .catch((err: unknown) => {
          // The job goes on, but its live log stops while the file cannot be read: said once, in the log itself.
          if (!readFailed) {
            readFailed = true;
            const note = Buffer.from(`\n[autoresearch] Could not read the job's output ${outFile} (${err instanceof Error ? err.message : String(err)}); its log may stop here, though the job goes on.\n`);
            tailRing.push(note);
            emit(decoder.write(note));
            log.write(note);
          }
          return 0;
        });

    // --- timeout and stop: both cancel the job
    let timedOut = false;
    let aborted = false;
    let cancelling: Promise<boolean> | null = null;
    const wake = new AbortController();
    const cancel = () => {
      cancelling ??= cancelJob(jobId, job.graceMs, env);
      wake.abort();
    };
    const onAbort = () => {
      aborted = true;
      cancel();
    };
    job.signal?.addEventListener('abort', onAbort, { once: true });
    // A stop while the job was being sent or queued came before the listener (as in run-command.ts).
    if (job.signal?.aborted) onAbort();

    let startError: unknown = null;
    try {
      await job.onStart?.({ pid: 0, pgid: 0, remote: { kind: 'slurm', slot: opts.slot, handle: jobId } });
    } catch (err) {
      // The caller could not record the job (e.g. the journal's disk is gone): do not leave it running unrecorded.
      startError = err;
      cancel();
    }

    let runningSince: number | null = null;
    let waitingSaid: string | null = null;
    let lastQuery = 0;
    let last: JobState | null = null;
    const say = (reason: string | null) => {
      if (reason === waitingSaid) return;
      waitingSaid = reason;
      try {
        job.onWaiting?.(reason);
      } catch {
        // The UI's trouble, not the job's.
      }
    };
    for (;;) {
      if (cancelling) break;
      if (Date.now() - lastQuery >= pollMs) {
        lastQuery = Date.now();
        const s = await jobState(jobId, env);
        if (s) {
          last = s;
          if (isWaiting(s)) say(`queued in Slurm (${s.state}, ${s.reason})`);
          else if (runningSince === null) {
            // The budget's clock starts now: the queue was Slurm's time, not the experiment's.
            runningSince = Date.now();
            say(null);
          }
          if (!isActive(s)) break;
        }
      }
      await pump();
      if (runningSince !== null && Date.now() - runningSince >= job.timeoutMs) {
        timedOut = true;
        cancel();
        break;
      }
      await delay(tickMs, wake.signal);
    }
    if (cancelling) await cancelling;
    job.signal?.removeEventListener('abort', onAbort);
    say(null);

    let exitCode = await readExitFile(exitFile);
    if (exitCode === null && !timedOut && !aborted) {
      // Over NFS the file may arrive a moment after the controller says the job completed.
      const until = Date.now() + EXIT_FILE_WAIT_MS;
      while (exitCode === null && Date.now() < until && last?.state === 'COMPLETED') {
        await delay(200);
        exitCode = await readExitFile(exitFile);
      }
      exitCode ??= await recordedExitCode(jobId, env);
    }
    await pump();
    await follower.close();
    emit(decoder.end());
    const { droppedBytes, error: logError } = await log.finish();
    await removeJobFiles(dir, jobId);
    if (startError !== null) throw startError;
    const killed = (timedOut || aborted) && exitCode === null;
    return {
      exitCode: killed ? null : exitCode,
      signal: killed ? 'SIGTERM' : null,
      timedOut,
      aborted,
      durationMs: runningSince === null ? 0 : Date.now() - runningSince,
      outputBytes,
      droppedBytes,
      tail: collapseProgress(decodeCutUtf8(tailRing.contents())),
      spawnError: null,
      logError,
    };
  }

  async function reattach(refs: readonly JobRef[], runDir: string): Promise<ReattachResult> {
    const killed: number[] = [];
    const notes: string[] = [];
    const dir = slurmDir(runDir);
    for (const ref of refs) {
      if (ref.remote?.kind !== 'slurm') continue;
      const jobId = ref.remote.handle;
      if (!/^\d+$/.test(jobId)) continue;
      const s = await jobState(jobId, opts.env);
      if (s === null) {
        notes.push(`Slurm job ${jobId} could not be looked up (is the controller reachable?); it may still be running: cancel it with \`scancel ${jobId}\` if so.`);
        continue;
      }
      if (isActive(s)) {
        // Its output had no reader while the app was down and its experiment is recorded as interrupted:
        // the job is cancelled so that it does not hold the slot's resources for nothing.
        const ended = await cancelJob(jobId, 5_000, opts.env);
        killed.push(Number(jobId));
        notes.push(
          ended
            ? `Slurm job ${jobId} was still ${s.state.toLowerCase()} when the run resumed; it has been cancelled.`
            : `Slurm job ${jobId} was cancelled but Slurm still lists it as active; check it with \`squeue -j ${jobId}\`.`,
        );
      } else {
        const code = (await readExitFile(path.join(dir, `${jobId}.exit`))) ?? (await recordedExitCode(jobId, opts.env));
        const how = s.state === 'GONE' ? 'ended' : `ended ${s.state.toLowerCase()}`;
        notes.push(`Slurm job ${jobId} ${how} while the app was down (${code === null ? 'exit code unknown' : `exit code ${code}`}).`);
      }
      await removeJobFiles(dir, jobId);
    }
    return { reattached: [], killed, notes };
  }

  async function probe(): Promise<ProbeResult> {
    const args = opts.settings.partition ? [`--partition=${opts.settings.partition}`] : [];
    const command = ['sinfo', ...args].join(' ');
    const r = await slurmTool('sinfo', args, opts.env);
    if (r.missing) return { ok: false, command, output: "sinfo was not found on this machine's PATH. Install Slurm's client tools and the cluster's slurm.conf here (Debian: slurm-client)." };
    if (r.code !== 0) return { ok: false, command, output: `sinfo failed: ${(r.stderr || r.stdout).trim() || `exit code ${r.code}`}` };
    const out = r.stdout.trim();
    if (opts.settings.partition && out.split('\n').length < 2) return { ok: false, command, output: `The partition ${opts.settings.partition} was not found on this cluster.\n${out}` };
    return { ok: true, command, output: out };
  }

  return {
    kind: 'slurm',
    prepareWorkspace: (slot, commit) => prepareWorktree(opts.projectDir, slot, commit, opts.linked),
    run,
    reattach,
    probe,
  };
}
