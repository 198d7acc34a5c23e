// The config's agent section (who proposes the changes) and the token prices spend is counted with.
import { z } from 'zod';

export const PriceSchema = z.object({
  /** US dollars per million tokens. */
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheWrite: z.number().nonnegative(),
  cacheRead: z.number().nonnegative(),
});
export type Price = z.infer<typeof PriceSchema>;

/** A current Sonnet (claude-sonnet-4-5 reaches end of life on 2026-11-30 and makes the SDK warn). */
export const DEFAULT_MODEL = 'claude-sonnet-5-5';

const SONNET: Price = { input: 3, output: 15, cacheWrite: 3.75, cacheRead: 0.3 };
const HAIKU: Price = { input: 1, output: 5, cacheWrite: 1.25, cacheRead: 0.1 };
const OPUS: Price = { input: 5, output: 25, cacheWrite: 6.25, cacheRead: 0.5 };

/**
 * USD per million tokens, used to turn token counts into spend. These are list prices as the app
 * knows them; a model missing here has no cost (spend shows "—"). Add or correct entries in the
 * config's agent.prices, which win over this table.
 */
export const DEFAULT_PRICES: Record<string, Price> = {
  'claude-sonnet-5-5': SONNET,
  'claude-sonnet-5': SONNET,
  'claude-sonnet-4-6': SONNET,
  'claude-sonnet-4-5': SONNET,
  'claude-haiku-5-5': HAIKU,
  'claude-haiku-4-5': HAIKU,
  'claude-opus-5-5': OPUS,
  'claude-opus-5': OPUS,
  'claude-opus-4-8': OPUS,
  'claude-opus-4-7': OPUS,
  'claude-opus-4-6': OPUS,
  'claude-opus-4-5': OPUS,
};

export const AgentSchema = z.object({
  proposer: z.enum(['mutation', 'claude', 'command', 'openai-compatible']).default('mutation'),
  model: z.string().trim().min(1, 'Choose a model').default(DEFAULT_MODEL),
  maxTokens: z.number().int().min(256).max(128_000).default(16_000),
  /** Extended thinking budget in tokens; 0 turns thinking off. Must be below maxTokens. */
  thinkingBudget: z.number().int().min(0).default(0),
  /** Tool calls allowed in one proposal before it is cut off and rejected. */
  maxToolCalls: z.number().int().min(1).max(500).default(40),
  /** External agent CLI for the `command` proposer, e.g. `claude -p` or `codex exec`. */
  command: z.string().trim().nullable().default(null),
  commandPromptVia: z.enum(['stdin', 'arg']).default('stdin'),
  commandTimeoutSeconds: z.number().int().min(10).default(900),
  /** Largest diff (changed lines) a proposal may make before it is rejected. */
  maxDiffLines: z.number().int().min(1).default(2_000),
  /**
   * Pipelined proposals (docs/decisions.md): how many proposals the agent makes ahead, in their own
   * worktrees, while the slots train. null: one per slot, one slot included, so the GPU never waits for the
   * agent; the cost: a proposal sees the previous experiment's result one step late and may be carried onto a
   * newer best. 0: never ahead (each proposal sees the result of the one before, like a researcher alone).
   */
  queueDepth: z.number().int().min(0).max(64).nullable().default(null),
  /** Experiments of history shown to the agent. */
  historyLimit: z.number().int().min(0).max(1000).default(50),
  prices: z.record(z.string(), PriceSchema).default({}),
});
export type AgentConfig = z.infer<typeof AgentSchema>;
