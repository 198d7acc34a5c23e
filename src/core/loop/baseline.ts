// Before any candidate: the setup command (once per run) and the baseline — the unchanged start commit,
// run `baselineRuns` times; the spread of those runs is the noise floor.
import { effectiveTimeoutSeconds } from '../../shared/config.js';
import type { ExperimentRunResult } from '../../shared/experiment.js';
import { isoNow, lastOutput, runningExperiment, type RunContext, type SlotState } from './context.js';
import { mean, sampleStdDev } from './decide.js';
import { restoreFiles } from '../agent/diff-guard.js';
import { failureOf, measure, trainingMs, type Measurement } from './measure.js';
import { changedProtectedFiles } from './protected-files.js';

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

/** Measures experiment 0; false when it failed (the run cannot compare anything without it). */
export async function runBaseline(ctx: RunContext, slot: SlotState): Promise<boolean> {
  const { record } = ctx;
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
  await ctx.append({ type: 'experiment-start', at: startedAt, experiment: base });
  ctx.setPhase(slot, 'running', { experimentId: 0, description: 'baseline', experimentStartedAt: startedAt, metricsSoFar: {} });
  const runs: ExperimentRunResult[] = [];
  let last: Measurement | null = null;
  for (let i = 0; i < ctx.config.acceptance.baselineRuns; i++) {
    if (i > 0) ctx.setPhase(slot, 'confirming');
    last = await measure(ctx, slot, 0, i);
    runs.push(last.result);
    // The baseline is checked like every candidate: a trainer that rewrites the evaluator while it runs
    // would otherwise set a bar no honest candidate can be measured against.
    const tampered = await changedProtectedFiles(slot.worktree, ctx.protectedHashes());
    if (tampered.length) {
      await restoreFiles(slot.worktree, record.startCommit, tampered);
      const error = `The baseline was rejected: its run changed protected files: ${tampered.join(', ')}. Its result is not trusted (the files were restored). Make the run command leave them unchanged, or stop protecting them.`;
      const timings = { ...base.timings, trainingMs: trainingMs(runs) };
      await ctx.finish(slot, { ...ctx.current(0), status: 'rejected', error, runs, timings }, last.tail);
      return false;
    }
    const failure = failureOf(ctx.config, last);
    if (failure) {
      const timings = { ...base.timings, trainingMs: trainingMs(runs) };
      // A stop is no failure of the code: the baseline is measured again when the run resumes.
      const error =
        failure.status === 'interrupted'
          ? `The baseline was interrupted (${failure.error.replace(/\.$/, '').toLowerCase()}); it is measured again when the run resumes.`
          : `The baseline failed. ${failure.error}`;
      await ctx.finish(slot, { ...ctx.current(0), status: failure.status, error, runs, timings }, last.tail);
      return false;
    }
  }
  const values = runs.map((r) => r.metric!);
  await ctx.append({ type: 'noise-floor', at: isoNow(), values, spread: sampleStdDev(values) });
  const ended = await ctx.finish(
    slot,
    { ...ctx.current(0), status: 'keep', metric: mean(values), metrics: last!.result.metrics, runs, timings: { ...base.timings, trainingMs: trainingMs(runs) } },
    null,
  );
  await ctx.append({ type: 'best', at: isoNow(), id: 0, commit: record.startCommit, metric: ended.metric! });
  return true;
}
