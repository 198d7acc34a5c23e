// What a Slurm slot submits: the sbatch options from the slot's settings and the batch script around the
// experiment's command. The script records the command's exit status in a file next to the job's output,
// so the result does not depend on Slurm accounting (a small cluster often has no slurmdbd).
import type { ExecutorConfig } from '../../shared/config.js';

export type SlurmSettings = Extract<ExecutorConfig, { kind: 'slurm' }>;

/** Slurm's --time has minute granularity: the budget's hard limit plus grace, rounded up, plus one minute of slack. */
export function timeLimitMinutes(timeoutMs: number, graceMs: number): number {
  return Math.max(1, Math.ceil((timeoutMs + graceMs) / 60_000) + 1);
}

export interface SbatchInput {
  readonly settings: SlurmSettings;
  readonly jobName: string;
  /** Where the job writes its output; %j is the job id. */
  readonly outputPattern: string;
  readonly cwd: string;
  readonly timeoutMs: number;
  readonly graceMs: number;
}

export function sbatchArgs(i: SbatchInput): string[] {
  const s = i.settings;
  return [
    '--parsable',
    `--job-name=${i.jobName}`,
    `--output=${i.outputPattern}`,
    `--chdir=${i.cwd}`,
    // The job sees the experiment's environment (sbatch is started with it).
    '--export=ALL',
    '--nodes=1',
    '--ntasks=1',
    // A safety net if the app dies: the app itself cancels at the timeout, counted from when the job runs.
    `--time=${timeLimitMinutes(i.timeoutMs, i.graceMs)}`,
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(s.account ? [`--account=${s.account}`] : []),
    ...(s.qos ? [`--qos=${s.qos}`] : []),
    ...(s.constraint ? [`--constraint=${s.constraint}`] : []),
    ...(s.gpus > 0 ? [`--gres=gpu:${s.gpus}`] : []),
    ...s.extraArgs,
  ];
}

/** A string as one single-quoted word for /bin/sh. */
export const shQuote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/**
 * The batch script: a small supervisor on the node. It starts the command with /bin/sh -c in a session and
 * process group of its own (as the local executor does), and stays alive itself, so the job keeps track of
 * every process: a TERM (a stop, a timeout: `scancel`, which Slurm sends to every process of the job) is forwarded to the command's group and
 * followed by KILL after the grace period; when the command ends, what it left in its group and whatever
 * carries the job's AUTORESEARCH_PROCESS marker (a `setsid` escapee) is killed too. Then the exit status goes
 * to <statusDir>/<job id>.exit (through a temporary name, so a reader never sees half a number), unless the job
 * was stopped. A supervisor that died first would leave the command's processes to init, out of reach of
 * proctrack/linuxproc.
 */
export function batchScript(command: string, cwd: string, statusDir: string, graceMs: number): string {
  const exitFile = `${shQuote(statusDir)}/"$SLURM_JOB_ID".exit`;
  const graceTenths = Math.max(1, Math.ceil(graceMs / 100));
  return [
    '#!/bin/sh',
    '# Written by Autoresearch Studio: one experiment command as a Slurm job.',
    `cd ${shQuote(cwd)} || exit 97`,
    // The app's own Node (AUTORESEARCH_NODE) exists on the nodes only where the app is installed on shared
    // storage; elsewhere the command's fallback (e.g. the demo's "${AUTORESEARCH_NODE:-node}") takes the node's.
    '[ -z "$AUTORESEARCH_NODE" ] || [ -x "$AUTORESEARCH_NODE" ] || unset AUTORESEARCH_NODE ELECTRON_RUN_AS_NODE',
    'sweep() {',
    '  [ -n "$AUTORESEARCH_PROCESS" ] && [ -d /proc/self ] || return 0',
    '  for f in $(grep -lzxF "AUTORESEARCH_PROCESS=$AUTORESEARCH_PROCESS" /proc/[0-9]*/environ 2>/dev/null); do',
    '    p=${f#/proc/}; p=${p%/environ}',
    '    [ "$p" = "$$" ] || kill -KILL "$p" 2>/dev/null',
    '  done',
    '}',
    `setsid /bin/sh -c ${shQuote(command)} &`,
    'child=$!',
    'stopping=0',
    `trap 'stopping=1; kill -TERM -"$child" 2>/dev/null' TERM INT HUP`,
    'wait "$child"; code=$?',
    'while kill -0 "$child" 2>/dev/null; do',
    '  if [ "$stopping" = 1 ]; then',
    '    n=0',
    `    while kill -0 -"$child" 2>/dev/null && [ "$n" -lt ${graceTenths} ]; do sleep 0.1; n=$((n + 1)); done`,
    '    kill -KILL -"$child" 2>/dev/null',
    '  fi',
    '  wait "$child"; code=$?',
    'done',
    'kill -KILL -"$child" 2>/dev/null',
    'sweep',
    `[ "$stopping" = 1 ] || { printf '%s\n' "$code" > ${exitFile}.tmp && mv -f ${exitFile}.tmp ${exitFile}; }`,
    'exit "$code"',
    '',
  ].join('\n');
}

/** The sbatch environment: the job's own, without the variables of an allocation the app itself may run in. */
export function submitEnv(jobEnv: Readonly<Record<string, string | undefined>>, appEnv: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(jobEnv)) {
    // SLURM_JOB_ID etc. of an outer job would make sbatch think it runs inside it; SLURM_CONF says which cluster.
    if (v === undefined || (k.startsWith('SLURM_') && k !== 'SLURM_CONF')) continue;
    out[k] = v;
  }
  if (appEnv.SLURM_CONF && !out.SLURM_CONF) out.SLURM_CONF = appEnv.SLURM_CONF;
  if (appEnv.PATH && !out.PATH) out.PATH = appEnv.PATH;
  return out;
}
