// The executor of this machine: slot worktrees under .autoresearch/worktrees/ and one process group per job
// (exec/run-command.ts), with the cgroup scope and the sweep of escaped processes around it.
import { prepareWorktree } from './worktrees.js';
import { adoptIntoScope, scopeUnit, stopScope, systemdScopeAvailable } from './cgroup-scope.js';
import { execFile } from 'node:child_process';
import { appendFileNoFollow } from '../util/safe-fs.js';
import type { Executor, ExecutorJob, JobRef, ProbeResult } from './executor.js';
import { killOrphans } from './kill-orphans.js';
import { pidNamespacePrefix } from './pid-namespace.js';
import { runCommand, type RunCommandResult } from './run-command.js';
import { newProcessMarker, PROCESS_MARKER_KEY, sweepEscaped } from './sweep-escaped.js';

export interface LocalExecutorOptions {
  readonly projectDir: string;
  /** Untracked inputs linked into each worktree. */
  readonly linked: readonly string[];
  /** The app's environment (systemd's user bus is found through it). */
  readonly env: NodeJS.ProcessEnv;
}

/** `nvidia-smi -L` on this machine: the GPUs a local slot can be given. */
function probeGpus(env: NodeJS.ProcessEnv): Promise<ProbeResult> {
  const command = 'nvidia-smi -L';
  return new Promise((resolve) => {
    execFile('nvidia-smi', ['-L'], { env, timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if ((err as NodeJS.ErrnoException | null)?.code === 'ENOENT') {
        resolve({ ok: false, command, output: 'nvidia-smi was not found on this machine: no NVIDIA driver is installed, so a local slot runs its experiments without a GPU.' });
      } else if (err) resolve({ ok: false, command, output: `nvidia-smi failed: ${(stderr || stdout || err.message).trim()}` });
      else resolve({ ok: true, command, output: stdout.trim() || 'nvidia-smi lists no GPU.' });
    });
  });
}

export function createLocalExecutor(opts: LocalExecutorOptions): Executor {
  return {
    kind: 'local',
    where: 'local',
    prepareWorkspace: (slot, commit) => prepareWorktree(opts.projectDir, slot, commit, opts.linked),
    async run(job: ExecutorJob): Promise<RunCommandResult> {
      const marker = newProcessMarker();
      let scope: string | null = null;
      const result = await runCommand({
        command: job.command,
        cwd: job.cwd,
        env: { ...job.env, [PROCESS_MARKER_KEY]: marker },
        logFile: job.logFile,
        logMaxBytes: job.logMaxBytes,
        timeoutMs: job.timeoutMs,
        graceMs: job.graceMs,
        ...(job.signal ? { signal: job.signal } : {}),
        sandbox: job.sandbox ?? null,
        ...(job.stdin !== undefined ? { stdin: job.stdin } : {}),
        // Without the sandbox's namespace, one of its own where the machine allows it (else the notice says so).
        pidNamespace: job.sandbox ? null : pidNamespacePrefix(opts.env),
        onStart: async (p) => {
          // Where systemd runs for this user, a cgroup holds the whole tree, whatever it does to its group or environment.
          if (await systemdScopeAvailable(opts.env)) {
            const unit = scopeUnit(marker);
            if (await adoptIntoScope(p.pid, unit, opts.env)) scope = unit;
          }
          await job.onStart?.(p);
        },
        ...(job.onOutput ? { onOutput: job.onOutput } : {}),
      });
      if (scope !== null) await stopScope(scope, opts.env);
      // What escaped the group (setsid) dies with its command, not at the next start of the app. Under bubblewrap
      // nothing can have: the command ran in a PID namespace of its own (bwrapArgs: --unshare-pid), and the kernel
      // kills everything in it when its first process ends, before bwrap itself exits. The sweep reads every
      // process's environment in /proc, the dearest step between two experiments on a busy machine, so it runs
      // only where it can find something (no sandbox, or Seatbelt, which has no PID namespace).
      let logError = result.logError ?? null;
      const inPidNamespaceOfItsOwn = !!job.sandbox && process.platform === 'linux';
      const escaped = await (inPidNamespaceOfItsOwn ? Promise.resolve([] as number[]) : sweepEscaped(marker, job.graceMs)).catch(async (err: unknown) => {
        // Whatever escaped may still be running (holding a GPU): the experiment's log says so.
        const note = `\n[autoresearch] Could not look for processes the command left running outside its process group (${err instanceof Error ? err.message : String(err)}); any such process is still running.\n`;
        try {
          job.onOutput?.(note);
        } catch {
          // A failing UI listener must not lose the note from the log.
        }
        // A log that cannot be written is reported like any other (the loop turns logError into a notice).
        await appendFileNoFollow(job.logFile, note).catch((e: Error) => void (logError ??= `Could not write the log ${job.logFile}: ${e.message}`));
        return [] as number[];
      });
      if (escaped.length) await job.onEscaped?.(escaped);
      return logError === (result.logError ?? null) ? result : { ...result, logError };
    },
    async reattach(refs: readonly JobRef[], runDir: string) {
      // Only this machine's process groups: a remote job's pgid is 0 (kill(-0) would signal the app itself).
      const local = refs.filter((r) => !r.remote && r.pgid > 1);
      const { killed } = await killOrphans({ pgids: local.map((r) => r.pgid), marker: { key: 'AUTORESEARCH_RUN_DIR', value: runDir }, graceMs: 5000 });
      return { reattached: [], killed };
    },
    probe: () => probeGpus(opts.env),
  };
}
