// The config's early-stop section (issue #23): a candidate whose intermediate curve is clearly worse than the
// best's at the same step (or time) is stopped before its budget ends, like Optuna's median pruner or ASHA. The
// rule itself is core/loop/early-stop-rule.ts; bench/early-stop.ts measured the defaults below.
import { z } from 'zod';
import { describeRegexError } from './regex-words.js';

const PATTERN_EXAMPLE = 'e.g. step (\\d+) .* val_loss ([0-9.]+)';

/** How many capture groups `pattern` has, or the error that says what is wrong with it. */
export function curvePatternGroups(pattern: string): { groups: number } | { error: string } {
  try {
    return { groups: new RegExp(`${pattern}|`).exec('')!.length - 1 };
  } catch (err) {
    return { error: describeRegexError(err) };
  }
}

export const EarlyStopSchema = z
  .object({
    /** Off by default: a stop the rule gets wrong loses a change that would have been kept. */
    enabled: z.boolean().default(false),
    /**
     * The intermediate metric in the output: two capture groups (step, value), or one (value; the x axis is then
     * the seconds since the run started). Every run's points are recorded as its curve when this is set.
     */
    pattern: z.string().nullable().default(null),
    /** No candidate is stopped before this fraction of the time budget has passed. */
    minFraction: z.number().min(0, 'The minimum fraction is between 0 and 1').max(1, 'The minimum fraction is between 0 and 1').default(0.3),
    /** How many noise units (the spread of the best's repeated curves at that point) worse a candidate must be. */
    margin: z.number().min(0, 'The margin cannot be negative').default(3),
  })
  .superRefine((s, ctx) => {
    if (s.pattern === null || s.pattern.trim() === '') {
      if (s.enabled) ctx.addIssue({ code: 'custom', path: ['pattern'], message: `Early stopping needs the pattern of the intermediate metric, ${PATTERN_EXAMPLE}` });
      return;
    }
    const g = curvePatternGroups(s.pattern);
    if ('error' in g) ctx.addIssue({ code: 'custom', path: ['pattern'], message: g.error });
    else if (g.groups !== 1 && g.groups !== 2) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `The pattern has ${g.groups} capture groups; it needs two (step, then value) or one (the value), ${PATTERN_EXAMPLE}` });
    }
  });
export type EarlyStopConfig = z.infer<typeof EarlyStopSchema>;

/** One point of a learning curve: x (the step, or seconds since the start) and the intermediate value. */
export type CurvePoint = readonly [x: number, value: number];

/** Why a candidate was stopped early: where, and how it compared with the best's curve there. */
export interface EarlyStopInfo {
  /** The x where it was stopped (a step, or seconds since the start). */
  readonly at: number;
  /** The axis: 'step' when the pattern captured steps, 'seconds' otherwise. */
  readonly axis: 'step' | 'seconds';
  /** The candidate's value there, the best's (mean of its curves) and the noise (spread of curves) there. */
  readonly value: number;
  readonly bestValue: number;
  readonly noise: number;
  /** The experiment whose curve it was compared with. */
  readonly bestId: number;
}

/** "stopped early at step 120" / "stopped early at 34 s", as results.tsv and the History say it. */
export function describeEarlyStop(info: Pick<EarlyStopInfo, 'at' | 'axis'>): string {
  return info.axis === 'step' ? `stopped early at step ${Math.round(info.at)}` : `stopped early at ${Math.round(info.at)} s`;
}
