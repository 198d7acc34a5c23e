// The held-out check (issue #22, config.heldout): a second command, run in the sandbox through the same route as
// the guard command, on a kept commit's worktree. Its metric is journaled as `heldout-result` and shown to the
// user beside the search metric; it never decides a keep and never reaches a proposer (the prompt builders read
// only the search metric's fields). A held-out command that fails is recorded as an error and the run goes on.
import type { HeldoutConfig } from '../../shared/config.js';
import type { MetricConfig } from '../../shared/config.js';
import { createMetricScanner, explainMissingMetric, readJsonMetric } from '../metric/index.js';
import { errorMessage, isoNow, lastOutput, type RunIdentity, type RunJournalView, type RunLiveView, type RunProcesses, type RunStopView, type SlotState } from './context.js';

export type HeldoutContext = Pick<RunIdentity, 'config' | 'paths'> & Pick<RunJournalView, 'append' | 'record'> & Pick<RunProcesses, 'runProcess'> & Pick<RunLiveView, 'setPhase'> & Pick<RunStopView, 'signal'>;

/** An experiment as a proposer may see it: without its held-out result (the agent never sees the held-out check). */
export function hiddenHeldout<E extends { readonly heldout?: unknown } | null>(e: E): E {
  if (!e || !('heldout' in e)) return e;
  const { heldout: _hidden, ...rest } = e;
  return rest as E;
}

/** The config as a proposer may see it: no held-out command or metric name. */
export function configForProposer<C extends { readonly heldout: unknown }>(config: C): C {
  return config.heldout === null ? config : { ...config, heldout: null };
}

/**
 * A folder of its own, not logs/: an agent CLI reads the training logs, and the sandbox hides this folder from it
 * whole, logs written after the agent started included (sandbox-spec.ts).
 */
export const heldoutLogRel = (id: number): string => `heldout/${id}.log`;

/** The held-out metric as the metric reader takes it: no secondary numbers, no memory column. */
function readerConfig(h: HeldoutConfig): MetricConfig {
  return { ...h.metric, secondary: [], memoryMb: null };
}

/**
 * Runs the held-out command in `slot`'s worktree (which holds experiment `id`'s commit) and journals the result.
 * Never throws: whatever goes wrong becomes the result's error, so the search goes on.
 */
export async function runHeldout(ctx: HeldoutContext, slot: SlotState, id: number): Promise<void> {
  const heldout = ctx.config.heldout;
  if (!heldout || ctx.signal.aborted) return;
  const logRel = heldoutLogRel(id);
  const metric = readerConfig(heldout);
  const scanner = createMetricScanner(metric);
  const launchedAt = Date.now();
  let value: number | null = null;
  let error: string | null = null;
  let durationMs = 0;
  ctx.setPhase(slot, 'guarding', { description: `held-out check of #${id}` });
  try {
    const r = await ctx.runProcess({ what: 'heldout', id, slot, command: heldout.command, cwd: slot.worktree, logRel, timeoutMs: heldout.timeoutSeconds * 1000, onOutput: (text) => scanner.push(text) });
    scanner.end();
    durationMs = r.durationMs;
    let scan = scanner.scan();
    if (metric.extract.kind === 'json' && !r.spawnError) scan = await readJsonMetric(metric as Parameters<typeof readJsonMetric>[0], slot.worktree, { writtenAfter: launchedAt });
    const failed = `The held-out command (${heldout.command})`;
    if (r.aborted) error = 'Stopped while the held-out command ran.';
    else if (r.spawnError) error = `${failed} could not start: ${r.spawnError}`;
    else if (r.timedOut) error = `${failed} was killed after its ${heldout.timeoutSeconds} s timeout; raise heldout.timeoutSeconds or make it faster.`;
    else if (r.exitCode !== 0) error = `${failed} ${r.exitCode === null ? `was killed by ${r.signal}` : `exited with code ${r.exitCode}`}; see ${logRel}.${lastOutput(r.tail)}`;
    else if (scan.invalid) error = `${heldout.metric.name} was ${scan.invalid === 'nan' ? 'NaN' : 'infinite'}; see ${logRel}.`;
    else if (scan.value === null) error = explainMissingMetric(metric, scan, r.tail);
    else value = scan.value;
  } catch (err) {
    error = `The held-out command could not run: ${errorMessage(err)}`;
  } finally {
    ctx.setPhase(slot, 'idle', { description: null });
  }
  await ctx.append({ type: 'heldout-result', at: isoNow(), id, value, error, logPath: logRel, durationMs });
}

/** After a keep (the baseline or a candidate), when the held-out check runs on each keep. */
export async function heldoutAfterKeep(ctx: Partial<HeldoutContext> & Pick<RunIdentity, 'config'>, slot: SlotState, id: number): Promise<void> {
  if (ctx.config.heldout?.when !== 'each-keep' || !ctx.runProcess || !ctx.paths || !ctx.append || !ctx.record || !ctx.setPhase || !ctx.signal) return;
  await runHeldout(ctx as HeldoutContext, slot, id);
}

/**
 * At the run's end (heldout.when = 'end'): the baseline and the best, each checked out in `slot`'s worktree and
 * evaluated, unless they have a held-out result already (a resumed run that ended before).
 */
export async function heldoutAtEnd(ctx: HeldoutContext & { readonly git: { resetTo(worktree: string, commit: string): Promise<void> } }, slot: SlotState): Promise<void> {
  const { record } = ctx;
  if (ctx.config.heldout?.when !== 'end' || ctx.signal.aborted) return;
  const ids = [...new Set([0, record.bestId ?? 0])];
  for (const id of ids) {
    const e = record.experiments.get(id);
    if (!e || e.status !== 'keep' || !e.commit || e.heldout) continue;
    try {
      await ctx.git.resetTo(slot.worktree, e.commit);
    } catch (err) {
      await ctx.append({ type: 'heldout-result', at: isoNow(), id, value: null, error: `Could not check out #${id} for the held-out command: ${errorMessage(err)}`, logPath: heldoutLogRel(id), durationMs: 0 });
      continue;
    }
    await runHeldout(ctx, slot, id);
  }
}
