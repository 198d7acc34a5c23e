// Hooks (issue #25, config.hooks, shared/config-hooks.ts): the project's own commands, run before and after each
// experiment and when the run starts and stops. Each runs on this machine through the local executor, in the
// sandbox like the trainer and the guard (its process group journaled, so a restarted app finds an orphan), with
// a time limit and a JSON record on stdin; its output goes to a capped, redacted log under the run folder.
// What a before-hook prints is journaled as a steering note, the path `autoresearch steer` takes to the prompt.
// A hook that fails is a journal notice naming its log; it stops the run only where failStopsRun says so.
import { effectiveHook, type HookName } from '../../shared/config-hooks.js';
import type { Experiment } from '../../shared/experiment.js';
import { createLocalExecutor } from '../exec/local-executor.js';
import type { RunCommandResult } from '../exec/run-command.js';
import type { RunRecord } from '../journal/fold.js';
import { errorMessage, isoNow, lastOutput, type RunIdentity, type RunJournalView, type RunProcesses, type RunStopView, type SlotState } from './context.js';
import { experimentEnv } from './experiment-env.js';
import { hiddenHeldout } from './heldout.js';
import type { LoopDeps } from './types.js';

export type HookContext = RunIdentity & Pick<RunJournalView, 'append' | 'record'> & Pick<RunProcesses, 'sandboxFor'> & Pick<RunStopView, 'signal' | 'requestStop'> & { readonly deps: LoopDeps };

/** A hook's log is capped lower than a trainer's: it is a notification or a lookup, not a training run. */
const HOOK_LOG_MAX_BYTES = 4 * 1024 * 1024;
/** The most of a before-hook's output that becomes a note (the prompt shortens each note further). */
const NOTE_MAX_CHARS = 2000;
export const HOOK_NOTE_PREFIX = 'From the before-experiment hook: ';

/** The run's figures as a hook reads them on stdin (the held-out check stays hidden: a before-hook's output reaches the agent). */
export function runFigures(record: RunRecord): Record<string, unknown> {
  const all = [...record.experiments.values()];
  const candidates = all.filter((e) => e.kind === 'candidate');
  return {
    tag: record.tag,
    branch: record.branch,
    startCommit: record.startCommit,
    startedAt: record.startedAt,
    proposer: record.proposer,
    experiments: candidates.length,
    kept: candidates.filter((e) => e.status === 'keep').length,
    discarded: candidates.filter((e) => e.status === 'discard').length,
    failed: candidates.filter((e) => ['crash', 'timeout', 'rejected'].includes(e.status)).length,
    baseline: record.experiments.get(0)?.metric ?? null,
    best: record.best,
    bestId: record.bestId,
    bestCommit: record.bestCommit,
    noiseFloor: record.noiseFloor,
    costUsd: record.costUsd,
    trainingMs: record.trainingMs,
    metric: { name: record.config.metric.name, direction: record.config.metric.direction },
  };
}

/** An experiment as a hook reads it: the record the journal keeps, without its held-out result. */
export function hookExperiment(e: Experiment): Record<string, unknown> {
  return { ...hiddenHeldout(e) };
}

interface HookRun {
  readonly name: HookName;
  /** The experiment it belongs to (-1: the run's own hooks and a before-hook, which precedes its experiment's id). */
  readonly id: number;
  readonly slot: SlotState | null;
  readonly input: Record<string, unknown>;
  /** Where its log goes, relative to the run folder. */
  readonly logRel: string;
  /** Its own signal where the run's may already be aborted (the stop hook runs after a user stop). */
  readonly signal?: AbortSignal;
}

/** What a hook came to: null when it is not configured; `output` is what it printed (for the before-hook's note). */
export type HookResult = { readonly ok: boolean; readonly output: string; readonly error: string | null } | null;

/** Where a slot's hooks run: its worktree on this machine; a slot elsewhere (SSH, Slurm) has its worktree there, so the project. */
function hookCwd(ctx: HookContext, slot: SlotState | null): string {
  if (!slot || !slot.worktree) return ctx.projectDir;
  const executor = ctx.config.slots[slot.index]?.executor;
  return !executor || executor.kind === 'local' ? slot.worktree : ctx.projectDir;
}

/** Runs one hook, if configured. Never throws; a failure is journaled (and stops the run where configured). */
export async function runHook(ctx: HookContext, h: HookRun): Promise<HookResult> {
  const hook = effectiveHook(ctx.config.hooks, h.name);
  if (!hook) return null;
  const signal = h.signal ?? ctx.signal;
  if (signal.aborted) return null;
  const cwd = hookCwd(ctx, h.slot);
  const slotIndex = h.slot?.index ?? 0;
  let output = '';
  let error: string | null = null;
  try {
    const executor = createLocalExecutor({ projectDir: ctx.projectDir, linked: ctx.config.files.linked, env: ctx.deps.env });
    const env = experimentEnv({ base: ctx.deps.env, config: ctx.config, slot: slotIndex, tag: ctx.tag, id: h.id, runDir: ctx.paths.dir, nodePath: ctx.deps.nodePath, ...(ctx.deps.nodeEnv ? { nodeEnv: ctx.deps.nodeEnv } : {}) });
    env.AUTORESEARCH_HOOK = h.name;
    let pgid: number | null = null;
    const r: RunCommandResult = await executor.run({
      command: hook.command,
      cwd,
      env,
      logFile: ctx.paths.abs(h.logRel),
      logMaxBytes: Math.min(ctx.config.logMaxBytes, HOOK_LOG_MAX_BYTES),
      timeoutMs: hook.timeoutSeconds * 1000,
      graceMs: ctx.config.budget.graceSeconds * 1000,
      signal,
      stdin: `${JSON.stringify({ hook: h.name, ...h.input })}\n`,
      // The slot's own /tmp and caches for an experiment's hooks; empty ones for the run's.
      sandbox: ctx.sandboxFor(cwd, 'trainer', h.slot ? h.slot.index : undefined),
      // Journaled (fsync'd) before the hook is waited on, like every command of a run: a restarted app ends an orphan.
      onStart: async (p) => {
        pgid = p.pgid;
        await ctx.append({ type: 'process-start', at: isoNow(), id: h.id, pid: p.pid, pgid: p.pgid, what: 'hook', ...(h.slot ? { slot: h.slot.index } : {}) });
      },
      onOutput: (text) => {
        if (output.length < NOTE_MAX_CHARS * 4) output += text;
      },
    });
    if (pgid !== null) await ctx.append({ type: 'process-end', at: isoNow(), id: h.id, pgid });
    const what = `The ${h.name} hook (${hook.command})`;
    if (r.aborted) return { ok: false, output, error: null };
    if (r.spawnError) error = `${what} could not start: ${r.spawnError}`;
    else if (r.timedOut) error = `${what} was killed after its ${hook.timeoutSeconds} s limit; raise hooks.timeoutSeconds or make it faster. See ${h.logRel}.`;
    else if (r.exitCode !== 0) error = `${what} ${r.exitCode === null ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`}; see ${h.logRel}.${lastOutput(r.tail)}`;
  } catch (err) {
    error = `The ${h.name} hook could not run: ${errorMessage(err)}. See ${h.logRel}.`;
  }
  if (error === null) return { ok: true, output, error: null };
  const stops = hook.failStopsRun;
  await ctx
    .append({ type: 'notice', at: isoNow(), level: stops ? 'error' : 'warning', ...(h.id >= 0 ? { id: h.id } : {}), message: stops ? `${error}\nThe run stops because hooks say failStopsRun; fix the hook or set failStopsRun to false, then resume the run.` : `${error}\nThe run goes on (set failStopsRun to stop it when this hook fails).` })
    .catch(() => undefined);
  // Graceful: what other slots are measuring finishes and is recorded; no new experiment starts.
  if (stops) ctx.requestStop('error', `The ${h.name} hook failed, and hooks.failStopsRun stops the run when it does: ${error.split('\n')[0]}`, true);
  return { ok: false, output, error };
}

/** A stamp for a log name that no other hook run of this run shares (a resume runs the run's hooks again). */
const stamp = () => `${new Date().toISOString().replace(/[:.]/g, '-')}-${Math.random().toString(36).slice(2, 6)}`;

/**
 * Before a slot's next experiment: the hook gets the run's figures and the slot's last finished experiment; what
 * it prints becomes a steering note for the proposal (journaled as `steer`, as `autoresearch steer` would).
 * True when the hook ran and the run is stopping since (its failure with failStopsRun, or a stop meanwhile).
 */
export async function beforeExperimentHook(ctx: HookContext & Pick<RunStopView, 'stopRequested'>, slot: SlotState): Promise<boolean> {
  if (!ctx.config.hooks.beforeExperiment || ctx.signal.aborted) return false;
  const previous = [...ctx.record.experiments.values()].filter((e) => e.slot === slot.index && e.finishedAt !== null).at(-1) ?? null;
  const r = await runHook(ctx, {
    name: 'beforeExperiment',
    id: -1,
    slot,
    logRel: `logs/hooks/beforeExperiment-slot${slot.index}-${stamp()}.log`,
    input: { slot: slot.index, run: runFigures(ctx.record), previous: previous ? hookExperiment(previous) : null },
  });
  const note = r?.ok ? r.output.trim().slice(0, NOTE_MAX_CHARS) : '';
  // The same advice printed again adds nothing to the prompt: only a change of what the hook says is a new note.
  const last = [...ctx.record.steering].reverse().find((s) => s.note.startsWith(HOOK_NOTE_PREFIX));
  if (note && last?.note !== HOOK_NOTE_PREFIX + note) await ctx.append({ type: 'steer', at: isoNow(), note: HOOK_NOTE_PREFIX + note });
  return ctx.stopRequested();
}

/** After experiment `id` closed: the hook gets its record and the run's figures. */
export async function afterExperimentHook(ctx: HookContext, slot: SlotState, id: number): Promise<void> {
  const e = ctx.record.experiments.get(id);
  if (!ctx.config.hooks.afterExperiment || !e) return;
  await runHook(ctx, { name: 'afterExperiment', id, slot, logRel: `logs/hooks/afterExperiment-${id}.log`, input: { slot: slot.index, experiment: hookExperiment(e), run: runFigures(ctx.record) } });
}

/** Once the run is open (a new run or a resume), before the setup and the baseline. */
export async function runStartHook(ctx: HookContext, resumed: boolean): Promise<void> {
  await runHook(ctx, { name: 'runStart', id: -1, slot: null, logRel: `logs/hooks/runStart-${stamp()}.log`, input: { resumed, run: runFigures(ctx.record) } });
}

/**
 * At the run's end, whatever ended it: a user stop aborts the run's signal, so the hook has its own (its time
 * limit still ends it). It gets why the run stopped and the run's figures.
 */
export async function runStopHook(ctx: HookContext, reason: string, message: string): Promise<void> {
  await runHook(ctx, { name: 'runStop', id: -1, slot: null, signal: new AbortController().signal, logRel: `logs/hooks/runStop-${stamp()}.log`, input: { reason, message, run: runFigures(ctx.record) } });
}
