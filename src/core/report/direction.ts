// Which way is better for a metric that arrives without a config (a results.tsv from elsewhere).
// Only names that unambiguously mean "lower is better" are guessed; anything else must be said by the
// user, because a report with the direction backwards would call every regression an improvement.
import type { Experiment } from '../../shared/experiment.js';
import type { Direction } from '../../shared/progress.js';

const LOWER_IS_BETTER =
  /(^|[^a-z])(loss|bpb|bpc|bits|nll|ppl|perplexity|err|error|errors|wer|cer|mse|rmse|mae|time|times|seconds|secs|sec|ms|us|ns|latency|duration|runtime|wall|regret|cost|bytes|allocs|allocations)([^a-z]|$)/i;

/** 'min' when the name says lower is better (loss, bpb, error, time...); null when it cannot be told. */
export function guessDirection(metricName: string): Direction | null {
  return LOWER_IS_BETTER.test(metricName.replace(/([a-z])([A-Z])/g, '$1_$2')) ? 'min' : null;
}

/**
 * A results.tsv records decisions: if most keeps after the baseline moved the metric the "wrong" way, the
 * direction given is probably backwards. Returns a warning for the user, or null when the data agrees.
 */
export function directionWarning(experiments: readonly Experiment[], direction: Direction, metricName: string): string | null {
  let previous: number | null = null;
  let up = 0;
  let down = 0;
  for (const e of experiments) {
    if (e.status !== 'keep' || e.metric === null || !Number.isFinite(e.metric)) continue;
    if (previous !== null) {
      if (e.metric > previous) up += 1;
      else if (e.metric < previous) down += 1;
    }
    previous = e.metric;
  }
  const against = direction === 'min' ? up : down;
  const along = direction === 'min' ? down : up;
  if (against >= 2 && against > along) {
    const said = direction === 'min' ? 'lower is better' : 'higher is better';
    const other = direction === 'min' ? 'max' : 'min';
    return `${against} of ${against + along} kept changes moved ${metricName} the other way than "${said}". If that is wrong, build the report again with --metric-direction ${other}.`;
  }
  return null;
}
