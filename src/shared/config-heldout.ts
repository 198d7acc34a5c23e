// The config's held-out section (issue #22): a second command the agent never sees — a test split, a downstream
// task — with its own metric, run on the baseline and each kept change (or on the baseline and the best at the
// run's end). Its numbers are shown beside the search metric so a user can tell whether the gains carry over;
// they never decide a keep and never reach a proposer.
import { z } from 'zod';
import { MetricSchema } from './config-metric.js';

export const HELDOUT_WHEN = ['each-keep', 'end'] as const;
export type HeldoutWhen = (typeof HELDOUT_WHEN)[number];

/** The held-out metric: read the same ways as the search metric (a line, METRIC name=value, a pattern or a JSON file). */
export const HeldoutMetricSchema = MetricSchema.pick({ name: true, direction: true, extract: true });
export type HeldoutMetricConfig = z.infer<typeof HeldoutMetricSchema>;

export const HeldoutSchema = z.object({
  /** Shell command that evaluates the kept code on data the search never uses, e.g. `python eval.py --split test`. */
  command: z.string().trim().min(1, 'Enter the held-out command, e.g. python eval.py --split test'),
  metric: HeldoutMetricSchema,
  /** each-keep: after the baseline and every keep; end: once the run ends, on the baseline and the best. */
  when: z.enum(HELDOUT_WHEN, { message: 'Choose when the held-out check runs: each-keep or end' }).default('each-keep'),
  /** Hard limit for one held-out run; the whole process group is killed after it. */
  timeoutSeconds: z.number().positive('The held-out timeout must be more than 0 seconds').default(600),
});
export type HeldoutConfig = z.infer<typeof HeldoutSchema>;
