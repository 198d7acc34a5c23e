// The acceptance rule in words, one sentence each, for the setup form, `autoresearch init` and the agent's
// prompt, plus what it costs in trainer runs (bench/acceptance measured the noise-aware rule's overhead).
import type { AcceptanceConfig } from './config.js';

/** Trainer runs of the noise-aware rule relative to the classic rule, from bench/acceptance (README). */
export const NOISE_AWARE_RUN_FACTOR = 1.4;

/** One sentence: what the rule keeps. */
export function describeAcceptanceRule(a: Pick<AcceptanceConfig, 'rule' | 'falseKeepRate' | 'confirmRuns'>): string {
  if (a.rule === 'classic') return 'Classic (autoresearch): a change is kept when it beats the best by more than the minimum improvement, on one run (a narrow win is re-run when confirmation runs are set).';
  return `Noise-aware: a change is kept only when its gain stands above the noise measured from repeated runs, at a ${formatRate(a.falseKeepRate)} false-keep rate; a promising win is confirmed by up to ${a.confirmRuns} more run${a.confirmRuns === 1 ? '' : 's'} and the best is measured again beside it.`;
}

/** One sentence: the GPU time it adds over one run per candidate. */
export function describeAcceptanceCost(a: Pick<AcceptanceConfig, 'rule' | 'baselineRuns' | 'confirmRuns'>, budgetSeconds: number | null): string {
  const extraBaseline = a.baselineRuns - 1;
  const baseline = extraBaseline > 0 ? `${extraBaseline} extra baseline run${extraBaseline === 1 ? '' : 's'}${budgetSeconds ? ` (${formatSeconds(extraBaseline * budgetSeconds)})` : ''}` : '';
  if (a.rule === 'classic') {
    const confirm = a.confirmRuns > 0 ? `up to ${a.confirmRuns} more run${a.confirmRuns === 1 ? '' : 's'} for each narrow win` : '';
    const parts = [baseline, confirm].filter(Boolean);
    return parts.length ? `GPU cost: ${parts.join(' and ')}.` : 'GPU cost: one run per candidate, nothing extra.';
  }
  const per = budgetSeconds ? ` (about ${formatSeconds(budgetSeconds * NOISE_AWARE_RUN_FACTOR)} per candidate instead of ${formatSeconds(budgetSeconds)})` : '';
  return `GPU cost: about ${NOISE_AWARE_RUN_FACTOR}× the trainer runs of the classic rule${per}${baseline ? `, plus ${baseline}` : ''}.`;
}

function formatRate(r: number): string {
  return `${Number((r * 100).toPrecision(3))} %`;
}

function formatSeconds(s: number): string {
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  return `${(s / 3600).toFixed(1)} h`;
}
