// Numbers as training scripts print them: Python's repr and printf's %f/%e/%g, including nan and inf.

/** The text of one number, anchored by the caller: 1, -2.5, .5, 3., 1e-3, nan, -inf, Infinity (any case). */
export const NUMBER_SOURCE = String.raw`[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|nan|inf(?:inity)?)`;

export type ParsedNumber =
  | { readonly kind: 'finite'; readonly value: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'inf' };

const WHOLE = new RegExp(`^${NUMBER_SOURCE}$`, 'i');

/** Parses one number; null when `text` is not exactly a number. Overflowing literals (1e999) count as inf. */
export function parseMetricNumber(text: string): ParsedNumber | null {
  const t = text.trim();
  if (!WHOLE.test(t)) return null;
  const lower = t.toLowerCase().replace(/^[+-]/, '');
  if (lower === 'nan') return { kind: 'nan' };
  if (lower.startsWith('inf')) return { kind: 'inf' };
  const value = Number(t);
  if (Number.isNaN(value)) return { kind: 'nan' };
  if (!Number.isFinite(value)) return { kind: 'inf' };
  return { kind: 'finite', value };
}
