// The config's metric section: which number decides keep or discard, and how it is read from the output.
import { z } from 'zod';
import { isMetricName, RESERVED_METRIC_NAMES } from './metric-name.js';
import { describeRegexError } from './regex-words.js';

const nonEmpty = (what: string) => z.string().trim().min(1, `${what} is required`);

/** How the primary metric is read from the experiment's output. The last occurrence wins. */
export const MetricExtractionSchema = z.discriminatedUnion('kind', [
  /** `val_bpb:          0.997900`, the line autoresearch's train.py prints. */
  z.object({ kind: z.literal('line') }),
  /** `METRIC val_bpb=0.9979`, the convention of benchmark scripts. */
  z.object({ kind: z.literal('metric-line') }),
  /** A regular expression with exactly one capture group that holds the number. */
  z.object({
    kind: z.literal('regex'),
    pattern: z
      .string()
      .min(1, 'Enter a regular expression with one capture group, e.g. loss=([0-9.]+)')
      .superRefine((pattern, ctx) => {
        try {
          const groups = new RegExp(`${pattern}|`).exec('')!.length - 1;
          if (groups !== 1) {
            ctx.addIssue({
              code: 'custom',
              message: `The pattern has ${groups} capture groups; it needs exactly one around the number, e.g. loss=([0-9.]+)`,
            });
          }
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: describeRegexError(err) });
        }
      }),
  }),
  /** A JSON file the command writes, and the key (dotted path) of the number in it. */
  z.object({
    kind: z.literal('json'),
    file: nonEmpty('The JSON file'),
    key: nonEmpty('The key'),
  }),
]);
export type MetricExtraction = z.infer<typeof MetricExtractionSchema>;

/** A name the metric reader can record: letters of any script, digits, _ . - / and µ; not a reserved object key. */
const metricName = (empty: string) =>
  z
    .string()
    .trim()
    .min(1, empty)
    .superRefine((n, ctx) => {
      if (RESERVED_METRIC_NAMES.has(n)) ctx.addIssue({ code: 'custom', message: `${n} is a reserved word and cannot name a metric; choose another name` });
      else if (!isMetricName(n)) ctx.addIssue({ code: 'custom', message: 'A metric name starts with a letter or _ and has no spaces or =, e.g. val_bpb or total_µs' });
    });

export const MetricSchema = z.object({
  name: metricName('Name the metric the command prints, e.g. val_bpb'),
  /** Always explicit: lower is better (loss, bpb, seconds) or higher is better (accuracy, throughput). */
  direction: z.enum(['min', 'max']),
  extract: MetricExtractionSchema.default({ kind: 'line' }),
  /** Other `name: value` / `METRIC name=value` numbers to record with each experiment. */
  secondary: z.array(metricName('A secondary metric needs a name')).default([]),
  /** The secondary metric holding peak memory in MB; results.tsv shows it as memory_gb (MB / 1024). */
  memoryMb: metricName('Name the memory metric, e.g. peak_vram_mb').nullable().default('peak_vram_mb'),
});
export type MetricConfig = z.infer<typeof MetricSchema>;
