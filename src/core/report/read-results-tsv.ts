// Reads any autoresearch results.tsv (the reference loop's, ours, or one a user kept by hand) into
// experiment records, so the same report, chart and figures work for all of them.
//   commit<TAB><metric>\tmemory_gb<TAB>status<TAB>description   (+ any extra columns)
// The first data row is the baseline (the reference protocol runs the unchanged code first). A crash row
// carries 0.000000 only for compatibility: it becomes "no metric", never a value of 0.
import { EXPERIMENT_STATUSES, type Experiment, type ExperimentStatus } from '../../shared/experiment.js';

export interface ResultsTsv {
  /** The metric column's name from the header, e.g. val_bpb. */
  readonly metricName: string;
  /** Header names as written. */
  readonly columns: readonly string[];
  readonly experiments: readonly Experiment[];
  /** Things that were tolerated but that the user may want to know about. */
  readonly warnings: readonly string[];
}

export class ResultsTsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ResultsTsvError';
  }
}

const KNOWN_COLUMNS = new Set(['commit', 'memory_gb', 'status', 'description']);
const MEASURED: ReadonlySet<ExperimentStatus> = new Set(['keep', 'discard']);
const STATUSES: ReadonlySet<string> = new Set(EXPERIMENT_STATUSES);
const STOPPED_EARLY = /\(stopped early(?: at (?:step \d+|\d+ s))?\)$/;
const NO_COMMIT = new Set(['', '-', '-------']);

function parseNumber(text: string | undefined): number | null {
  if (text === undefined) return null;
  const t = text.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isFinite(n) ? n : null;
}

export function readResultsTsv(text: string): ResultsTsv {
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  let headerLine = -1;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i]!.trim() !== '') {
      headerLine = i;
      break;
    }
  }
  if (headerLine < 0) throw new ResultsTsvError('The file is empty. A results.tsv starts with a header such as: commit<TAB>val_bpb<TAB>memory_gb<TAB>status<TAB>description');

  const columns = lines[headerLine]!.split('\t').map((c) => c.trim());
  const lower = columns.map((c) => c.toLowerCase());
  if (columns.length < 2) {
    throw new ResultsTsvError(
      `The header "${lines[headerLine]!.slice(0, 80)}" has one column. results.tsv separates its columns with tabs (not commas or spaces); export it again with tabs.`,
    );
  }
  const statusCol = lower.indexOf('status');
  if (statusCol < 0) throw new ResultsTsvError(`The header has no "status" column (it has: ${columns.join(', ')}). A results.tsv needs commit, the metric, status and description.`);
  const commitCol = lower.indexOf('commit');
  const descriptionCol = lower.indexOf('description');
  const memoryCol = lower.indexOf('memory_gb');
  const metricCol = lower.findIndex((c) => !KNOWN_COLUMNS.has(c) && c !== '');
  if (metricCol < 0) throw new ResultsTsvError(`The header has no metric column (it has: ${columns.join(', ')}). The metric is the column after commit, e.g. val_bpb.`);
  const metricName = columns[metricCol]!;
  const extraCols = columns.map((_, i) => i).filter((i) => i !== metricCol && !KNOWN_COLUMNS.has(lower[i]!) && columns[i] !== '');
  // A description may contain tabs if someone wrote it by hand; when it is the last column, the rest of
  // the line is the description rather than an error.
  const descriptionIsLast = descriptionCol === columns.length - 1;

  const experiments: Experiment[] = [];
  const warnings: string[] = [];
  let parentCommit = '';
  for (let i = headerLine + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === '') continue;
    const lineNo = i + 1;
    let fields = line.split('\t');
    if (fields.length > columns.length && descriptionIsLast) {
      fields = [...fields.slice(0, columns.length - 1), fields.slice(columns.length - 1).join(' ')];
    }
    const rawStatus = (fields[statusCol] ?? '').trim().toLowerCase();
    if (rawStatus === '') {
      throw new ResultsTsvError(`Line ${lineNo} has no status (expected keep, discard or crash in column ${statusCol + 1}). Fix or delete that line and try again.`);
    }
    if (!STATUSES.has(rawStatus) || rawStatus === 'running') {
      throw new ResultsTsvError(
        `Line ${lineNo}: the status "${rawStatus}" is not one of keep, discard, crash, timeout, rejected, interrupted. Fix that line and try again.`,
      );
    }
    const description = descriptionCol >= 0 ? (fields[descriptionCol] ?? '').trim() : '';
    // Our writer's stopped-early row (results-tsv.ts): a discard with 0.000000, which is no measurement.
    const status: ExperimentStatus = rawStatus === 'discard' && STOPPED_EARLY.test(description) ? 'stopped-early' : (rawStatus as ExperimentStatus);
    const rawMetric = fields[metricCol];
    let metric: number | null = null;
    if (MEASURED.has(status)) {
      metric = parseNumber(rawMetric);
      if (metric === null) {
        if (status === 'keep') {
          throw new ResultsTsvError(
            `Line ${lineNo}: a keep needs a number in the ${metricName} column, found "${(rawMetric ?? '').trim()}". Fix that line and try again.`,
          );
        }
        warnings.push(`Line ${lineNo}: a discard without a number in ${metricName} ("${(rawMetric ?? '').trim()}"); shown without a metric.`);
      }
    }
    const id = experiments.length;
    const metrics: Record<string, number> = {};
    if (metric !== null) metrics[metricName] = metric;
    const memory = memoryCol >= 0 ? parseNumber(fields[memoryCol]) : null;
    // 0.0 GB is what a crash row carries; it is not a measurement.
    if (memory !== null && metric !== null) metrics.memory_gb = memory;
    for (const c of extraCols) {
      const v = parseNumber(fields[c]);
      if (v !== null) metrics[columns[c]!] = v;
    }
    const rawCommit = commitCol >= 0 ? (fields[commitCol] ?? '').trim() : '';
    const commit = NO_COMMIT.has(rawCommit) ? null : rawCommit;
    const isBaseline = id === 0;
    experiments.push({
      id,
      kind: isBaseline ? 'baseline' : 'candidate',
      slot: 0,
      baseId: null,
      parentCommit: isBaseline ? (commit ?? '') : parentCommit,
      commit,
      description,
      hypothesis: '',
      status,
      metric,
      metrics,
      runs: [],
      guard: null,
      bestBefore: null,
      startedAt: '',
      finishedAt: null,
      timings: { proposalMs: null, trainingMs: null, totalMs: null },
      usage: null,
      logPath: null,
      transcriptPath: null,
      error: status === 'keep' || status === 'discard' ? null : description || null,
      changedFiles: [],
    });
    if (status === 'keep' && commit) parentCommit = commit;
  }
  if (experiments.length === 0) throw new ResultsTsvError('The file has a header but no experiments. Run at least the baseline, then build the report.');
  if (experiments[0]!.metric === null) warnings.push('The first row (the baseline) has no metric, so the improvement over the baseline is unknown.');
  return { metricName, columns, experiments, warnings };
}
