// The audit of a run's result: the baseline commit and the best commit run again, K times each, interleaved
// (A B A B …, so slow drift of the machine hits both), in the run's slots; the paired gains give the
// improvement with a 95 % interval. It is appended to the run's journal, where both reports find it.
// When config.seed varies the seed, pair p runs both sides under seed p + 1: the interval then spans the
// seed's noise (identical reruns of a seeded trainer agree exactly, which would make any gain look certain).
import { effectiveTimeoutSeconds, type ProjectConfig } from '../../shared/config.js';
import { improvement } from '../../shared/experiment.js';
import type { AuditEvent } from '../../shared/journal.js';
import { restoreFiles } from '../agent/diff-guard.js';
import type { JobRef } from '../exec/executor.js';
import { slotExecutors } from '../exec/executor-for-slot.js';
import { sandboxMode } from '../exec/sandbox.js';
import { commandSandbox, removeSandboxState, slotSandboxState } from './sandbox-spec.js';
import { resetTo } from '../git/reset-to.js';
import { openJournalWriter } from '../journal/append.js';
import { readRunRecord } from '../journal/read.js';
import { experimentEnv } from './experiment-env.js';
import { withSeedLine } from './measure.js';
import { launchWithSeed, seedsFor, seedVaries } from '../project/seed-launch.js';
import { changedProtectedFiles, protectedHashesAt } from './protected-files.js';
import { acquireLock, releaseLock } from '../project/run-lock.js';
import { createMetricScanner, readJsonMetric } from '../metric/index.js';
import { runPaths } from '../project/paths.js';
import { mean, sampleStdDev } from '../stats/summary.js';
import { studentTQuantile } from '../stats/student-t.js';

export const DEFAULT_AUDIT_REPEATS = 5;

export class AuditError extends Error {}

export interface AuditProgress {
  readonly pair: number;
  readonly side: 'baseline' | 'best';
  /** The measured value, or null when the run failed (the reason in `error`). */
  readonly value: number | null;
  readonly error: string | null;
}

export interface AuditOptions {
  readonly projectDir: string;
  readonly tag: string;
  readonly repeats?: number;
  readonly env: NodeJS.ProcessEnv;
  readonly nodePath: string;
  readonly nodeEnv?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly onProgress?: (p: AuditProgress) => void;
  /** Set when the run itself calls the audit and already holds the run lock. */
  readonly lockHeld?: boolean;
}

/** Mean paired gain and its 95 % interval (Student-t with pairs − 1 degrees of freedom). */
export function pairedInterval(baseline: readonly number[], best: readonly number[], direction: 'min' | 'max'): { improvement: number; ciLow: number; ciHigh: number } {
  const gains = best.map((b, i) => improvement(b, baseline[i]!, direction));
  const m = mean(gains);
  const half = studentTQuantile(0.975, gains.length - 1) * (sampleStdDev(gains) / Math.sqrt(gains.length));
  return { improvement: m, ciLow: m - half, ciHigh: m + half };
}

export async function auditRun(opts: AuditOptions): Promise<AuditEvent> {
  const repeats = opts.repeats ?? DEFAULT_AUDIT_REPEATS;
  if (!Number.isInteger(repeats) || repeats < 2 || repeats > 100) throw new AuditError(`--repeats must be a whole number from 2 to 100 (got ${repeats}): an interval needs at least two pairs.`);
  const rec = await readRunRecord(opts.projectDir, opts.tag);
  if (rec.bestId === null || rec.bestCommit === null) throw new AuditError(`Run ${opts.tag} has no measured baseline yet, so there is nothing to audit.`);
  if (rec.bestId === 0 || rec.bestCommit === rec.startCommit) throw new AuditError(`Run ${opts.tag} kept no change: its best is the baseline, so there is no improvement to audit.`);
  const config: ProjectConfig = rec.config;
  const baselineExp = rec.experiments.get(0);
  const recordedImprovement = baselineExp?.metric !== null && baselineExp?.metric !== undefined && rec.best !== null ? improvement(rec.best, baselineExp.metric, config.metric.direction) : null;
  const paths = runPaths(opts.projectDir, opts.tag);
  const auditNo = rec.audits.length + 1;

  if (!opts.lockHeld) await acquireLock(opts.projectDir, opts.tag);
  const journal = await openJournalWriter(paths.journal);
  try {
    const hashes = await protectedHashesAt(opts.projectDir, rec.startCommit, config.files.protected);
    // The trainer is agent-written code: it runs under the same sandbox as in the loop.
    const sandbox = await sandboxMode(opts.env);
    const slots = config.slots.map((_, i) => i);
    // Each slot's commands run where that slot's experiments ran (this machine, Slurm, an SSH host).
    const executors = slotExecutors({ projectDir: opts.projectDir, config, env: opts.env });
    const worktrees = await Promise.all(slots.map(async (i) => (await executors[i]!.prepareWorkspace(i, rec.startCommit)).path));
    const commits = { baseline: rec.startCommit, best: rec.bestCommit };
    // Audit processes are journaled under the best's id (ids are never negative), so an orphan sweep finds them.
    const bestId = rec.bestId;
    const results: { baseline: number | null; best: number | null }[] = Array.from({ length: repeats }, () => ({ baseline: null, best: null }));
    const seeds = seedVaries(config.seed) ? seedsFor(repeats) : null;

    const measureOnce = async (slot: number, pair: number, side: 'baseline' | 'best'): Promise<number | null> => {
      const worktree = worktrees[slot]!;
      await resetTo(worktree, commits[side], config.files.linked);
      const scanner = createMetricScanner(config.metric);
      const startedAt = Date.now();
      const logRel = `logs/audit-${auditNo}.${pair + 1}.${side}.log`;
      let started: JobRef | null = null;
      const seed = seeds?.[pair] ?? null;
      let launch: Awaited<ReturnType<typeof launchWithSeed>>;
      try {
        launch = await launchWithSeed(config.seed, config.run.command, seed, worktree);
      } catch (err) {
        opts.onProgress?.({ pair, side, value: null, error: (err as Error).message });
        return null;
      }
      const nodeEnv = { ...opts.nodeEnv, ...launch.env };
      const r = await executors[slot]!.run({
        command: withSeedLine(config.seed, launch.command, seed),
        cwd: worktree,
        env: experimentEnv({ base: opts.env, config, slot, tag: opts.tag, id: bestId, runDir: paths.dir, nodePath: opts.nodePath, ...(Object.keys(nodeEnv).length ? { nodeEnv } : {}) }),
        logFile: paths.abs(logRel),
        logMaxBytes: config.logMaxBytes,
        timeoutMs: effectiveTimeoutSeconds(config) * 1000,
        graceMs: config.budget.graceSeconds * 1000,
        ...(opts.signal ? { signal: opts.signal } : {}),
        sandbox: sandbox.bwrap ? { bwrap: sandbox.bwrap, spec: commandSandbox(opts.projectDir, worktree, config, opts.env, 'trainer', slotSandboxState(opts.projectDir, opts.tag, slot)) } : null,
        onStart: async (p) => {
          started = p;
          await journal.append({ type: 'process-start', at: new Date().toISOString(), id: bestId, pid: p.pid, pgid: p.pgid, what: 'run', slot, ...(p.remote ? { remote: p.remote } : {}) });
        },
        onOutput: (text) => scanner.push(text),
      }).finally(() => launch.restore());
      const ended = started as JobRef | null;
      if (ended) await journal.append({ type: 'process-end', at: new Date().toISOString(), id: bestId, pgid: ended.pgid, ...(ended.remote ? { remote: ended.remote } : {}) });
      scanner.end();
      let scan = scanner.scan();
      if (config.metric.extract.kind === 'json' && !r.spawnError) scan = await readJsonMetric(config.metric as Parameters<typeof readJsonMetric>[0], worktree, { writtenAfter: startedAt });
      const tampered = await changedProtectedFiles(worktree, hashes);
      let error: string | null = null;
      if (tampered.length) {
        await restoreFiles(worktree, rec.startCommit, tampered);
        error = `it changed protected files (${tampered.join(', ')}); see ${paths.abs(logRel)}`;
      } else if (r.aborted) error = 'stopped';
      else if (r.timedOut) error = `timed out; see ${paths.abs(logRel)}`;
      else if (r.exitCode !== 0 || scan.value === null) error = `${r.spawnError ?? (r.exitCode !== 0 ? `exit code ${r.exitCode}` : `no ${config.metric.name} in the output`)}; see ${paths.abs(logRel)}`;
      opts.onProgress?.({ pair, side, value: error ? null : scan.value, error });
      return error ? null : scan.value;
    };

    // Each slot takes the next pair and runs its baseline, then its best: A B A B … in time on every slot.
    let next = 0;
    await Promise.all(
      slots.map(async (slot) => {
        while (next < repeats && !opts.signal?.aborted) {
          const pair = next++;
          const a = await measureOnce(slot, pair, 'baseline');
          if (opts.signal?.aborted) return;
          const b = await measureOnce(slot, pair, 'best');
          results[pair] = { baseline: a, best: b };
        }
      }),
    );
    if (opts.signal?.aborted) throw new AuditError('The audit was stopped before it finished; nothing was recorded.');
    const complete = results.filter((p): p is { baseline: number; best: number } => p.baseline !== null && p.best !== null);
    if (complete.length < 2) throw new AuditError(`Only ${complete.length} of ${repeats} pairs of runs succeeded, too few for an interval. See the audit logs in ${paths.logsDir}.`);
    const baseline = complete.map((p) => p.baseline);
    const best = complete.map((p) => p.best);
    const { improvement: gain, ciLow, ciHigh } = pairedInterval(baseline, best, config.metric.direction);
    const event: AuditEvent = {
      type: 'audit',
      at: new Date().toISOString(),
      bestId: rec.bestId,
      baselineCommit: rec.startCommit,
      bestCommit: rec.bestCommit,
      repeats,
      baseline,
      best,
      failedPairs: repeats - complete.length,
      improvement: gain,
      ciLow,
      ciHigh,
      recordedImprovement,
      confirmed: ciLow > 0,
      ...(seeds ? { seeds: results.flatMap((p, i) => (p.baseline !== null && p.best !== null ? [seeds[i]!] : [])) } : {}),
    };
    await journal.append(event);
    return event;
  } finally {
    await journal.close();
    // An audit on its own owns its slots' /tmp and caches; inside a run, the run's end removes them.
    if (!opts.lockHeld) await removeSandboxState(opts.projectDir, opts.tag).catch(() => undefined);
    if (!opts.lockHeld) await releaseLock(opts.projectDir);
  }
}
