// Slurm's own command-line tools (sbatch, squeue, scontrol, scancel, sacct, sinfo), run with execFile and
// their answers parsed. The app talks to a cluster only through these, as a user at a login node would.
import { execFile } from 'node:child_process';

export interface ToolResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Set when the tool could not be started at all (not installed, not on PATH). */
  readonly missing: boolean;
}

const TOOL_TIMEOUT_MS = 30_000;

/** Runs one Slurm tool; never rejects. */
export function slurmTool(tool: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(tool, [...args], { env, timeout: TOOL_TIMEOUT_MS, maxBuffer: 4 * 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string }) | null;
      if (e && e.code === 'ENOENT') return resolve({ code: null, stdout: '', stderr: `${tool} was not found on PATH`, missing: true });
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : 1) : 0, stdout: String(stdout), stderr: String(stderr), missing: false });
    });
  });
}

/** Job states in which the job (or what is left of its processes) may still be on a node. */
const ACTIVE_STATES = new Set(['PENDING', 'CONFIGURING', 'RUNNING', 'COMPLETING', 'SUSPENDED', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESIZING', 'SIGNALING', 'STAGE_OUT', 'STOPPED', 'RESV_DEL_HOLD']);
/** States before the job's processes start: the queue, not the budget. */
const WAITING_STATES = new Set(['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD']);

export interface JobState {
  /** squeue's state name (PENDING, RUNNING, COMPLETED, CANCELLED...), or GONE when the controller no longer knows the job. */
  readonly state: string;
  /** squeue's reason (Resources, Priority, BeginTime...); "None" when there is none. */
  readonly reason: string;
}

export const isActive = (s: JobState) => ACTIVE_STATES.has(s.state);
export const isWaiting = (s: JobState) => WAITING_STATES.has(s.state);

/**
 * The job's state as the controller sees it. A finished job stays listed for MinJobAge (5 min by default),
 * then squeue says "Invalid job id": GONE. null when the controller could not be asked (it is down or busy):
 * the caller asks again rather than take the job for ended.
 */
export async function jobState(jobId: string, env: NodeJS.ProcessEnv): Promise<JobState | null> {
  const r = await slurmTool('squeue', ['--noheader', '--states=all', '--jobs', jobId, '--format=%T|%r'], env);
  if (r.code === 0) {
    const line = r.stdout.split('\n').find((l) => l.trim());
    if (!line) return { state: 'GONE', reason: 'None' };
    const [state, reason] = line.trim().split('|');
    return { state: state ?? 'UNKNOWN', reason: reason ?? 'None' };
  }
  if (/invalid job id/i.test(r.stderr)) return { state: 'GONE', reason: 'None' };
  return null;
}

/**
 * The exit code the controller (or, where accounting is configured, sacct) recorded; null when neither
 * knows. "ExitCode=2:0" is code 2; "0:9" is a kill by signal 9 (then the code is 128 + 9, as a shell says).
 */
export async function recordedExitCode(jobId: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  const parse = (text: string): number | null => {
    const m = /(\d+):(\d+)/.exec(text);
    if (!m) return null;
    const [code, sig] = [Number(m[1]), Number(m[2])];
    return sig > 0 ? 128 + sig : code;
  };
  const ctl = await slurmTool('scontrol', ['show', 'job', jobId], env);
  if (ctl.code === 0) {
    const m = /\bExitCode=(\d+:\d+)/.exec(ctl.stdout);
    if (m) return parse(m[1]!);
  }
  const acct = await slurmTool('sacct', ['--noheader', '--parsable2', '--jobs', jobId, '--format=ExitCode', '--allocations'], env);
  if (acct.code === 0) return parse(acct.stdout.split('\n')[0] ?? '');
  return null;
}

/** scancel with the given options; the answer is only informative (a finished job is not an error). */
export function scancel(jobId: string, opts: readonly string[], env: NodeJS.ProcessEnv): Promise<ToolResult> {
  return slurmTool('scancel', [...opts, jobId], env);
}

/** sbatch's --parsable answer: "12345" or "12345;cluster". */
export function parseJobId(stdout: string): string | null {
  const m = /^\s*(\d+)(?:;\S+)?\s*$/m.exec(stdout);
  return m ? m[1]! : null;
}
