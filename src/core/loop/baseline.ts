// Before any candidate: the setup command (once per run) and the baseline — the unchanged start commit,
// run `baselineRuns` times; the spread of those runs is the noise floor.
import { effectiveTimeoutSeconds } from '../../shared/config.js';
import type { ExperimentRunResult } from '../../shared/experiment.js';
import { isoNow, lastOutput, runningExperiment, type RunContext, type SlotState } from './context.js';
import { mean, sampleStdDev } from './decide.js';
import { restoreFiles } from '../agent/diff-guard.js';
import { heldoutAfterKeep } from './heldout.js';
import { failureOf, measure, trainingMs } from './measure.js';
import { changedProtectedFiles } from './protected-files.js';
import { seedsFor, seedVaries } from '../project/seed-launch.js';

/** Runs the setup command in the project folder; returns why it failed, or null. */
export async function runSetup(ctx: RunContext, slot: SlotState): Promise<string | null> {
  const { config } = ctx;
  ctx.setPhase(slot, 'running', { description: 'setup', experimentId: null });
  const logRel = 'logs/setup.log';
  const r = await ctx.runProcess({
    what: 'setup',
    id: -1,
    slot,
    command: config.run.setup!,
    cwd: ctx.projectDir,
    logRel,
    // Data preparation can take far longer than one experiment.
    timeoutMs: Math.max(effectiveTimeoutSeconds(config), 3600) * 1000,
    onOutput: (text) => ctx.emit({ kind: 'log', id: -1, text }),
  });
  ctx.setPhase(slot, 'idle', { description: null });
  if (r.aborted) return 'Stopped during the setup command.';
  if (r.exitCode !== 0) {
    return `The setup command (${config.run.setup}) failed (${r.spawnError ?? `exit code ${r.exitCode}`}); see ${ctx.paths.abs(logRel)}.${lastOutput(r.tail)}`;
  }
  await ctx.append({ type: 'notice', at: isoNow(), level: 'info', message: `Setup finished in ${(r.durationMs / 1000).toFixed(1)} s.` });
  return null;
}

/**
 * The repeats an interrupted baseline finished (journaled one by one as 'baseline-run'; a graceful stop also
 * records the repeat it cut short, which is left out here): a resume measures only the ones still missing.
 * A repeat counts when it read the metric the config names now (a resume may have changed the metric).
 */
function finishedRepeats(ctx: RunContext): ExperimentRunResult[] {
  const prior = ctx.record.experiments.get(0);
  if (!prior || prior.status !== 'interrupted') return [];
  const name = ctx.config.metric.name;
  const done = prior.runs.filter((r) => r.metric !== null && r.exitCode === 0 && !r.timedOut && r.signal === null && r.metrics[name] === r.metric);
  return done.slice(0, ctx.config.acceptance.baselineRuns);
}

/**
 * Measures experiment 0; false when it failed (the run cannot compare anything without it). `measured` is called
 * once the code is known to run and give the metric while repeats remain (after the first good repeat, or at once
 * on a resume that kept one): the proposers start then, so the first proposal is ready when the baseline ends
 * instead of the GPU waiting for it, and no agent tokens go on a run command that does not work.
 */
export async function runBaseline(ctx: RunContext, slot: SlotState, measured: () => void = () => undefined): Promise<boolean> {
  const { record } = ctx;
  const reused = finishedRepeats(ctx);
  const startedAt = isoNow();
  const base = runningExperiment({
    id: 0,
    kind: 'baseline',
    slot: slot.index,
    baseId: null,
    parentCommit: record.startCommit,
    commit: record.startCommit,
    description: 'baseline',
    hypothesis: 'The unchanged code, measured to compare every candidate against.',
    startedAt,
    logPath: ctx.paths.logRel(0),
  });
  // The record starts with the repeats it keeps from before, so the fold, results.tsv and the UI show them at once.
  await ctx.append({ type: 'experiment-start', at: startedAt, experiment: { ...base, runs: reused, timings: { ...base.timings, trainingMs: trainingMs(reused) } } });
  if (reused.length) {
    const missing = ctx.config.acceptance.baselineRuns - reused.length;
    const message = `The baseline keeps the ${reused.length} repeat${reused.length === 1 ? '' : 's'} it finished before it was interrupted; ${missing === 0 ? 'none is' : `${missing} more ${missing === 1 ? 'is' : 'are'}`} measured now.`;
    await ctx.append({ type: 'notice', at: isoNow(), level: 'info', message, id: 0 });
  }
  ctx.setPhase(slot, 'running', { experimentId: 0, description: 'baseline', experimentStartedAt: startedAt, metricsSoFar: {} });
  const runs: ExperimentRunResult[] = [...reused];
  if (reused.length > 0 && reused.length < ctx.config.acceptance.baselineRuns) measured();
  // With a seed setting, repeat i runs under seed i + 1: the spread of the repeats is then the spread across
  // seeds, the noise a change meets (identical reruns of a seeded trainer agree exactly).
  const seeds = seedVaries(ctx.config.seed) ? seedsFor(ctx.config.acceptance.baselineRuns) : null;
  // Repeat numbers go on from the reused ones, so each repeat keeps its own log (logs/0.<i>.log).
  for (let i = reused.length; i < ctx.config.acceptance.baselineRuns; i++) {
    if (i > 0) ctx.setPhase(slot, 'confirming');
    const last = await measure(ctx, slot, 0, i, seeds?.[i] ?? null);
    runs.push(last.result);
    // The baseline is checked like every candidate: a trainer that rewrites the evaluator while it runs
    // would otherwise set a bar no honest candidate can be measured against.
    const tampered = await changedProtectedFiles(slot.worktree, ctx.protectedHashes());
    if (tampered.length) {
      await restoreFiles(slot.worktree, record.startCommit, tampered);
      const error = `The baseline was rejected: its run changed protected files: ${tampered.join(', ')}. Its result is not trusted (the files were restored). Make the run command leave them unchanged, or stop protecting them.`;
      const timings = { ...base.timings, trainingMs: trainingMs(runs) };
      await ctx.close(slot, 0, { status: 'rejected', error, runs, timings }, last.tail);
      return false;
    }
    const failure = failureOf(ctx.config, last);
    if (failure) {
      const timings = { ...base.timings, trainingMs: trainingMs(runs) };
      // A stop is no failure of the code: the baseline goes on when the run resumes, from the repeats it finished.
      const kept = runs.length - 1;
      const error =
        failure.status === 'interrupted'
          ? `The baseline was interrupted (${failure.error.replace(/\.$/, '').toLowerCase()}); it is measured again when the run resumes${kept ? `, keeping the ${kept} repeat${kept === 1 ? '' : 's'} it finished` : ''}.`
          : `The baseline failed. ${failure.error}`;
      await ctx.close(slot, 0, { status: failure.status, error, runs, timings }, last.tail);
      return false;
    }
    // Journaled before the next repeat starts: a kill from here on loses none of this one.
    await ctx.append({ type: 'baseline-run', at: isoNow(), index: i, run: last.result });
    if (i + 1 < ctx.config.acceptance.baselineRuns) measured();
  }
  const values = runs.map((r) => r.metric!);
  await ctx.append({ type: 'noise-floor', at: isoNow(), values, spread: sampleStdDev(values) });
  const ended = await ctx.close(slot, 0, { status: 'keep', metric: mean(values), metrics: runs[runs.length - 1]!.metrics, runs, timings: { ...base.timings, trainingMs: trainingMs(runs) } }, null);
  await ctx.append({ type: 'best', at: isoNow(), id: 0, commit: record.startCommit, metric: ended.metric! });
  await heldoutAfterKeep(ctx, slot, 0);
  return true;
}
