// How the loop searches (issue #25): which measured experiment each proposal starts from. autoresearch's loop is
// a greedy hill-climb (always the best); `tree` may start from any measured node, `islands` gives each slot its
// own line. The decision itself is core/loop/search-base.ts; bench/search.ts compares the strategies.
import { z } from 'zod';

export const SEARCH_STRATEGIES = ['greedy', 'tree', 'islands'] as const;
export type SearchStrategy = (typeof SEARCH_STRATEGIES)[number];

const whole = (what: string, example: number) =>
  z
    .number(`${what} is a whole number of experiments, e.g. ${example}`)
    .int(`${what} is a whole number of experiments, e.g. ${example}`)
    .min(1, `${what} is at least 1 experiment, e.g. ${example}`)
    .max(10_000, `${what} is at most 10000 experiments`);

export const SearchSchema = z.object({
  /**
   * greedy: every proposal starts from the best (autoresearch). tree: from any measured node (a keep, or a
   * discard that came close), chosen by UCB: the better a node measured and the fewer proposals started from it,
   * the likelier. islands: each slot climbs its own line; the best line is copied to the others every
   * `migrateEvery` experiments.
   */
  strategy: z.enum(SEARCH_STRATEGIES, { message: 'The search strategy is greedy, tree or islands' }).default('greedy'),
  /** After this many experiments in a row without a keep the run is on a plateau: the prompt says so and the search widens. */
  plateauAfter: whole('The plateau length', 8).default(8),
  /** UCB's exploration weight for `tree` (0: always the best-measured node); doubled on a plateau. */
  exploration: z.number('The exploration weight is a number, e.g. 0.5').min(0, 'The exploration weight is 0 or more, e.g. 0.5').max(10, 'The exploration weight is at most 10').default(0.5),
  /** `islands`: every this many experiments, the islands behind restart from the best. */
  migrateEvery: whole('The migration interval', 10).default(10),
});
export type SearchConfig = z.infer<typeof SearchSchema>;
