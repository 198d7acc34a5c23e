// The two line conventions every scanner understands, whatever the primary metric's extraction is:
// autoresearch's `name: value` summary lines and the benchmark convention `METRIC name=value ...`.
import { isMetricName, METRIC_NAME_SOURCE } from '../../shared/metric-name.js';
import { parseMetricNumber, type ParsedNumber } from './parse-number.js';

// The WHOLE line is `name: value`, so a progress line such as `step 00953 | loss: 3.1 | ...` never counts.
// The value is one token, read with thousands separators allowed (`tok/sec: 1,600,000`).
const NAME_VALUE = new RegExp(String.raw`^\s*(${METRIC_NAME_SOURCE})\s*:\s*(\S+)\s*$`, 'u');
const METRIC_PREFIX = /^\s*METRIC\s+/;

export interface NamedNumber {
  readonly name: string;
  readonly number: ParsedNumber;
}

/** `val_bpb:          0.997900` → { name: 'val_bpb', number }; anything else → null. */
export function matchNameValueLine(line: string): NamedNumber | null {
  const m = NAME_VALUE.exec(line);
  if (!m || !isMetricName(m[1]!)) return null;
  const number = parseMetricNumber(m[2]!, { grouping: true });
  return number ? { name: m[1]!, number } : null;
}

/**
 * `METRIC a=1 b=2.5e-3` → both pairs. Each whitespace-separated token is a pair as a whole or nothing:
 * `render.µs=1.25e3` is render.µs, never a metric `s` read from its tail. Values not a number are skipped.
 */
export function matchMetricLine(line: string): NamedNumber[] {
  const prefix = METRIC_PREFIX.exec(line);
  if (!prefix) return [];
  const out: NamedNumber[] = [];
  for (const token of line.slice(prefix[0].length).split(/\s+/)) {
    const eq = token.indexOf('=');
    if (eq <= 0) continue;
    const name = token.slice(0, eq);
    if (!isMetricName(name)) continue;
    // `METRIC a=1, b=2` and `a=1;` are written by hand often enough; the separator is not part of the number.
    const number = parseMetricNumber(token.slice(eq + 1).replace(/[,;]$/, ''));
    if (number) out.push({ name, number });
  }
  return out;
}
