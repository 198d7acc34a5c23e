// The ablation of a run's result (issue #22): for each kept change on the best's lineage, the best without that
// change, run K times under the same seeds as the best, so each keep's contribution is a mean of paired
// differences with a t interval. Saved as .autoresearch/runs/<tag>/ablation.json; the CLI, the History view and
// both reports read it, and `finalize --min-contribution` uses it. Shared so that every reader says it the same way.
import { z } from 'zod';

/** What a keep's interval says: it carries the result, it cannot be told from nothing, the best is better without it; or no interval. */
export type AblationVerdict = 'carries' | 'null' | 'hurts' | 'did-not-apply' | 'failed';

const Finite = z.number().finite();

export const AblationRowSchema = z.object({
  /** The kept experiment's id and description. */
  id: z.number().int(),
  description: z.string(),
  verdict: z.enum(['carries', 'null', 'hurts', 'did-not-apply', 'failed']),
  /** Mean of (ablated − best), signed so that positive = the keep helped (the metric's direction respected); null without an interval. */
  contribution: Finite.nullable(),
  ciLow: Finite.nullable(),
  ciHigh: Finite.nullable(),
  /** The ablated version's value under each seed (null: that run failed, or the change did not apply). */
  values: z.array(Finite.nullable()),
  /** The commit that was measured (the best with this change reverse-applied); null when it did not apply. */
  commit: z.string().nullable(),
  /** Why there is no interval: the files where reverse-applying conflicted, or why the runs failed. */
  reason: z.string().nullable(),
});
export type AblationRow = z.infer<typeof AblationRowSchema>;

export const AblationSchema = z.object({
  version: z.literal(1),
  tag: z.string(),
  at: z.string(),
  bestId: z.number().int(),
  bestCommit: z.string(),
  metric: z.string(),
  direction: z.enum(['min', 'max']),
  repeats: z.number().int(),
  /** The seed of each repeat (the same for the best and every ablated version); null when the seed cannot be varied (plain repeats). */
  seeds: z.array(z.number().int()).nullable(),
  /** The best's value under each seed (null: that run failed). */
  best: z.array(Finite.nullable()),
  rows: z.array(AblationRowSchema),
});
export type Ablation = z.infer<typeof AblationSchema>;

/** Where a running ablation is: runs done of the total, and what ran last. */
export interface AblationProgress {
  readonly done: number;
  readonly total: number;
  readonly label: string;
}

/** The 95 % interval's verdict; positive contributions are those of a keep that helped. */
export function ablationVerdict(ciLow: number, ciHigh: number): 'carries' | 'null' | 'hurts' {
  if (ciLow > 0) return 'carries';
  if (ciHigh < 0) return 'hurts';
  return 'null';
}

export function describeVerdict(row: Pick<AblationRow, 'verdict'>): string {
  switch (row.verdict) {
    case 'carries':
      return 'carries the result';
    case 'null':
      return 'not distinguishable from 0';
    case 'hurts':
      return 'the best is better without it';
    case 'did-not-apply':
      return 'did not apply';
    case 'failed':
      return 'could not be measured';
  }
}

/** A number of the metric's unit, signed, with enough digits for small contributions. */
export function formatContribution(value: number | null): string {
  if (value === null) return '—';
  const digits = Math.abs(value) >= 1 ? 3 : 6;
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value).toFixed(digits)}`;
}

export function formatInterval(row: Pick<AblationRow, 'ciLow' | 'ciHigh'>): string {
  return row.ciLow === null || row.ciHigh === null ? '—' : `[${formatContribution(row.ciLow)}, ${formatContribution(row.ciHigh)}]`;
}

/** One line about how it was measured, e.g. "3 paired runs under seeds 1, 2, 3". */
export function describeAblationSetting(a: Pick<Ablation, 'repeats' | 'seeds'>): string {
  return a.seeds ? `${a.repeats} paired runs each under seeds ${a.seeds.join(', ')}` : `${a.repeats} runs each (plain repeats: the project has no seed setting to vary)`;
}
