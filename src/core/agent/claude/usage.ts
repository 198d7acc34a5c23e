// Token usage of a proposal (all its API calls added up) and its price from the config's table.
import { priceFor, type ProjectConfig } from '../../../shared/config.js';
import type { TokenUsage } from '../../../shared/experiment.js';

/** The usage fields of an API response, as the SDK types them (null where the API left one out). */
export interface ApiUsage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_creation_input_tokens?: number | null;
  readonly cache_read_input_tokens?: number | null;
}

export interface TokenCounts {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cacheCreationInputTokens: number;
  readonly cacheReadInputTokens: number;
}

export const ZERO_COUNTS: TokenCounts = { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };

const n = (v: number | null | undefined) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

export function countsOf(usage: ApiUsage): TokenCounts {
  return {
    inputTokens: n(usage.input_tokens),
    outputTokens: n(usage.output_tokens),
    cacheCreationInputTokens: n(usage.cache_creation_input_tokens),
    cacheReadInputTokens: n(usage.cache_read_input_tokens),
  };
}

export function addCounts(a: TokenCounts, b: TokenCounts): TokenCounts {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
  };
}

/** US dollars for these tokens, or null when the model has no price in the table. */
export function costOf(config: ProjectConfig, model: string, c: TokenCounts): number | null {
  const price = priceFor(config, model);
  if (!price) return null;
  const dollars =
    (c.inputTokens * price.input +
      c.outputTokens * price.output +
      c.cacheCreationInputTokens * price.cacheWrite +
      c.cacheReadInputTokens * price.cacheRead) /
    1_000_000;
  // Micro-dollar precision: enough for a spend cap, and no float noise like 0.30000000000000004 in the journal.
  return Math.round(dollars * 1e6) / 1e6;
}

export function tokenUsage(config: ProjectConfig, model: string, c: TokenCounts): TokenUsage {
  return { ...c, costUsd: costOf(config, model, c) };
}
