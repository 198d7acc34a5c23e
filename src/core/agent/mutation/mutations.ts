// The candidate changes of one constant, by step size: 'coarse' (×2, ×1.5, ×4 and their inverses for
// floats, ±25 % for integers), then 'refine' (×1.25, ×1.1, ±10 %) and 'fine' (×1.05, ±1) to search
// around the best once the coarse steps are spent. Every value keeps the constant's kind: integers stay
// integers, powers of two stay powers of two, probabilities stay in [0, 1].
import type { NumericConstant } from './find-constants.js';

export type Level = 'coarse' | 'refine' | 'fine';
export const LEVELS: readonly Level[] = ['coarse', 'refine', 'fine'];

export interface Mutation {
  readonly constant: NumericConstant;
  readonly literal: string;
  readonly value: number;
  /** 'up' or 'down', used to keep going in a direction that paid off. */
  readonly direction: 'up' | 'down';
  readonly level: Level;
}

const FLOAT_FACTORS: Record<Level, readonly number[]> = {
  coarse: [2, 0.5, 1.5, 1 / 1.5, 4, 0.25],
  refine: [1.25, 0.8, 1.1, 1 / 1.1],
  fine: [1.05, 1 / 1.05],
};
/** Factors of the distance to 1, for values just below 1 (momentum 0.9, beta2 0.999). */
const GAP_FACTORS: Record<Level, readonly number[]> = {
  coarse: [2, 0.5, 4, 0.25],
  refine: [1.5, 1 / 1.5, 1.25, 0.8],
  fine: [1.1, 1 / 1.1],
};
const ZERO_STEPS: Record<Level, readonly number[]> = {
  coarse: [0.01, 0.001, 0.1],
  refine: [0.03, 0.003],
  fine: [0.05, 0.0003],
};
const POW2_FACTORS: Record<Level, readonly number[]> = { coarse: [2, 0.5, 4, 0.25], refine: [8, 0.125], fine: [] };

/** Format like the original: keep exponent notation if it used one (and a dot in the mantissa if it had one, which YAML readers need), keep floats looking like floats. */
export function formatLiteral(value: number, original: string, isFloat: boolean): string {
  if (!isFloat) return String(Math.round(value));
  if (/[eE]/.test(original)) {
    const [mantissa, exp] = value.toExponential(2).split('e') as [string, string];
    let m = String(Number(mantissa));
    if (/\.\d*[eE]/.test(original) && !m.includes('.')) m += '.0';
    return `${m}e${exp.replace('+', '')}`;
  }
  const s = String(Number(value.toPrecision(3)));
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

export function mutationsOf(c: NumericConstant, level: Level = 'coarse'): Mutation[] {
  const out: Mutation[] = [];
  // Values of coarser levels are not repeated at a finer one.
  const seen = new Set<string>([c.literal]);
  for (const coarser of LEVELS.slice(0, LEVELS.indexOf(level))) for (const v of valuesOf(c, coarser)) seen.add(formatLiteral(v, c.literal, c.isFloat));
  for (const value of valuesOf(c, level)) {
    const literal = formatLiteral(value, c.literal, c.isFloat);
    if (seen.has(literal) || !Number.isFinite(value)) continue;
    const v = Number(literal.replace(/_/g, ''));
    // Never flip the sign of a hyperparameter or cross zero: that is a different idea, not a step.
    if (c.value > 0 && v <= 0) continue;
    if (c.value < 0 && v >= 0) continue;
    if (c.kind === 'prob' && (v < 0 || v > 1 || (c.value < 1 && v >= 1))) continue;
    if (c.kind === 'pow2' && !(Number.isInteger(v) && v >= 1 && (v & (v - 1)) === 0)) continue;
    seen.add(literal);
    out.push({ constant: c, literal, value: v, direction: Math.abs(v) > Math.abs(c.value) ? 'up' : 'down', level });
  }
  return out;
}

function valuesOf(c: NumericConstant, level: Level): number[] {
  const v = c.value;
  if (c.kind === 'pow2') return POW2_FACTORS[level].map((f) => v * f);
  if (c.kind === 'int') {
    const step = level === 'coarse' ? Math.max(1, Math.round(Math.abs(v) * 0.25)) : level === 'refine' ? Math.max(1, Math.round(Math.abs(v) * 0.1)) : 1;
    // A count or size of 0 stays non-negative.
    const deltas = level === 'coarse' ? [step, -step, 2 * step, -2 * step] : [step, -step];
    return deltas.filter((d) => !(v === 0 && d < 0)).map((d) => v + d);
  }
  if (v === 0) return [...ZERO_STEPS[level]];
  // Momentum-like constants (0.9, 0.999) live just below 1: step their distance to 1 instead, so a
  // mutation never crosses 1 (BETA2 0.999 → 1.5 only crashes the run).
  if (v >= 0.5 && v < 1) return GAP_FACTORS[level].map((f) => 1 - (1 - v) * f);
  return FLOAT_FACTORS[level].map((f) => v * f);
}
