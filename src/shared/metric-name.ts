// What may be a metric name. pi-autoresearch's unit convention puts the unit in the name (`total_µs`,
// `render.µs`), and names in any script are fine; what is never fine is a name that could be mistaken for
// another (a pair read from its middle) or one that is an object's built-in key.

/** Letters of any script (µ is a letter), digits, `_`, `.`, and `-` and `/` (as in `tok/sec`, `val-loss`); not starting with a digit, `.`, `-` or `/`. */
export const METRIC_NAME_SOURCE = String.raw`[\p{L}_][\p{L}\p{N}_.\-/]*`;

const WHOLE_NAME = new RegExp(`^${METRIC_NAME_SOURCE}$`, 'u');

/** Keys that mean something to every JavaScript object: never a metric's name. */
export const RESERVED_METRIC_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export function isMetricName(name: string): boolean {
  return WHOLE_NAME.test(name) && !RESERVED_METRIC_NAMES.has(name);
}
