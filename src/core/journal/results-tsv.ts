// results.tsv, the autoresearch-compatible mirror of the journal:
//   commit<TAB><metric name><TAB>memory_gb<TAB>status<TAB>description
// 7-char commit, metric to 6 decimals (0.000000 when there is none), memory in GB to 1 decimal.
// Only finished experiments appear; statuses beyond keep|discard|crash keep their own names
// (timeout, rejected, interrupted) so nothing is silently relabelled, except stopped-early: the reference loop
// has no such word, and a stopped run is a discard there, its description ending "(stopped early at step N)" and
// its metric 0.000000 (its intermediate number is not the metric; read-results-tsv.ts reads the row back as such).
import { describeEarlyStop, type MetricConfig } from '../../shared/config.js';
import type { Experiment } from '../../shared/experiment.js';
import { redact } from '../util/redact.js';
import { appendFileNoFollow, writeFileAtomic } from '../util/safe-fs.js';

export function resultsHeader(metric: MetricConfig): string {
  return ['commit', metric.name, 'memory_gb', 'status', 'description'].join('\t') + '\n';
}

/** Tabs and newlines would break the format; a description is one line. */
function oneLine(text: string): string {
  return redact(text).replace(/[\t\r\n]+/g, ' ').trim();
}

export function resultsRow(e: Experiment, metric: MetricConfig): string {
  // Only the experiment's own commit: one stopped before its proposal was committed (interrupted, rejected)
  // has none, and its parent's would show the start commit twice.
  const own = e.kind === 'baseline' ? (e.commit ?? e.parentCommit) : e.commit;
  const commit = (own ?? '').slice(0, 7) || '-------';
  if (e.status === 'stopped-early') {
    const where = e.earlyStop ? describeEarlyStop(e.earlyStop) : 'stopped early';
    return [commit, (0).toFixed(6), '0.0', 'discard', `${oneLine(e.description) || '-'} (${where})`].join('\t') + '\n';
  }
  const value = e.metric !== null && Number.isFinite(e.metric) ? e.metric.toFixed(6) : '0.000000';
  const memMb = metric.memoryMb ? e.metrics[metric.memoryMb] : undefined;
  const memory = e.metric !== null && memMb !== undefined && Number.isFinite(memMb) ? (memMb / 1024).toFixed(1) : '0.0';
  return [commit, value, memory, e.status, oneLine(e.description) || '-'].join('\t') + '\n';
}

export async function appendResultsRow(file: string, e: Experiment, metric: MetricConfig): Promise<void> {
  await appendFileNoFollow(file, resultsRow(e, metric));
}

/** Rewrite the whole file from the journal's experiments (on start and resume). */
export async function writeResults(file: string, experiments: Iterable<Experiment>, metric: MetricConfig): Promise<void> {
  let text = resultsHeader(metric);
  const finished = [...experiments].filter((e) => e.status !== 'running').sort((a, b) => a.id - b.id);
  for (const e of finished) text += resultsRow(e, metric);
  await writeFileAtomic(file, text);
}

/**
 * results.tsv as rendered rows, one per finished experiment, for a run that rewrites it while it goes (a best
 * measured again has a new mean). Replacing a row renders that one row: rendering every row again (redacting
 * each description) grew with the run, about a second at 10,000 experiments (bench/loop-overhead).
 */
export interface ResultsRows {
  /** The experiment's row, rendered again (added when it had none). */
  set(e: Experiment): void;
  /** The whole file: the header, then the rows by id. */
  text(): string;
}

export function resultsRows(experiments: Iterable<Experiment>, metric: MetricConfig): ResultsRows {
  const rows = new Map<number, string>();
  for (const e of experiments) if (e.status !== 'running') rows.set(e.id, resultsRow(e, metric));
  return {
    set: (e) => void (e.status === 'running' ? rows.delete(e.id) : rows.set(e.id, resultsRow(e, metric))),
    text: () => resultsHeader(metric) + [...rows.keys()].sort((a, b) => a - b).map((id) => rows.get(id)!).join(''),
  };
}

/** Replace the file with `rows` (a rewrite while the run goes on). */
export async function writeResultsRows(file: string, rows: ResultsRows): Promise<void> {
  await writeFileAtomic(file, rows.text());
}
