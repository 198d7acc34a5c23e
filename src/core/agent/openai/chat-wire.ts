// The OpenAI-compatible /v1/chat/completions wire format, as Ollama, vLLM, llama.cpp's server, LM Studio and
// hosted gateways speak it: one request, and the assistant message read back either from a JSON body or
// from a server-sent event stream whose chunks carry text and tool-call fragments (by index) to be joined.
//
// Why hand-written and not the official `openai` npm package (evaluated, not a dependency): the package
// would serve both needs (chat.completions.stream() joins tool-call fragments, finalChatCompletion() gives
// the message and, with stream_options.include_usage, the usage; it takes baseURL, fetch, maxRetries: 0 and
// a timeout, and its errors carry status and headers like the Anthropic SDK's, so a classifier like
// claude/api-errors.ts would fit). Against it: a new dependency for ~120 lines, and a server that answers a
// streamed request with plain JSON (which this reader accepts) would need a fallback outside the SDK.
// Switching later touches only this wire and openai-proposer.ts: the tool-use loop is shared (../tool-loop.ts).

export interface ChatToolCall {
  readonly id: string;
  readonly type: 'function';
  readonly function: { readonly name: string; readonly arguments: string };
}

export type ChatMessage =
  | { readonly role: 'system' | 'user'; readonly content: string }
  | { readonly role: 'assistant'; readonly content: string | null; readonly tool_calls?: readonly ChatToolCall[] }
  | { readonly role: 'tool'; readonly tool_call_id: string; readonly content: string };

export interface ChatResult {
  readonly content: string;
  readonly toolCalls: readonly ChatToolCall[];
  readonly finishReason: string | null;
  readonly usage: { readonly promptTokens: number; readonly completionTokens: number } | null;
}

interface UsageWire {
  readonly prompt_tokens?: number;
  readonly completion_tokens?: number;
}

const count = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
const usageOf = (u: UsageWire | null | undefined) => (u && typeof u === 'object' ? { promptTokens: count(u.prompt_tokens), completionTokens: count(u.completion_tokens) } : null);

export class ChatFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChatFormatError';
  }
}

/** A non-streamed response body. */
export function parseChatJson(body: unknown): ChatResult {
  const choice = (body as { choices?: unknown[] })?.choices?.[0] as
    | { message?: { content?: unknown; tool_calls?: unknown[] }; finish_reason?: unknown }
    | undefined;
  if (!choice || typeof choice !== 'object' || !choice.message) throw new ChatFormatError('The response has no choices[0].message; is this a /v1/chat/completions endpoint?');
  const calls = (Array.isArray(choice.message.tool_calls) ? choice.message.tool_calls : []).map((c, i) => {
    const call = c as { id?: unknown; function?: { name?: unknown; arguments?: unknown } };
    const args = call.function?.arguments;
    return {
      id: typeof call.id === 'string' && call.id ? call.id : `call_${i}`,
      type: 'function' as const,
      function: { name: String(call.function?.name ?? ''), arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}) },
    };
  });
  return {
    content: typeof choice.message.content === 'string' ? choice.message.content : '',
    toolCalls: calls,
    finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
    usage: usageOf((body as { usage?: UsageWire }).usage),
  };
}

/** Joins stream chunks; tool calls arrive as fragments keyed by index (id and name first, arguments in pieces). */
export function createStreamAccumulator() {
  let content = '';
  let finishReason: string | null = null;
  let usage: ChatResult['usage'] = null;
  const calls = new Map<number, { id: string; name: string; args: string }>();
  return {
    push(chunk: unknown): void {
      const c = chunk as { choices?: { delta?: { content?: unknown; tool_calls?: unknown[] }; finish_reason?: unknown }[]; usage?: UsageWire };
      if (c.usage) usage = usageOf(c.usage);
      const choice = c.choices?.[0];
      if (!choice) return;
      if (typeof choice.delta?.content === 'string') content += choice.delta.content;
      for (const raw of choice.delta?.tool_calls ?? []) {
        const t = raw as { index?: unknown; id?: unknown; function?: { name?: unknown; arguments?: unknown } };
        const index = typeof t.index === 'number' ? t.index : calls.size;
        const entry = calls.get(index) ?? { id: '', name: '', args: '' };
        if (typeof t.id === 'string' && t.id) entry.id = t.id;
        if (typeof t.function?.name === 'string') entry.name += t.function.name;
        if (typeof t.function?.arguments === 'string') entry.args += t.function.arguments;
        calls.set(index, entry);
      }
      if (typeof choice.finish_reason === 'string') finishReason = choice.finish_reason;
    },
    result(): ChatResult {
      const toolCalls = [...calls.entries()]
        .sort(([a], [b]) => a - b)
        .map(([i, e]) => ({ id: e.id || `call_${i}`, type: 'function' as const, function: { name: e.name, arguments: e.args } }));
      return { content, toolCalls, finishReason, usage };
    },
  };
}

/** Reads `data:` lines of a server-sent event stream until `[DONE]` or the end; calls onChunk for each parsed JSON. */
export async function readSse(body: ReadableStream<Uint8Array>, onChunk: (chunk: unknown) => void, onActivity: () => void): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    onActivity();
    buffer += decoder.decode(value, { stream: true });
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).replace(/\r$/, '');
      buffer = buffer.slice(nl + 1);
      if (!line.startsWith('data:')) continue;
      const data = line.slice(5).trim();
      if (data === '[DONE]') {
        // The answer is complete; closing the rest of the stream is a courtesy to the server.
        await reader.cancel().catch(() => undefined);
        return;
      }
      if (!data) continue;
      let parsed: unknown;
      try {
        parsed = JSON.parse(data);
      } catch {
        throw new ChatFormatError(`The stream sent a line that is not JSON: ${data.slice(0, 120)}`);
      }
      const error = (parsed as { error?: { message?: unknown } }).error;
      if (error) throw new ChatFormatError(`The server reported an error mid-stream: ${String(error.message ?? JSON.stringify(error)).slice(0, 300)}`);
      onChunk(parsed);
    }
  }
}
