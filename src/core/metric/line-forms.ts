// The two line conventions every scanner understands, whatever the primary metric's extraction is:
// autoresearch's `name: value` summary lines and the benchmark convention `METRIC name=value ...`.
import { NUMBER_SOURCE, parseMetricNumber, type ParsedNumber } from './parse-number.js';

const NAME_SOURCE = String.raw`[A-Za-z_][\w.\-/]*`;

// The WHOLE line is `name: value`, so a progress line such as `step 00953 | loss: 3.1 | ...` never counts.
const NAME_VALUE = new RegExp(String.raw`^\s*(${NAME_SOURCE})\s*:\s*(${NUMBER_SOURCE})\s*$`, 'i');
const METRIC_PREFIX = /^\s*METRIC\s+/;
const METRIC_PAIR = new RegExp(String.raw`(${NAME_SOURCE})=(\S+)`, 'g');

export interface NamedNumber {
  readonly name: string;
  readonly number: ParsedNumber;
}

/** `val_bpb:          0.997900` → { name: 'val_bpb', number }; anything else → null. */
export function matchNameValueLine(line: string): NamedNumber | null {
  const m = NAME_VALUE.exec(line);
  if (!m) return null;
  const number = parseMetricNumber(m[2]!);
  return number ? { name: m[1]!, number } : null;
}

/** `METRIC a=1 b=2.5e-3` → both pairs; pairs whose value is not a number are skipped. */
export function matchMetricLine(line: string): NamedNumber[] {
  const prefix = METRIC_PREFIX.exec(line);
  if (!prefix) return [];
  const out: NamedNumber[] = [];
  for (const m of line.slice(prefix[0].length).matchAll(METRIC_PAIR)) {
    const number = parseMetricNumber(m[2]!.replace(/[,;]$/, ''));
    if (number) out.push({ name: m[1]!, number });
  }
  return out;
}
