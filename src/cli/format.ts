import path from 'node:path';
// How the CLI prints experiments and runs: one dense line each, aligned, no colour codes (logs stay clean).
import type { RunSummary } from '../shared/api.js';
import type { Experiment } from '../shared/experiment.js';
import { improvement } from '../shared/experiment.js';
import { formatDurationMs } from '../core/report/format.js';

export { formatDurationMs };

export function formatMetric(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(6);
}

/** "-0.016127 (-1.62%)" — the signed change of the metric itself; a better value shows `(better)`. */
export function formatChange(e: Experiment, direction: 'min' | 'max'): string {
  if (e.metric === null || e.bestBefore === null) return '';
  const delta = e.metric - e.bestBefore;
  const pct = e.bestBefore !== 0 ? (delta / Math.abs(e.bestBefore)) * 100 : 0;
  const better = improvement(e.metric, e.bestBefore, direction) > 0;
  return `${delta >= 0 ? '+' : ''}${delta.toFixed(6)} (${pct >= 0 ? '+' : ''}${pct.toFixed(2)}%${better ? ', better' : ''})`;
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
  const change = formatChange(e, direction).padEnd(30);
  let text = e.description || '';
  if (e.error) text = `${text}${text ? ' — ' : ''}${errorSummary(e.error)}`;
  return `${id}  ${status} ${metric}  ${change} ${text}`.trimEnd();
}


/** `stateNote` replaces the bracketed state, e.g. for a run whose process was killed. */
export function formatRunSummary(r: RunSummary, stateNote?: string): string {
  const c = r.counts;
  const pct = r.baseline !== null && r.best !== null && r.baseline !== 0 ? ((r.best - r.baseline) / Math.abs(r.baseline)) * 100 : null;
  return [
    `${r.tag}  [${stateNote ?? r.state}]  branch ${r.branch}  proposer ${r.proposer}`,
    `  ${r.metricName} (${r.direction === 'min' ? 'lower' : 'higher'} is better): baseline ${formatMetric(r.baseline)} → best ${formatMetric(r.best)}${pct !== null ? ` (${pct >= 0 ? '+' : ''}${pct.toFixed(2)}%)` : ''}${r.bestId !== null ? ` at #${r.bestId}` : ''}`,
    `  ${c.total} experiments: ${c.keep} keep, ${c.discard} discard, ${c.crash} crash, ${c.timeout} timeout, ${c.rejected} rejected, ${c.interrupted} interrupted${c.running ? `, ${c.running} running` : ''}`,
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
