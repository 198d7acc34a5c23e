// Measuring: one execution of the run command, its output streamed to the log, the UI and the metric
// scanner; then what it means (a number, or crash / timeout / interrupted with a message to act on).
import { effectiveTimeoutSeconds, type ProjectConfig } from '../../shared/config.js';
import type { ExperimentRunResult, ExperimentStatus } from '../../shared/experiment.js';
import type { SeedConfig } from '../../shared/config-seed.js';
import { createMetricScanner, explainMissingMetric, readJsonMetric, type MetricScan } from '../metric/index.js';
import { launchWithSeed, seedVaries, type SeededLaunch } from '../project/seed-launch.js';
import { lastOutput, type RunIdentity, type RunLiveView, type RunProcesses, type SlotState } from './context.js';
import type { EarlyStopInfo } from '../../shared/config-early-stop.js';
import { watchCurve, type CurveJudge } from './early-stop.js';
import { createLogBatcher } from './log-batcher.js';

export interface Measurement {
  readonly result: ExperimentRunResult;
  readonly scan: MetricScan;
  readonly tail: string;
  readonly aborted: boolean;
  readonly spawnError: string | null;
  /** The executor lost track of the command (a host that stopped answering): why. */
  readonly lost?: string | null;
  /** The early-stop judge stopped it (its process tree was killed): where and why. */
  readonly stoppedEarly?: EarlyStopInfo | null;
}

/** What measuring needs of the run. */
export type MeasureContext = Pick<RunIdentity, 'config' | 'paths'> & Pick<RunLiveView, 'emit' | 'emitLive'> & Pick<RunProcesses, 'runProcess'>;

/** How one run is told its seed, as the first line of its log says it: "seed 3 (SEED=3)". */
export function seedLine(setting: SeedConfig | null | undefined, seed: number): string {
  if (!seedVaries(setting)) return `seed ${seed}`;
  const how = setting.kind === 'env' ? `${setting.name}=${seed}` : setting.kind === 'arg' ? `${setting.flag} ${seed}` : `${setting.name} = ${seed} in ${setting.file}`;
  return `seed ${seed} (${how})`;
}

const shellQuote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** The command with the seed's line printed first (through the shell, so the live log and the log file both start with it). */
export function withSeedLine(setting: SeedConfig | null | undefined, command: string, seed: number | null): string {
  return seed === null ? command : `printf '%s\\n' ${shellQuote(seedLine(setting, seed))}; ${command}`;
}

/**
 * One run of the run command. `seed` (when config.seed varies it) is applied the way the project sets it
 * (seed-launch.ts), written as the first line of the log and recorded with the result; a constant rewritten in
 * the worktree is put back after the run, so the protected-file and diff checks never see the harness's edit.
 */
export async function measure(ctx: MeasureContext, slot: SlotState, id: number, runIndex: number, seed: number | null = null, judge: CurveJudge | null = null): Promise<Measurement> {
  const { config } = ctx;
  const logRel = ctx.paths.logRel(id, runIndex);
  const seeded = seed !== null && seedVaries(config.seed) ? seed : null;
  let launch: SeededLaunch;
  try {
    launch = await launchWithSeed(config.seed, config.run.command, seeded, slot.worktree);
  } catch (err) {
    const why = (err as Error).message;
    const result = { metric: null, metrics: {}, exitCode: null, signal: null, timedOut: false, durationMs: 0, logPath: logRel, seed: seeded };
    return { result, scan: { value: null, metrics: {}, invalid: null, matched: null }, tail: '', aborted: false, spawnError: `${why}.`, lost: null };
  }
  const command = withSeedLine(config.seed, launch.command, seeded);
  try {
    return await measureCommand(ctx, slot, id, logRel, command, launch.env, seeded, judge);
  } finally {
    await launch.restore();
  }
}

async function measureCommand(ctx: MeasureContext, slot: SlotState, id: number, logRel: string, command: string, env: Readonly<Record<string, string>>, seed: number | null, judge: CurveJudge | null): Promise<Measurement> {
  const { config } = ctx;
  const scanner = createMetricScanner(config.metric);
  let metricsDirty = false;
  // The UI gets output in batches, and the metrics parsed so far with each batch.
  const batcher = createLogBatcher((text) => {
    ctx.emit({ kind: 'log', id, text });
    if (metricsDirty) {
      metricsDirty = false;
      slot.metricsSoFar = { ...scanner.scan().metrics };
      ctx.emitLive();
    }
  });
  const launchedAt = Date.now();
  // The run's curve (config.earlyStop.pattern), and with a judge the early stop: its signal kills this run only.
  const curve = watchCurve(config, judge, launchedAt);
  const result = await ctx.runProcess({
    what: 'run',
    id,
    slot,
    command,
    cwd: slot.worktree,
    logRel,
    ...(Object.keys(env).length ? { env } : {}),
    timeoutMs: effectiveTimeoutSeconds(config) * 1000,
    ...(curve && judge ? { signal: curve.signal } : {}),
    onOutput: (text) => {
      scanner.push(text);
      curve?.push(text);
      metricsDirty = true;
      batcher.push(text);
    },
  });
  batcher.flush();
  batcher.dispose();
  scanner.end();
  curve?.end();
  const stoppedEarly = curve?.stopped() ?? null;
  let scan = scanner.scan();
  if (config.metric.extract.kind === 'json' && !result.spawnError) {
    // A results file left by an earlier experiment must not stand in for this one's.
    const fromJson = await readJsonMetric(config.metric as Parameters<typeof readJsonMetric>[0], slot.worktree, { writtenAfter: launchedAt });
    scan = { ...fromJson, metrics: { ...scan.metrics, ...fromJson.metrics } };
  }
  return {
    result: {
      metric: scan.value,
      metrics: scan.metrics,
      exitCode: result.exitCode,
      signal: result.signal,
      timedOut: result.timedOut,
      durationMs: result.durationMs,
      logPath: logRel,
      ...(seed !== null ? { seed } : {}),
      ...curve?.fields(),
    },
    scan,
    tail: result.tail,
    // Killed by its own early stop, not by a user's stop (train.ts records it as stopped-early).
    aborted: result.aborted && !stoppedEarly,
    stoppedEarly,
    spawnError: result.spawnError,
    lost: result.interrupted ?? null,
  };
}

/** crash / timeout / interrupted, with the message a user can act on; null when the run measured a number. */
export function failureOf(config: ProjectConfig, m: Measurement): { status: ExperimentStatus; error: string } | null {
  if (m.aborted) return { status: 'interrupted', error: 'Stopped by the user while running.' };
  if (m.lost) return { status: 'interrupted', error: m.lost };
  if (m.spawnError) return { status: 'crash', error: m.spawnError };
  if (m.result.timedOut) {
    return {
      status: 'timeout',
      error: `Killed after the ${effectiveTimeoutSeconds(config)} s timeout (budget ${config.budget.seconds} s).${lastOutput(m.tail)}`,
    };
  }
  if (m.scan.invalid) {
    return { status: 'crash', error: `${config.metric.name} was ${m.scan.invalid === 'nan' ? 'NaN' : 'infinite'} (training diverged).` };
  }
  if (m.result.exitCode !== 0) {
    const how = m.result.exitCode === null ? `was killed by ${m.result.signal}` : `exited with code ${m.result.exitCode}`;
    return { status: 'crash', error: `The command ${how}.${lastOutput(m.tail)}` };
  }
  if (m.scan.value === null) {
    return { status: 'crash', error: explainMissingMetric(config.metric, m.scan, m.tail) };
  }
  return null;
}

/** Wall time of all the runs of an experiment. */
export function trainingMs(runs: readonly ExperimentRunResult[]): number {
  return runs.reduce((s, r) => s + r.durationMs, 0);
}
