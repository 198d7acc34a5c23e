// The commands of a run: where each slot runs them (its executor), under which sandbox, and the journal
// entries around each (process-start fsync'd before the command is waited on, process-end after), so a
// restarted app finds and kills (or re-attaches) whatever a dead one left running.
import { jobLabel } from '../../shared/experiment.js';
import type { Executor, JobRef } from '../exec/executor.js';
import { slotExecutors } from '../exec/executor-for-slot.js';
import { sandboxMode } from '../exec/sandbox.js';
import { isoNow, type RunIdentity, type RunJournalView, type RunLiveView, type RunProcesses } from './context.js';
import { experimentEnv } from './experiment-env.js';
import { commandSandbox, slotSandboxState } from './sandbox-spec.js';
import type { LoopDeps } from './types.js';

export interface RunCommands extends Pick<RunProcesses, 'runProcess' | 'sandboxFor'> {
  /** The sandbox this machine gives (decided once per run). */
  readonly sandbox: Awaited<ReturnType<typeof sandboxMode>>;
  executorOf(slot: number): Executor;
}

export async function createRunCommands(
  ctx: RunIdentity & Pick<RunJournalView, 'append'> & Pick<RunLiveView, 'setPhase' | 'emitLive'> & { readonly deps: LoopDeps; readonly signal: AbortSignal },
): Promise<RunCommands> {
  const { projectDir, tag, config, paths, deps } = ctx;
  // Decided once per run: agent-written code runs under bubblewrap when it works here (exec/sandbox.ts).
  const sandbox = await sandboxMode(deps.env);
  // A slot's trainer, setup and guard share that slot's own /tmp and caches for the run; an agent CLI gets empty ones.
  const sandboxFor: RunProcesses['sandboxFor'] = (cwd, kind, slot) =>
    sandbox.bwrap ? { bwrap: sandbox.bwrap, spec: commandSandbox(projectDir, cwd, config, deps.env, kind, slot === undefined ? null : slotSandboxState(projectDir, tag, slot), tag) } : null;

  // Where experiments run (exec/executor.ts): this machine unless the host passes another executor.
  // A host-given executor (tests, an embedding app) runs every slot; otherwise each slot's setting picks its own.
  const given = deps.executor?.(projectDir, config);
  const executors: Executor[] = given ? config.slots.map(() => given) : slotExecutors({ projectDir, config, env: deps.env });
  const executorOf = (slot: number): Executor => executors[slot] ?? executors[0]!;

  const runProcess: RunProcesses['runProcess'] = async (r) => {
    let started = null as JobRef | null;
    // A job queued elsewhere (Slurm) shows as waiting with the queue's reason; its phase (and clock) start when it runs.
    const phase = r.slot.phase;
    const result = await executorOf(r.slot.index).run({
      command: r.command,
      cwd: r.cwd,
      env: experimentEnv({ base: deps.env, config, slot: r.slot.index, tag, id: r.id, runDir: paths.dir, nodePath: deps.nodePath, ...(deps.nodeEnv || r.env ? { nodeEnv: { ...deps.nodeEnv, ...r.env } } : {}) }),
      logFile: paths.abs(r.logRel),
      logMaxBytes: config.logMaxBytes,
      timeoutMs: r.timeoutMs,
      graceMs: config.budget.graceSeconds * 1000,
      signal: r.signal ? AbortSignal.any([ctx.signal, r.signal]) : ctx.signal,
      sandbox: sandboxFor(r.cwd, 'trainer', r.slot.index),
      // Journaled (fsync'd) before the command is waited on: if the app dies now, the next start finds it.
      onStart: async (p) => {
        started = p;
        if (p.remote) {
          r.slot.job = jobLabel(p.remote);
          ctx.emitLive();
        }
        await ctx.append({ type: 'process-start', at: isoNow(), id: r.id, pid: p.pid, pgid: p.pgid, what: r.what, slot: r.slot.index, ...(p.remote ? { remote: p.remote } : {}) });
      },
      onEscaped: async (escaped) => {
        await ctx.append({ type: 'notice', at: isoNow(), level: 'warning', id: r.id, message: `Killed ${escaped.length} process(es) that the ${r.what} command left running outside its process group (pid ${escaped.join(', ')}).` });
      },
      ...(r.onOutput ? { onOutput: r.onOutput } : {}),
      onWaiting: (reason) => (reason === null ? ctx.setPhase(r.slot, phase) : ctx.setPhase(r.slot, 'waiting', { waitingReason: reason })),
    });
    if (r.slot.job !== null) {
      r.slot.job = null;
      ctx.emitLive();
    }
    if (started) await ctx.append({ type: 'process-end', at: isoNow(), id: r.id, pgid: started.pgid, ...(started.remote ? { remote: started.remote } : {}) });
    // The command ran, but its log is cut short (a full disk): its result stands, and the user hears why the log is incomplete.
    if (result.logError) {
      const message = `${result.logError.replace(/\.$/, '')}. The ${r.what} command's result stands, but its log is incomplete; free space on that disk so the next logs are whole.`;
      await ctx.append({ type: 'notice', at: isoNow(), level: 'warning', ...(r.id >= 0 ? { id: r.id } : {}), message });
    }
    return result;
  };

  return { sandbox, sandboxFor, executorOf, runProcess };
}
