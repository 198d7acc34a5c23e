// The candidate changes of one constant: multiplicative steps for floats, ± steps for integers.
import type { NumericConstant } from './find-constants.js';

export interface Mutation {
  readonly constant: NumericConstant;
  readonly literal: string;
  readonly value: number;
  /** 'up' or 'down', used to keep going in a direction that paid off. */
  readonly direction: 'up' | 'down';
}

const FLOAT_FACTORS = [2, 0.5, 1.5, 1 / 1.5, 4, 0.25];

/** Format like the original: keep exponent notation if it used one, and keep floats looking like floats. */
export function formatLiteral(value: number, original: string, isFloat: boolean): string {
  if (!isFloat) return String(Math.round(value));
  if (/[eE]/.test(original)) {
    const [mantissa, exp] = value.toExponential(2).split('e') as [string, string];
    return `${String(Number(mantissa))}e${exp.replace('+', '')}`;
  }
  const s = String(Number(value.toPrecision(3)));
  return /[.eE]/.test(s) ? s : `${s}.0`;
}

export function mutationsOf(c: NumericConstant): Mutation[] {
  const out: Mutation[] = [];
  const seen = new Set<string>([c.literal]);
  const push = (value: number) => {
    const literal = formatLiteral(value, c.literal, c.isFloat);
    if (seen.has(literal) || !Number.isFinite(value)) return;
    // Never flip the sign of a hyperparameter or cross zero: that is a different idea, not a step.
    if (c.value > 0 && value <= 0) return;
    if (c.value < 0 && value >= 0) return;
    seen.add(literal);
    out.push({ constant: c, literal, value: Number(literal), direction: Math.abs(value) > Math.abs(c.value) ? 'up' : 'down' });
  };
  if (c.isFloat) {
    if (c.value >= 0.5 && c.value < 1) {
      // Momentum-like constants (0.9, 0.999) live just below 1: step their distance to 1 instead, so a
      // mutation never crosses 1 (BETA2 0.999 → 1.5 only crashes the run).
      const gap = 1 - c.value;
      for (const f of [2, 0.5, 4, 0.25]) push(1 - gap * f);
      return out.filter((m) => m.value > 0 && m.value < 1);
    }
    if (c.value === 0) {
      // Zero does not scale: try small positive values instead (e.g. weight decay 0.0 → 0.01).
      for (const v of [0.01, 0.001, 0.1]) {
        const literal = formatLiteral(v, c.literal, true);
        if (!seen.has(literal)) {
          seen.add(literal);
          out.push({ constant: c, literal, value: v, direction: 'up' });
        }
      }
    } else {
      for (const f of FLOAT_FACTORS) push(c.value * f);
    }
  } else {
    const step = Math.max(1, Math.round(Math.abs(c.value) * 0.25));
    for (const delta of [step, -step, 2 * step, -2 * step]) {
      // A count or size of 0 stays non-negative.
      if (c.value === 0 && delta < 0) continue;
      push(c.value + delta);
    }
  }
  return out;
}
