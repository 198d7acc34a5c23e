// A report from any autoresearch results.tsv. The direction must be known: from the caller, or from a
// metric name that can only mean "lower is better"; otherwise the error says how to give it.
import type { Direction } from '../../shared/progress.js';
import { directionWarning, guessDirection } from './direction.js';
import type { ReportInput } from './model.js';
import { readResultsTsv, ResultsTsvError } from './read-results-tsv.js';

export interface TsvReportOptions {
  /** Shown as the report's title, e.g. the file's name. */
  readonly fileName: string;
  readonly direction?: Direction | null;
  readonly now?: () => Date;
  readonly appVersion?: string;
}

export function reportInputFromTsv(text: string, options: TsvReportOptions): ReportInput {
  const tsv = readResultsTsv(text);
  const direction = options.direction ?? guessDirection(tsv.metricName);
  if (!direction) {
    throw new ResultsTsvError(
      `Cannot tell whether a lower or a higher ${tsv.metricName} is better. Pass --metric-direction min (lower is better, e.g. a loss or a time) or --metric-direction max (higher is better, e.g. an accuracy or a throughput).`,
    );
  }
  const warnings = [...tsv.warnings];
  const mismatch = directionWarning(tsv.experiments, direction, tsv.metricName);
  if (mismatch) warnings.push(mismatch);
  return {
    source: { kind: 'tsv', fileName: options.fileName },
    metricName: tsv.metricName,
    direction,
    experiments: tsv.experiments,
    noiseFloor: null,
    memory: tsv.columns.some((c) => c.toLowerCase() === 'memory_gb') ? { key: 'memory_gb', unit: 'gb' } : null,
    generatedAt: (options.now?.() ?? new Date()).toISOString(),
    ...(options.appVersion ? { appVersion: options.appVersion } : {}),
    warnings,
  };
}
