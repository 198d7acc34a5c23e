// A report from a run in a project: the journal is the source of truth (readRunRecord), each kept
// improvement's diff comes from git (its parent commit → its commit), which the loop keeps reachable
// under refs/autoresearch/<tag>/<id> so it can be shown forever.
import path from 'node:path';
import type { Experiment } from '../../shared/experiment.js';
import { heldoutSummary } from '../../shared/heldout-text.js';
import { usageAt } from '../../shared/slot-usage.js';
import { diffCommits } from '../git/diff.js';
import { readRunRecord } from '../journal/read.js';
import { toRunDetail } from '../journal/fold.js';
import { readAblation } from './ablation-file.js';
import type { DiffText, MemoryMetric, ReportInput } from './model.js';

export interface LoadReportOptions {
  /** ISO time for "generated at"; injected by tests. */
  readonly now?: () => Date;
  readonly appVersion?: string;
  /** Parallel `git diff` processes. */
  readonly concurrency?: number;
}

async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.trim().split('\n')[0] ?? text;
}

async function diffOf(projectDir: string, e: Experiment): Promise<DiffText | null> {
  if (!e.commit) return null;
  if (!e.parentCommit) return { ok: false, reason: 'The parent commit is not recorded, so the diff cannot be shown.' };
  try {
    return { ok: true, text: await diffCommits(projectDir, e.parentCommit, e.commit) };
  } catch (err) {
    return {
      ok: false,
      reason: `The diff could not be read from git (${firstLine(err)}). The commit may have been removed from the repository (e.g. by git gc after deleting refs/autoresearch).`,
    };
  }
}

export async function loadReportFromProject(projectDir: string, tag: string, options: LoadReportOptions = {}): Promise<ReportInput> {
  const rec = await readRunRecord(projectDir, tag);
  const detail = toRunDetail(rec);
  const warnings: string[] = [];
  if (rec.badLines.length) {
    const shown = rec.badLines.slice(0, 10).join(', ');
    warnings.push(
      `${rec.badLines.length} line${rec.badLines.length === 1 ? '' : 's'} of the journal could not be read (line ${shown}${rec.badLines.length > 10 ? ', …' : ''}) and ${rec.badLines.length === 1 ? 'is' : 'are'} left out of this report.`,
    );
  }
  const config = rec.config as typeof rec.config | undefined;
  if (!config) warnings.push('The journal has no run-start event, so the metric name and direction are unknown; "lower is better" is assumed.');
  const metricName = config?.metric.name ?? 'metric';
  const direction = config?.metric.direction ?? 'min';
  const memoryKey = config?.metric.memoryMb ?? null;
  const memory: MemoryMetric | null = memoryKey ? { key: memoryKey, unit: 'mb' } : null;

  const kept = detail.experiments.filter((e) => e.status === 'keep' && e.kind !== 'baseline');
  const diffs = new Map<number, DiffText>();
  const found = await mapLimit(kept, options.concurrency ?? 4, (e) => diffOf(projectDir, e));
  kept.forEach((e, i) => {
    const d = found[i];
    if (d) diffs.set(e.id, d);
  });

  // A damaged ablation.json costs its section, not the report.
  const ablation = await readAblation(projectDir, tag).catch((err: Error) => {
    warnings.push(err.message);
    return null;
  });

  return {
    source: {
      kind: 'project',
      projectDir: path.resolve(projectDir),
      projectName: path.basename(path.resolve(projectDir)),
      tag: detail.tag || tag,
      branch: detail.branch || `autoresearch/${tag}`,
      startCommit: detail.startCommit,
      proposer: detail.proposer || 'unknown',
      stopReason: detail.stopReason,
      stopMessage: detail.stopMessage,
    },
    metricName,
    direction,
    experiments: detail.experiments,
    noiseFloor: detail.noiseFloor,
    bestId: detail.bestId,
    audit: detail.audit ?? null,
    heldout: config ? heldoutSummary(config, detail.experiments, detail.bestId) : null,
    // A stopped run's sessions are all closed, so the time passed in does not matter; a live one's count to now.
    usage: detail.usage ? usageAt(detail.usage, Date.now()) : null,
    ablation,
    memory,
    diffs,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    ...(options.appVersion ? { appVersion: options.appVersion } : {}),
    warnings,
  };
}
