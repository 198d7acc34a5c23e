// The report model: everything a report says, computed once from a run (journal or results.tsv), so the
// HTML and the Markdown renderers only lay it out and can never disagree about a figure.
import type { Ablation } from '../../shared/ablation.js';
import type { Experiment, ExperimentStatus, KeepConfidence } from '../../shared/experiment.js';
import type { AuditEvent } from '../../shared/journal.js';
import { buildProgress, progressTitle, summarizeRun, type Direction, type ProgressModel, type RunFigures } from '../../shared/progress.js';
import { heldoutCell, type HeldoutSummary } from '../../shared/heldout-text.js';
import type { SlotUsageFigures } from '../../shared/slot-usage.js';
import { experimentChange, metricChange, type Change } from '../../shared/wording.js';

export { directionWords } from '../../shared/wording.js';

export type ReportSource =
  | {
      readonly kind: 'project';
      readonly projectDir: string;
      readonly projectName: string;
      readonly tag: string;
      readonly branch: string;
      readonly startCommit: string;
      readonly proposer: string;
      readonly stopReason: string | null;
      readonly stopMessage: string | null;
    }
  | { readonly kind: 'tsv'; readonly fileName: string };

/** How peak memory is found in an experiment's metrics: a key and its unit. */
export interface MemoryMetric {
  readonly key: string;
  readonly unit: 'mb' | 'gb';
}

export interface ReportInput {
  readonly source: ReportSource;
  readonly metricName: string;
  readonly direction: Direction;
  readonly experiments: readonly Experiment[];
  /** Standard deviation of the baseline repeats; null when the baseline ran once. */
  readonly noiseFloor?: number | null;
  /** The run's best as the journal's fold holds it (absent for a results.tsv: progress.ts's currentBest finds it). */
  readonly bestId?: number | null;
  /** The latest audit of the result (autoresearch audit); null or absent when none. */
  readonly audit?: AuditEvent | null;
  /** The held-out check's baseline and best, with its warning (config.heldout); null or absent when none. */
  readonly heldout?: HeldoutSummary | null;
  /** The run's ablation (runs/<tag>/ablation.json); null or absent when none was made. */
  readonly ablation?: Ablation | null;
  /** Per slot: trainer time and where the idle time went (a run's journal; absent for a results.tsv). */
  readonly usage?: readonly SlotUsageFigures[] | null;
  readonly memory?: MemoryMetric | null;
  /** Unified diffs of kept improvements against their parent, by experiment id. */
  readonly diffs?: ReadonlyMap<number, DiffText>;
  /** ISO time; injected so tests are stable. */
  readonly generatedAt: string;
  readonly appVersion?: string;
  readonly warnings?: readonly string[];
  /** Longest diff shown per improvement, in characters; the rest is cut with a note. */
  readonly maxDiffChars?: number;
  /** All diffs together, in characters; later improvements then only link to their commit. */
  readonly maxTotalDiffChars?: number;
}

export type DiffText = { readonly ok: true; readonly text: string } | { readonly ok: false; readonly reason: string };

export interface KeptImprovement {
  readonly id: number;
  readonly commit: string | null;
  readonly parentCommit: string;
  readonly description: string;
  readonly hypothesis: string;
  readonly metric: number;
  readonly previousBest: number | null;
  /** Positive = better, metric units (for ranking). */
  readonly gain: number | null;
  /** The metric against previousBest, as every place states a change (wording.ts). */
  readonly change: Change | null;
  /** How far the gain stood above the noise when it was kept (null for a results.tsv import or an older journal). */
  readonly confidence: KeepConfidence | null;
  readonly changedFiles: readonly string[];
  /** The diff to show, possibly cut; null when there is none (results.tsv import, commit missing). */
  readonly diff: string | null;
  /** Why the diff is missing or cut, for the reader. */
  readonly diffNote: string | null;
}

export interface ReportRow {
  readonly id: number;
  readonly commit: string | null;
  readonly status: ExperimentStatus;
  readonly isBaseline: boolean;
  readonly metric: number | null;
  /** The metric against the best before this experiment (wording.ts); null for the baseline or without a metric. */
  readonly change: Change | null;
  readonly memoryGb: number | null;
  readonly trainingMs: number | null;
  readonly costUsd: number | null;
  readonly description: string;
  readonly error: string | null;
  /** The held-out cell (a value, "failed" with why, or empty); null when the run has no held-out check. */
  readonly heldout: { readonly text: string; readonly title: string | null } | null;
}

export interface ReportModel {
  readonly title: string;
  readonly chartTitle: string;
  readonly source: ReportSource;
  readonly metricName: string;
  readonly direction: Direction;
  readonly generatedAt: string;
  readonly appVersion: string | null;
  readonly figures: RunFigures;
  readonly progress: ProgressModel;
  readonly noiseFloor: number | null;
  readonly audit: AuditEvent | null;
  readonly heldout: HeldoutSummary | null;
  /** Per slot: trainer time and where the idle time went; null when unknown (a results.tsv). */
  readonly usage: readonly SlotUsageFigures[] | null;
  readonly ablation: Ablation | null;
  /** The run's best id as the journal holds it (null for a results.tsv), to say when an ablation is of an older best. */
  readonly bestId: number | null;
  readonly improvements: readonly KeptImprovement[];
  readonly rows: readonly ReportRow[];
  readonly warnings: readonly string[];
}

const DEFAULT_MAX_DIFF_CHARS = 60_000;
const DEFAULT_MAX_TOTAL_DIFF_CHARS = 6_000_000;

function memoryGbOf(e: Experiment, memory: MemoryMetric | null | undefined): number | null {
  if (!memory || e.metric === null) return null;
  const v = e.metrics[memory.key];
  if (v === undefined || !Number.isFinite(v)) return null;
  return memory.unit === 'mb' ? v / 1024 : v;
}

function cutDiff(diff: DiffText | undefined, max: number, hasCommit: boolean, fromTsv: boolean): { diff: string | null; note: string | null } {
  if (!diff) {
    if (fromTsv) return { diff: null, note: null };
    return { diff: null, note: hasCommit ? 'The diff was not loaded.' : 'Nothing was committed for this experiment.' };
  }
  if (!diff.ok) return { diff: null, note: diff.reason };
  if (diff.text.trim() === '') return { diff: null, note: 'The commit changes no file (empty diff).' };
  if (diff.text.length <= max) return { diff: diff.text, note: null };
  // Cut at a line end so the last line shown is whole.
  const cut = diff.text.lastIndexOf('\n', max);
  const shown = diff.text.slice(0, cut > 0 ? cut + 1 : max);
  const hidden = diff.text.length - shown.length;
  return { diff: shown, note: `The diff is long; the last ${hidden.toLocaleString('en-US')} characters are not shown. See the commit for all of it.` };
}

export function buildReportModel(input: ReportInput): ReportModel {
  const progress = buildProgress(input.experiments, input.direction, { noiseFloor: input.noiseFloor ?? null });
  const figures = summarizeRun(input.experiments, input.direction, { bestId: input.bestId ?? null });
  const byId = new Map<number, Experiment>();
  for (const e of input.experiments) byId.set(e.id, e);
  const maxDiff = input.maxDiffChars ?? DEFAULT_MAX_DIFF_CHARS;
  const fromTsv = input.source.kind === 'tsv';

  const maxTotal = input.maxTotalDiffChars ?? DEFAULT_MAX_TOTAL_DIFF_CHARS;
  let totalDiff = 0;

  const improvements: KeptImprovement[] = [];
  for (const k of progress.kept) {
    if (k.isBaseline) continue;
    const e = byId.get(k.x)!;
    let { diff, note } = cutDiff(input.diffs?.get(e.id), maxDiff, e.commit !== null, fromTsv);
    if (diff !== null) {
      if (totalDiff + diff.length > maxTotal) {
        // A run with thousands of keeps would make a report nobody can open; the commit still has it all.
        diff = null;
        note = 'Not shown: the report already holds as much diff text as it reasonably can. See the commit for this change.';
      } else totalDiff += diff.length;
    }
    improvements.push({
      id: e.id,
      commit: e.commit,
      parentCommit: e.parentCommit,
      description: e.description,
      hypothesis: e.hypothesis,
      metric: k.y,
      previousBest: k.previousBest,
      gain: k.gain,
      change: metricChange(e.measuredAtDecision?.metric ?? k.y, k.previousBest, input.direction),
      changedFiles: e.changedFiles,
      confidence: e.confidence ?? null,
      diff,
      diffNote: note,
    });
  }

  const rows: ReportRow[] = progress.points.map((p, i) => {
    const e = byId.get(p.x)!;
    // An imported results.tsv records no bestBefore: the running best before the row is what it was judged against.
    const change = p.isBaseline ? null : experimentChange({ kind: e.kind, metric: p.y, bestBefore: e.bestBefore, measuredAtDecision: e.measuredAtDecision ?? null }, input.direction, i > 0 ? progress.runningBest[i - 1]! : null);
    return {
      id: e.id,
      commit: e.commit,
      status: e.status,
      isBaseline: p.isBaseline,
      metric: p.y,
      change,
      memoryGb: memoryGbOf(e, input.memory),
      trainingMs: e.timings.trainingMs,
      costUsd: e.usage?.costUsd ?? null,
      description: e.description,
      error: e.error,
      heldout: input.heldout ? heldoutCell(e) : null,
    };
  });

  const title =
    input.source.kind === 'project' ? `${input.source.projectName} · ${input.source.tag}` : input.source.fileName;
  return {
    title,
    chartTitle: progressTitle(figures),
    source: input.source,
    metricName: input.metricName,
    direction: input.direction,
    generatedAt: input.generatedAt,
    appVersion: input.appVersion ?? null,
    figures,
    progress,
    noiseFloor: progress.noiseBand?.spread ?? null,
    audit: input.audit ?? null,
    usage: input.usage && input.usage.length > 0 ? input.usage : null,
    heldout: input.heldout ?? null,
    ablation: input.ablation ?? null,
    bestId: input.bestId ?? null,
    improvements,
    rows,
    warnings: input.warnings ?? [],
  };
}
