import { describe, expect, it } from 'vitest';
import { addCounts, costOf, countsOf, tokenUsage, ZERO_COUNTS } from '../../src/core/agent/claude/usage.js';
import { testConfig } from '../fixtures/fake-anthropic/proposal-context.js';

describe('token usage and cost', () => {
  it('reads the API usage, treating null and missing cache counts as 0', () => {
    expect(countsOf({ input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: null })).toEqual({
      inputTokens: 10,
      outputTokens: 5,
      cacheCreationInputTokens: 0,
      cacheReadInputTokens: 0,
    });
  });

  it('adds turns up', () => {
    const a = countsOf({ input_tokens: 10, output_tokens: 5, cache_creation_input_tokens: 100, cache_read_input_tokens: 0 });
    const b = countsOf({ input_tokens: 3, output_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 100 });
    expect(addCounts(addCounts(ZERO_COUNTS, a), b)).toEqual({ inputTokens: 13, outputTokens: 12, cacheCreationInputTokens: 100, cacheReadInputTokens: 100 });
  });

  it('prices each kind of token from the table (USD per million)', () => {
    const config = testConfig();
    const c = { inputTokens: 1_000_000, outputTokens: 100_000, cacheCreationInputTokens: 200_000, cacheReadInputTokens: 2_000_000 };
    // claude-sonnet-4-5: 3 + 1.5 + 0.75 + 0.6
    expect(costOf(config, 'claude-sonnet-4-5', c)).toBeCloseTo(5.85, 9);
    expect(costOf(config, 'claude-haiku-4-5', c)).toBeCloseTo(1 + 0.5 + 0.25 + 0.2, 9);
  });

  it('prefers the config\'s price, and gives null for an unknown model', () => {
    const config = testConfig({ agent: { prices: { 'claude-sonnet-4-5': { input: 1, output: 1, cacheWrite: 1, cacheRead: 1 } } } });
    const c = { inputTokens: 500_000, outputTokens: 500_000, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 };
    expect(costOf(config, 'claude-sonnet-4-5', c)).toBe(1);
    expect(costOf(config, 'some-local-model', c)).toBeNull();
    expect(tokenUsage(config, 'some-local-model', c)).toEqual({ ...c, costUsd: null });
  });

  it('rounds to micro-dollars so sums stay clean', () => {
    const config = testConfig();
    expect(costOf(config, 'claude-sonnet-4-5', { inputTokens: 1, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 })).toBe(0.000003);
  });
});
