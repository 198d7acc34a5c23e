// The token usage an agent CLI reports about itself, so the spend cap sees what a `command` proposal cost:
// - `claude -p --output-format json` prints one JSON object `{"type":"result", "result": "<answer>",
//   "usage": {...}, "total_cost_usd": …}`; `--output-format stream-json` prints JSON lines ending in one;
// - `codex exec --json` prints JSON lines; each `{"type":"turn.completed","usage":{input_tokens,
//   cached_input_tokens, output_tokens}}` adds up (older versions: `{"msg":{"type":"token_count",…}}`).
// Anything else reports nothing (null): plain-text CLIs stay as they were.
import type { TokenUsage } from '../../shared/experiment.js';

export interface AgentCliReport {
  readonly usage: TokenUsage | null;
  /** The agent's final answer when the output is JSON (its description lines are in here), else null. */
  readonly text: string | null;
}

const n = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);

function jsonObjects(output: string): Record<string, unknown>[] {
  const whole = output.trim();
  if (whole.startsWith('{') && whole.endsWith('}')) {
    try {
      return [JSON.parse(whole) as Record<string, unknown>];
    } catch {
      // Not one object: JSON lines, maybe.
    }
  }
  const out: Record<string, unknown>[] = [];
  for (const line of output.split('\n')) {
    const t = line.trim();
    if (!t.startsWith('{')) continue;
    try {
      const v = JSON.parse(t) as unknown;
      if (v && typeof v === 'object' && !Array.isArray(v)) out.push(v as Record<string, unknown>);
    } catch {
      // A line of plain text that happens to start with a brace.
    }
  }
  return out;
}

export function parseAgentCliReport(output: string): AgentCliReport {
  const objects = jsonObjects(output);
  // claude: the last "result" object.
  const result = [...objects].reverse().find((o) => o.type === 'result' && (o.usage || typeof o.result === 'string'));
  if (result) {
    const u = (result.usage ?? {}) as Record<string, unknown>;
    const usage: TokenUsage = {
      inputTokens: n(u.input_tokens),
      outputTokens: n(u.output_tokens),
      cacheCreationInputTokens: n(u.cache_creation_input_tokens),
      cacheReadInputTokens: n(u.cache_read_input_tokens),
      costUsd: typeof result.total_cost_usd === 'number' && Number.isFinite(result.total_cost_usd) ? result.total_cost_usd : null,
    };
    return { usage: result.usage ? usage : null, text: typeof result.result === 'string' ? result.result : null };
  }
  // codex: turn.completed usages (or token_count messages) add up; the last agent message is the answer.
  let found = false;
  let input = 0;
  let cached = 0;
  let outputTokens = 0;
  let text: string | null = null;
  for (const o of objects) {
    const msg = (o.msg ?? null) as Record<string, unknown> | null;
    const u = o.type === 'turn.completed' ? (o.usage as Record<string, unknown> | undefined) : msg?.type === 'token_count' ? msg : undefined;
    if (u) {
      found = true;
      input += n(u.input_tokens);
      cached += n(u.cached_input_tokens);
      outputTokens += n(u.output_tokens);
    }
    const item = (o.item ?? null) as Record<string, unknown> | null;
    if (o.type === 'item.completed' && item && (item.type === 'agent_message' || item.item_type === 'assistant_message') && typeof item.text === 'string') text = item.text;
    if (msg?.type === 'agent_message' && typeof msg.message === 'string') text = msg.message;
  }
  if (!found) return { usage: null, text };
  // codex counts cached input inside input_tokens; keep them apart as the claude proposer does.
  return { usage: { inputTokens: Math.max(0, input - cached), outputTokens, cacheCreationInputTokens: 0, cacheReadInputTokens: cached, costUsd: null }, text };
}
