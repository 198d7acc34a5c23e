// Turning "no number" into a message a user can act on: what was looked for, what was nearly it,
// and the last lines the command printed.
import type { MetricTestResult } from '../../shared/api.js';
import type { MetricConfig } from '../../shared/config.js';
import { scanJsonText, type JsonMetricConfig } from './json-metric.js';
import { extractMetric, type MetricScan } from './scanner.js';

const TAIL_LINES = 15;
const LINE_CHARS = 300;

/** The last lines as a terminal would show them: of a line rewritten with \r only its last version. */
export function lastLines(text: string, count = TAIL_LINES): string[] {
  const out: string[] = [];
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0 && out.length < count; i--) {
    const versions = lines[i]!.split('\r').filter((v) => v.trim() !== '');
    const shown = versions[versions.length - 1];
    if (shown !== undefined) out.push(shown.trimEnd().slice(0, LINE_CHARS));
  }
  return out.reverse();
}

function expected(metric: MetricConfig): string {
  const { name, extract } = metric;
  switch (extract.kind) {
    case 'line':
      return `No line "${name}: <number>" in the output.`;
    case 'metric-line':
      return `No "METRIC ${name}=<number>" in the output.`;
    case 'regex':
      return `No line matched the pattern /${extract.pattern}/ with a number in its capture group.`;
    case 'json':
      return `No number at key "${extract.key}" in ${extract.file}.`;
  }
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function hints(metric: MetricConfig, scan: MetricScan, tail: readonly string[]): string[] {
  const { name, extract } = metric;
  const out: string[] = [];
  // A number under the right name but in the other line form.
  if (Object.hasOwn(scan.metrics, name) && extract.kind === 'line') {
    out.push(`The output has "METRIC ${name}=…"; set the extraction to "METRIC name=value".`);
  } else if (Object.hasOwn(scan.metrics, name) && extract.kind === 'metric-line') {
    out.push(`The output has "${name}: …" lines; set the extraction to "name: value line".`);
  }
  const sameButCase = Object.keys(scan.metrics).find((k) => k !== name && k.toLowerCase() === name.toLowerCase());
  if (sameButCase) out.push(`The output has "${sameButCase}"; metric names are case-sensitive.`);
  if (extract.kind === 'line' || extract.kind === 'metric-line') {
    const mention = new RegExp(`(^|[^\\w])${escapeRe(name)}([^\\w]|$)`);
    const line = tail.find((l) => mention.test(l));
    if (line && out.length === 0) {
      out.push(`A line mentions ${name} but not in that form: "${line.trim().slice(0, 120)}". A regular-expression extraction can read it.`);
    }
  }
  return out;
}

/**
 * Why the primary metric is missing, for the experiment's error and the setup form.
 * Returns '' when the scan has a value (nothing to explain).
 */
export function explainMissingMetric(metric: MetricConfig, scan: MetricScan, outputTail: string): string {
  if (scan.value !== null) return '';
  const tail = lastLines(outputTail);
  let head: string;
  if (scan.invalid) {
    const what = scan.invalid === 'nan' ? 'NaN' : 'infinite';
    head = `${metric.name} is ${what}${scan.matched ? ` ("${scan.matched}")` : ''}: the run diverged or failed, so it counts as a crash.`;
  } else {
    head = [scan.detail ?? expected(metric), ...hints(metric, scan, tail)].join(' ');
  }
  if (tail.length === 0) return metric.extract.kind === 'json' ? head : `${head} The command printed nothing.`;
  return `${head} The last lines were:\n${tail.join('\n')}`;
}

/** The setup form's "test the metric" button: the same extraction a run uses, over pasted text. */
export function testMetricOnText(metric: MetricConfig, text: string): MetricTestResult {
  const scan =
    metric.extract.kind === 'json'
      ? // For a JSON-file metric the user pastes the file's content.
        scanJsonText(metric as JsonMetricConfig, text, { pasted: true })
      : extractMetric(metric, text);
  return {
    value: scan.value,
    metrics: scan.metrics,
    matched: scan.matched,
    error: scan.value === null ? explainMissingMetric(metric, scan, metric.extract.kind === 'json' ? '' : text) : null,
  };
}
