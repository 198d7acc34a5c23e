// Numbers as training scripts print them: Python's repr and printf's %f/%e/%g, including nan and inf,
// and — where the caller allows it — integers grouped with thousands separators (`1,600,000`, `1_600_000`).

/** The text of one number, anchored by the caller: 1, -2.5, .5, 3., 1e-3, nan, -inf, Infinity (any case). */
export const NUMBER_SOURCE = String.raw`[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|nan|inf(?:inity)?)`;

export type ParsedNumber =
  | { readonly kind: 'finite'; readonly value: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'inf' }
  /** Digits with separators that could be read two ways (`1,600`: 1600, or 1.6 with a decimal comma). */
  | { readonly kind: 'ambiguous'; readonly reason: string };

export interface ParseNumberOptions {
  /** Accept thousands separators (`,` or `_` in groups of three). Off for `METRIC a=1,b=2` pairs. */
  readonly grouping?: boolean;
}

const WHOLE = new RegExp(`^${NUMBER_SOURCE}$`, 'i');
/** 1,600,000 · 1,600.5 · 1_600_000 · -12,345,678.25: the first group 1–3 digits, the others exactly 3. */
const GROUPED = /^[+-]?\d{1,3}(?:([,_])\d{3})(?:\1\d{3})*(?:\.\d+)?$/;
/** Anything else made of digits and separators that a reader might take for a number (1,5 · 1.600.000 · 1.600,5). */
const SEPARATED = /^[+-]?[\d.,_]*\d[\d.,_]*$/;

/** Parses one number; null when `text` is not a number. Overflowing literals (1e999) count as inf. */
export function parseMetricNumber(text: string, options: ParseNumberOptions = {}): ParsedNumber | null {
  const t = text.trim();
  if (WHOLE.test(t)) {
    const lower = t.toLowerCase().replace(/^[+-]/, '');
    if (lower === 'nan') return { kind: 'nan' };
    if (lower.startsWith('inf')) return { kind: 'inf' };
    const value = Number(t);
    if (Number.isNaN(value)) return { kind: 'nan' };
    if (!Number.isFinite(value)) return { kind: 'inf' };
    return { kind: 'finite', value };
  }
  if (!options.grouping || !SEPARATED.test(t)) return null;
  const grouped = GROUPED.exec(t);
  // One comma and three digits after it, no decimal point: 1,600 is 1600 in English and 1.6 in German.
  const single = grouped && grouped[1] === ',' && (t.match(/,/g) ?? []).length === 1 && !t.includes('.');
  if (grouped && !single) return { kind: 'finite', value: Number(t.replace(/[,_]/g, '')) };
  return {
    kind: 'ambiguous',
    reason: `"${t}" could be read more than one way (a thousands separator or a decimal comma); print it without separators (e.g. ${t.replace(/[^\d.+-]/g, '').replace(/^\./, '0.') || '1600'}) or with a decimal point.`,
  };
}
