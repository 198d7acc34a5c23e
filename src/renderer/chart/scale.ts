// Linear scales and "nice" tick values (1, 2, 5 × 10^k) for the canvas charts.

export interface LinearScale {
  readonly domain: readonly [number, number];
  readonly range: readonly [number, number];
  (value: number): number;
  invert(pixel: number): number;
}

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): LinearScale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  // A degenerate domain (one experiment, or every metric equal) maps to the middle of the range.
  const span = d1 - d0;
  const k = span === 0 ? 0 : (r1 - r0) / span;
  const scale = ((v: number) => (span === 0 ? (r0 + r1) / 2 : r0 + (v - d0) * k)) as LinearScale;
  Object.assign(scale, {
    domain,
    range,
    invert: (p: number) => (k === 0 ? d0 : d0 + (p - r0) / k),
  });
  return scale;
}

/** About `count` round tick values covering [lo, hi]. */
export function niceTicks(lo: number, hi: number, count: number): readonly number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi) || count < 1) return [];
  if (hi < lo) [lo, hi] = [hi, lo];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
  const first = Math.ceil(lo / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = first; v <= hi + step * 1e-9; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** Integer ticks for experiment numbers. */
export function integerTicks(lo: number, hi: number, count: number): readonly number[] {
  const ticks = niceTicks(lo, hi, count);
  const ints = ticks.filter((t) => Number.isInteger(t));
  return ints.length >= 2 ? ints : [Math.ceil(lo), Math.floor(hi)].filter((v, i, a) => a.indexOf(v) === i);
}

/** Enough decimals to tell adjacent ticks apart, no more. */
export function tickFormatter(ticks: readonly number[]): (v: number) => string {
  if (ticks.length < 2) return (v) => formatSignificant(v, 6);
  const step = Math.abs(ticks[1]! - ticks[0]!);
  const decimals = Math.max(0, Math.min(10, -Math.floor(Math.log10(step) + 1e-9)));
  return (v) => v.toFixed(decimals);
}

export function formatSignificant(v: number, digits: number): string {
  if (!Number.isFinite(v)) return String(v);
  return String(Number(v.toPrecision(digits)));
}
