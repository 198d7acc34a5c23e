// Streaming metric scanner: the loop pushes the experiment's output through it as it arrives, so the
// number is known the moment the command ends and no output is ever held whole in memory.
import type { MetricConfig } from '../../shared/config.js';
import { matchMetricLine, matchNameValueLine } from './line-forms.js';
import { parseMetricNumber, type ParsedNumber } from './parse-number.js';

export interface MetricScan {
  /** The primary metric, last occurrence wins; null = not found or not finite. */
  readonly value: number | null;
  /** The primary was printed but is NaN/inf (the loop treats it as a crash). */
  readonly invalid: 'nan' | 'inf' | null;
  /**
   * Every finite number seen in `name: value` lines and `METRIC name=value` pairs (last wins), primary
   * included. Collected in a Map; reserved keys (__proto__, constructor, prototype) are never names.
   */
  readonly metrics: Readonly<Record<string, number>>;
  /** The line (trimmed, at most 300 chars) or JSON key the primary came from. */
  readonly matched: string | null;
  /** Why the value is missing when the reader knows more than "not found" (JSON file absent, not JSON...). */
  readonly detail?: string | null;
}

export interface MetricScanner {
  push(text: string): void;
  end(): void;
  scan(): MetricScan;
}

/** No metric line is this long; longer lines are skipped so one huge line without newline costs no memory. */
export const MAX_LINE_CHARS = 64 * 1024;
export const MAX_METRIC_NAMES = 200;
export const MAX_MATCHED_CHARS = 300;

type PrimaryMatcher = (line: string) => ParsedNumber | null;

function primaryMatcher(metric: MetricConfig): PrimaryMatcher {
  const { name, extract } = metric;
  switch (extract.kind) {
    case 'line':
      return (line) => {
        const hit = matchNameValueLine(line);
        return hit && hit.name === name ? hit.number : null;
      };
    case 'metric-line':
      return (line) => {
        let last: ParsedNumber | null = null;
        for (const hit of matchMetricLine(line)) if (hit.name === name) last = hit.number;
        return last;
      };
    case 'regex': {
      let re: RegExp;
      try {
        re = new RegExp(extract.pattern);
      } catch {
        // The config schema rejects invalid patterns; a hand-edited config simply finds nothing.
        return () => null;
      }
      return (line) => {
        const m = re.exec(line);
        return m && m[1] !== undefined ? parseMetricNumber(m[1], { grouping: true }) : null;
      };
    }
    case 'json':
      // The number lives in a file (readJsonMetric); the output still yields the secondary metrics.
      return () => null;
  }
}

export function createMetricScanner(metric: MetricConfig): MetricScanner {
  const matchPrimary = primaryMatcher(metric);
  const metrics = new Map<string, number>();
  let value: number | null = null;
  let invalid: 'nan' | 'inf' | null = null;
  let matched: string | null = null;
  let detail: string | null = null;
  let partial = '';
  let overlong = false;
  let ended = false;

  const record = (name: string, n: ParsedNumber) => {
    if (n.kind !== 'finite') return;
    if (!metrics.has(name) && metrics.size >= MAX_METRIC_NAMES) return;
    metrics.set(name, n.value);
  };

  const processLine = (line: string) => {
    const named = matchNameValueLine(line);
    if (named) record(named.name, named.number);
    for (const hit of matchMetricLine(line)) record(hit.name, hit.number);
    const primary = matchPrimary(line);
    if (!primary) return;
    matched = line.trim().slice(0, MAX_MATCHED_CHARS);
    detail = null;
    if (primary.kind === 'finite') {
      value = primary.value;
      invalid = null;
    } else if (primary.kind === 'ambiguous') {
      // Never guess: a number misread by a factor of 1000 would be kept or discarded for nothing.
      value = null;
      invalid = null;
      detail = `${metric.name} was printed as ${primary.reason}`;
    } else {
      value = null;
      invalid = primary.kind;
    }
  };

  const endLine = () => {
    if (!overlong) processLine(partial);
    partial = '';
    overlong = false;
  };

  const append = (piece: string) => {
    if (overlong || piece === '') return;
    if (partial.length + piece.length > MAX_LINE_CHARS) {
      partial = '';
      overlong = true;
      return;
    }
    partial += piece;
  };

  return {
    push(text) {
      if (ended) throw new Error('The metric scanner has ended; create a new one for new output');
      let start = 0;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        // \r ends a line too: train.py rewrites its progress line with \r, and each version is a line.
        if (c === 10 || c === 13) {
          append(text.slice(start, i));
          endLine();
          start = i + 1;
        }
      }
      append(text.slice(start));
    },
    end() {
      if (ended) return;
      ended = true;
      if (partial !== '' || overlong) endLine();
    },
    scan() {
      // Built from entries (own data properties), so no name can reach an object's prototype.
      const all: Record<string, number> = Object.fromEntries(value !== null ? [...metrics, [metric.name, value]] : metrics);
      return detail === null ? { value, invalid, metrics: all, matched } : { value, invalid, metrics: all, matched, detail };
    },
  };
}

/** The scanner over a whole text at once (pasted output, a finished log). */
export function extractMetric(metric: MetricConfig, text: string): MetricScan {
  const scanner = createMetricScanner(metric);
  scanner.push(text);
  scanner.end();
  return scanner.scan();
}
