// One measurement of the ablation: a commit run once in a slot's worktree under a given seed, through the slot's
// executor and the sandbox, its metric read the way the loop and the audit read it. The process is journaled
// (process-start before the wait, process-end after) under the best's id, so a restarted app's orphan sweep finds
// a trainer that a killed ablation left running.
import { effectiveTimeoutSeconds, type ProjectConfig } from '../../shared/config.js';
import { restoreFiles } from '../agent/diff-guard.js';
import type { Executor, JobRef } from '../exec/executor.js';
import { resetTo } from '../git/reset-to.js';
import type { JournalWriter } from '../journal/append.js';
import { experimentEnv } from '../loop/experiment-env.js';
import { changedProtectedFiles } from '../loop/protected-files.js';
import { commandSandbox } from '../loop/sandbox-spec.js';
import { createMetricScanner, readJsonMetric } from '../metric/index.js';
import { launchWithSeed } from '../project/seed-launch.js';
import type { runPaths } from '../project/paths.js';

export interface AblationBench {
  readonly projectDir: string;
  readonly tag: string;
  readonly config: ProjectConfig;
  readonly paths: ReturnType<typeof runPaths>;
  readonly startCommit: string;
  readonly bestId: number;
  readonly protectedHashes: Map<string, string>;
  readonly bwrap: string | null;
  readonly journal: JournalWriter;
  readonly env: NodeJS.ProcessEnv;
  readonly nodePath: string;
  readonly nodeEnv?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

export interface AblationJob {
  readonly slot: number;
  readonly executor: Executor;
  readonly worktree: string;
  readonly commit: string;
  readonly seed: number | null;
  /** The log file's name under logs/, e.g. "ablation.2.without-4". */
  readonly logName: string;
}

/** The metric's value, or why there is none. */
export type AblationMeasure = { readonly value: number } | { readonly error: string };

export async function measureForAblation(b: AblationBench, job: AblationJob): Promise<AblationMeasure> {
  const { config, paths } = b;
  await resetTo(job.worktree, job.commit, config.files.linked);
  // The seed is set for this run only (a constant is rewritten in the worktree and put back before the checks).
  const launch = await launchWithSeed(config.seed, config.run.command, job.seed, job.worktree);
  const scanner = createMetricScanner(config.metric);
  const startedAt = Date.now();
  const logRel = `logs/${job.logName}.log`;
  let started: JobRef | null = null;
  let r;
  try {
    r = await job.executor.run({
      command: launch.command,
      cwd: job.worktree,
      env: { ...experimentEnv({ base: b.env, config, slot: job.slot, tag: b.tag, id: b.bestId, runDir: paths.dir, nodePath: b.nodePath, ...(b.nodeEnv ? { nodeEnv: b.nodeEnv } : {}) }), ...launch.env },
      logFile: paths.abs(logRel),
      logMaxBytes: config.logMaxBytes,
      timeoutMs: effectiveTimeoutSeconds(config) * 1000,
      graceMs: config.budget.graceSeconds * 1000,
      ...(b.signal ? { signal: b.signal } : {}),
      // The trainer is agent-written code: the same sandbox as in the loop.
      sandbox: b.bwrap ? { bwrap: b.bwrap, spec: commandSandbox(b.projectDir, job.worktree, config, b.env, 'trainer') } : null,
      onStart: async (p) => {
        started = p;
        await b.journal.append({ type: 'process-start', at: new Date().toISOString(), id: b.bestId, pid: p.pid, pgid: p.pgid, what: 'run', slot: job.slot, ...(p.remote ? { remote: p.remote } : {}) });
      },
      onOutput: (text) => scanner.push(text),
    });
  } finally {
    await launch.restore();
  }
  const ended = started as JobRef | null;
  if (ended) await b.journal.append({ type: 'process-end', at: new Date().toISOString(), id: b.bestId, pgid: ended.pgid, ...(ended.remote ? { remote: ended.remote } : {}) });
  scanner.end();
  let scan = scanner.scan();
  if (config.metric.extract.kind === 'json' && !r.spawnError) scan = await readJsonMetric(config.metric as Parameters<typeof readJsonMetric>[0], job.worktree, { writtenAfter: startedAt });
  const tampered = await changedProtectedFiles(job.worktree, b.protectedHashes);
  if (tampered.length) {
    await restoreFiles(job.worktree, b.startCommit, tampered);
    return { error: `it changed protected files (${tampered.join(', ')}); see ${paths.abs(logRel)}` };
  }
  if (r.aborted) return { error: 'stopped' };
  if (r.timedOut) return { error: `timed out; see ${paths.abs(logRel)}` };
  if (r.exitCode !== 0 || scan.value === null) return { error: `${r.spawnError ?? (r.exitCode !== 0 ? `exit code ${r.exitCode}` : `no ${config.metric.name} in the output`)}; see ${paths.abs(logRel)}` };
  return { value: scan.value };
}
