// The `openai-compatible` proposer: any /v1/chat/completions endpoint with tools (Ollama, vLLM, llama.cpp's
// server, LM Studio, hosted gateways). The same system prompt, run-state prompt (history, best diff, noise
// floor, crash tail, steering: the run's memory), the same text editor over the restricted Workspace and the
// same guardrails (tool-call cap, max tokens, diff guard in the loop) as the claude proposer, so only the
// wire format differs: the conversation is the shared tool-use loop (../tool-loop.ts) and this file is the
// chat-completions wire (request, error meanings, reading a reply, tool results as `tool` messages).
// Streamed and plain JSON answers are both read. Usage is recorded; the cost comes from the config's
// agent.prices for the model, or stays unknown.
import { type Proposal, type ProposalContext, type Proposer } from '../proposer.js';
import { redactText } from '../secrets-env.js';
import { runToolLoop, type CallFailure, type ToolCall, type TurnReply } from '../tool-loop.js';
import { retryAfterMsOf } from '../claude/api-errors.js';
import { TEXT_EDITOR_TOOL_NAME } from '../claude/text-editor.js';
import { ZERO_COUNTS } from '../claude/usage.js';
import { ChatFormatError, createStreamAccumulator, parseChatJson, readSse, type ChatMessage, type ChatResult } from './chat-wire.js';

export interface OpenAiProposerOptions {
  /** Checked base URL ending in /v1 (see base-url.ts); never from the project's config. */
  readonly baseUrl: string;
  /** Optional: local servers need none. */
  readonly apiKey?: string | null;
  /** Ask for a streamed answer (default true); a server that answers with plain JSON is read all the same. */
  readonly stream?: boolean;
  readonly fetchImpl?: typeof fetch;
  readonly maxRetries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly idleTimeoutMs?: number;
}

/** The text editor as a function tool: the same commands and parameters as Anthropic's text editor tool. */
export const EDITOR_FUNCTION = {
  type: 'function',
  function: {
    name: TEXT_EDITOR_TOOL_NAME,
    description:
      'View, create and edit files of the project. view: show a file with line numbers (or list a folder). str_replace: replace old_str, which must occur exactly once, by new_str. create: write a new file. insert: insert insert_text after line insert_line (0 = top).',
    parameters: {
      type: 'object',
      properties: {
        command: { type: 'string', enum: ['view', 'str_replace', 'create', 'insert'] },
        path: { type: 'string', description: 'Path relative to the project root, e.g. train.py' },
        view_range: { type: 'array', items: { type: 'integer' }, description: 'view only: [start, end] line numbers, end -1 for the end' },
        old_str: { type: 'string' },
        new_str: { type: 'string' },
        file_text: { type: 'string' },
        insert_line: { type: 'integer' },
        insert_text: { type: 'string' },
      },
      required: ['command', 'path'],
    },
  },
} as const;

class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly retryAfterMs: number | null,
  ) {
    super(`HTTP ${status}`);
  }
}

export function createOpenAiProposer(opts: OpenAiProposerOptions): Proposer {
  const fetchImpl = opts.fetchImpl ?? fetch;
  const apiKey = opts.apiKey?.trim() || null;
  const secrets = apiKey ? [apiKey] : [];
  const stream = opts.stream ?? true;
  const maxRetries = Math.max(0, opts.maxRetries ?? 3);
  const idleTimeoutMs = opts.idleTimeoutMs ?? 3 * 60_000;
  const endpoint = `${opts.baseUrl}/chat/completions`;

  async function callOnce(body: object, signal: AbortSignal): Promise<ChatResult> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => controller.abort(), idleTimeoutMs);
    };
    try {
      arm();
      const res = await fetchImpl(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: stream ? 'text/event-stream, application/json' : 'application/json', ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
        body: JSON.stringify(body),
        signal: controller.signal,
      });
      // The status is the error; its body only adds detail, so an unreadable one is left out.
      if (!res.ok) throw new HttpStatusError(res.status, (await res.text().catch(() => '')).slice(0, 2000), retryAfterMsOf(res.headers));
      if ((res.headers.get('content-type') ?? '').includes('text/event-stream') && res.body) {
        const acc = createStreamAccumulator();
        await readSse(res.body, acc.push, arm);
        return acc.result();
      }
      return parseChatJson(await res.json());
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  const where = `the model server at ${opts.baseUrl}`;

  return {
    name: 'openai-compatible',
    propose(ctx: ProposalContext): Promise<Proposal> {
      const { config } = ctx;
      const model = config.agent.model;
      const body = (messages: readonly ChatMessage[]) => ({
        model,
        messages,
        tools: [EDITOR_FUNCTION],
        tool_choice: 'auto',
        max_tokens: config.agent.maxTokens,
        stream,
        ...(stream ? { stream_options: { include_usage: true } } : {}),
      });

      function classify(err: unknown, aborted: boolean): CallFailure {
        if (aborted) return { kind: 'aborted' };
        if (err instanceof HttpStatusError) {
          const detail = redactText(err.body.replace(/\s+/g, ' ').trim().slice(0, 300), secrets);
          if (err.status === 401 || err.status === 403) return { kind: 'fatal', message: `${where} refused the key (HTTP ${err.status}): ${detail || 'no message'}. Check OPENAI_API_KEY.` };
          if (err.status === 404) return { kind: 'fatal', message: `${where} has no /chat/completions or no model "${model}" (HTTP 404): ${detail || 'no message'}. Check OPENAI_BASE_URL (it ends in /v1) and agent.model.` };
          if (err.status === 400 || err.status === 413 || err.status === 422) return { kind: 'reject', message: `${where} refused the request (HTTP ${err.status}): ${detail || 'no message'}` };
          return { kind: 'retry', message: `HTTP ${err.status}${detail ? `: ${detail}` : ''}`, retryAfterMs: err.retryAfterMs };
        }
        if (err instanceof ChatFormatError) return { kind: 'reject', message: `${where} answered in a format this app cannot read: ${err.message}` };
        // Our own idle timer aborts the fetch; the run's stop signal was handled above.
        const message = err instanceof Error ? (err.name === 'AbortError' ? `no data for ${Math.round(idleTimeoutMs / 1000)} s` : redactText(err.message, secrets)) : String(err);
        return { kind: 'retry', message, retryAfterMs: null };
      }

      return runToolLoop<ChatResult>(ctx, {
        proposer: 'openai-compatible',
        secrets,
        refusedDescription: 'Request refused by the model server',
        transcriptHeader: { baseUrl: opts.baseUrl },
        settings: { maxTokens: config.agent.maxTokens, maxToolCalls: config.agent.maxToolCalls, stream },
        ...(opts.sleep ? { sleep: opts.sleep } : {}),
        retry: {
          maxRetries,
          // No cap (unlike claude's): this proposer has always waited out a server's retry-after in the proposal.
          maxInlineWaitMs: Number.POSITIVE_INFINITY,
          backoffMs: (attempt) => Math.min(1000 * 2 ** attempt, 30_000),
          unavailable: (message) => `${where} is unavailable (${message}); the slot will wait and try again.`,
          retrying: (message, seconds) => `Model server: ${message}. Retrying in ${seconds} s`,
        },
        open(system, prompt) {
          const messages: ChatMessage[] = [
            { role: 'system', content: system },
            { role: 'user', content: prompt },
          ];
          return {
            send: (signal) => callOnce(body(messages), signal),
            classify,
            read: readResult,
            appendReply: (result) => void messages.push({ role: 'assistant', content: result.content || null, ...(result.toolCalls.length ? { tool_calls: result.toolCalls } : {}) }),
            // Chat completions has no error flag on a tool result: the word says it.
            appendToolResults: (results) => {
              for (const r of results) messages.push({ role: 'tool', tool_call_id: r.toolUseId, content: r.isError ? `Error: ${r.content}` : r.content });
            },
            // A cut-off answer with tool calls still runs them (the calls arrived whole); one without is rejected.
            stopRejection: (turn) =>
              turn.toolCalls.length === 0 && turn.stopReason === 'length'
                ? {
                    fallback: 'Answer cut off',
                    keepHypothesis: true,
                    rejectedReason: `The model's answer was cut off at agent.maxTokens (${config.agent.maxTokens} tokens) before it finished; raise agent.maxTokens.`,
                  }
                : null,
          };
        },
      });
    },
  };
}

function readResult(result: ChatResult): TurnReply {
  const text = result.content.trim();
  const toolCalls: ToolCall[] = result.toolCalls.map((c) => {
    const input = safeJson(c.function.arguments);
    return { id: c.id, name: c.function.name, input, ...(input === undefined ? { invalidArguments: true } : {}) };
  });
  return {
    stopReason: result.finishReason,
    counts: { ...ZERO_COUNTS, inputTokens: result.usage?.promptTokens ?? 0, outputTokens: result.usage?.completionTokens ?? 0 },
    text,
    // The same block shapes as the claude transcript, so History shows it the same way.
    content: [...(text ? [{ type: 'text' as const, text }] : []), ...toolCalls.map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: c.input }))],
    toolCalls,
  };
}

function safeJson(text: string): unknown {
  try {
    return text.trim() ? JSON.parse(text) : {};
  } catch {
    // Arguments that are not JSON: undefined, which the tool answers as bad input for the model to fix.
    return undefined;
  }
}
