import path from 'node:path';
// How the CLI prints experiments and runs: one dense line each, aligned, no colour codes (logs stay clean).
import type { RunSummary } from '../shared/api.js';
import type { Experiment } from '../shared/experiment.js';
import { directionWords, experimentChange, formatChange, formatEstimate, formatKept, formatMetric, plural, runImprovement } from '../shared/wording.js';
import { formatDurationMs } from '../core/report/format.js';

export { formatDurationMs, formatMetric };

/** "-0.016127 (-1.62 %) better": the experiment's change against the best it was judged against (wording.ts). */
export function formatExperimentChange(e: Experiment, direction: 'min' | 'max'): string {
  const change = experimentChange(e, direction);
  return change ? formatChange(change) : '';
}

/** One line of an error: its first line, plus the last line of output when it introduces one. */
export function errorSummary(error: string): string {
  const lines = error.split('\n').map((l) => l.trim()).filter(Boolean);
  const first = lines[0] ?? '';
  const last = lines[lines.length - 1] ?? '';
  return first.endsWith(':') && lines.length > 1 ? `${first} ${last}` : first;
}

export function formatExperimentLine(e: Experiment, direction: 'min' | 'max'): string {
  const id = `#${e.id}`.padStart(5);
  const status = e.status.padEnd(11);
  const metric = formatMetric(e.metric).padStart(10);
  const change = formatExperimentChange(e, direction).padEnd(28);
  let text = e.description || '';
  if (e.error) text = `${text}${text ? ' — ' : ''}${errorSummary(e.error)}`;
  return `${id}  ${status} ${metric}  ${change} ${text}`.trimEnd();
}


/**
 * The best measured again (the noise rule's re-measurement): the new run and the estimate it gives, which
 * later changes are measured against. "       best #0 measured again: 1.521000; best now 1.506607 (mean of 4)".
 * `stillBest` is false when another experiment became the best while it ran.
 */
export function formatBestRemeasured(id: number, run: number | null, estimate: number | null, runs: number, stillBest: boolean): string {
  return `       best #${id} measured again: ${formatMetric(run)}; ${stillBest ? 'best' : `#${id}`} now ${formatEstimate(estimate, runs)}`;
}

/** `stateNote` replaces the bracketed state, e.g. for a run whose process was killed. */
export function formatRunSummary(r: RunSummary, stateNote?: string): string {
  const c = r.counts;
  const gain = runImprovement(r.baseline, r.best, r.direction);
  return [
    `${r.tag}  [${stateNote ?? r.state}]  branch ${r.branch}  proposer ${r.proposer}`,
    `  ${r.metricName} (${directionWords(r.direction)}): baseline ${formatMetric(r.baseline)} → best ${formatEstimate(r.best, r.bestRuns)}${r.bestId !== null ? ` at #${r.bestId}` : ''}${gain ? `, improvement ${formatChange(gain)}` : ''}`,
    // "kept" never counts the baseline; the total does, and says so.
    `  ${plural(c.total, 'experiment')} (baseline included): ${formatKept(r.keptImprovements)}, ${c.discard} discard, ${c.crash} crash, ${c.timeout} timeout, ${c.rejected} rejected, ${c.interrupted} interrupted${c.running ? `, ${c.running} running` : ''}`,
    `  tokens ${r.inputTokens.toLocaleString('en-US')} in / ${r.outputTokens.toLocaleString('en-US')} out, spend $${r.costUsd.toFixed(2)}, training ${formatDurationMs(r.trainingMs)}, elapsed ${formatDurationMs(r.elapsedMs)}`,
    r.stopReason ? `  stopped: ${r.stopReason} — ${(r.stopMessage ?? '').split('\n')[0]}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** A path as the user would type it from `cwd`: relative when inside it, absolute otherwise. */
export function shownPath(cwd: string, target: string): string {
  const rel = path.relative(cwd, target);
  return rel === '' ? '.' : rel.startsWith('..') || path.isAbsolute(rel) ? target : rel;
}
