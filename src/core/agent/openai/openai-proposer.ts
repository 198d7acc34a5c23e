// The `openai-compatible` proposer: any /v1/chat/completions endpoint with tools (Ollama, vLLM, llama.cpp's
// server, LM Studio, hosted gateways). The same system prompt, run-state prompt (history, best diff, noise
// floor, crash tail, steering: the run's memory), the same text editor over the restricted Workspace and the
// same guardrails (tool-call cap, max tokens, diff guard in the loop) as the claude proposer, so only the
// wire format differs. Streamed and plain JSON answers are both read. Usage is recorded; the cost comes from
// the config's agent.prices for the model, or stays unknown.
import type { TokenUsage } from '../../../shared/experiment.js';
import { ProposalAbortedError, ProposerFatalError, ProposerUnavailableError, type Proposal, type ProposalContext, type Proposer } from '../proposer.js';
import { redactDeep, redactText } from '../secrets-env.js';
import { retryAfterMsOf } from '../claude/api-errors.js';
import { describeFromText } from '../claude/describe.js';
import { buildRunStatePrompt, buildSystemPrompt } from '../claude/prompt.js';
import { createTextEditor, TEXT_EDITOR_TOOL_NAME } from '../claude/text-editor.js';
import { tokenUsage, ZERO_COUNTS, type TokenCounts } from '../claude/usage.js';
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

const TRANSCRIPT_RESULT_CHARS = 60_000;

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

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max)}\n… (${s.length - max} more characters not saved)`);

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new ProposalAbortedError());
    const onAbort = () => {
      clearTimeout(timer);
      reject(new ProposalAbortedError());
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
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

  return {
    name: 'openai-compatible',
    async propose(ctx: ProposalContext): Promise<Proposal> {
      const { config } = ctx;
      const model = config.agent.model;
      const startedAt = new Date();
      const system = buildSystemPrompt(ctx, 'tool');
      const prompt = buildRunStatePrompt(ctx);
      const editor = createTextEditor(ctx.workspace);
      const sleep = opts.sleep ?? ((ms: number) => abortableSleep(ms, ctx.signal));
      const messages: ChatMessage[] = [
        { role: 'system', content: system },
        { role: 'user', content: prompt },
      ];
      const turns: { index: number; stopReason: string | null; usage: TokenCounts; durationMs: number; content: unknown[]; toolResults: { toolUseId: string; isError: boolean; content: string }[] }[] = [];
      const retries: { turn: number; attempt: number; error: string; waitMs: number }[] = [];
      let counts: TokenCounts = ZERO_COUNTS;
      let toolCalls = 0;
      const usage = (): TokenUsage => tokenUsage(config, model, counts);
      const where = `the model server at ${opts.baseUrl}`;

      async function call(turn: number): Promise<ChatResult | { readonly reject: string }> {
        const body = {
          model,
          messages,
          tools: [EDITOR_FUNCTION],
          tool_choice: 'auto',
          max_tokens: config.agent.maxTokens,
          stream,
          ...(stream ? { stream_options: { include_usage: true } } : {}),
        };
        for (let attempt = 0; ; attempt++) {
          if (ctx.signal.aborted) throw new ProposalAbortedError();
          let message: string;
          let retryAfterMs: number | null = null;
          try {
            return await callOnce(body, ctx.signal);
          } catch (err) {
            if (ctx.signal.aborted) throw new ProposalAbortedError();
            if (err instanceof HttpStatusError) {
              const detail = redactText(err.body.replace(/\s+/g, ' ').trim().slice(0, 300), secrets);
              if (err.status === 401 || err.status === 403) throw new ProposerFatalError(`${where} refused the key (HTTP ${err.status}): ${detail || 'no message'}. Check OPENAI_API_KEY.`);
              if (err.status === 404) throw new ProposerFatalError(`${where} has no /chat/completions or no model "${model}" (HTTP 404): ${detail || 'no message'}. Check OPENAI_BASE_URL (it ends in /v1) and agent.model.`);
              if (err.status === 400 || err.status === 413 || err.status === 422) return { reject: `${where} refused the request (HTTP ${err.status}): ${detail || 'no message'}` };
              message = `HTTP ${err.status}${detail ? `: ${detail}` : ''}`;
              retryAfterMs = err.retryAfterMs;
            } else if (err instanceof ChatFormatError) {
              return { reject: `${where} answered in a format this app cannot read: ${err.message}` };
            } else {
              message = err instanceof Error ? (err.name === 'AbortError' ? `no data for ${Math.round(idleTimeoutMs / 1000)} s` : redactText(err.message, secrets)) : String(err);
            }
          }
          const waitMs = retryAfterMs ?? Math.min(1000 * 2 ** attempt, 30_000);
          if (attempt >= maxRetries) {
            const spent = usage();
            throw new ProposerUnavailableError(`${where} is unavailable (${message}); the slot will wait and try again.`, retryAfterMs, {
              usage: spent.inputTokens + spent.outputTokens > 0 ? spent : null,
            });
          }
          retries.push({ turn, attempt: attempt + 1, error: message, waitMs });
          ctx.onStatus?.(`Model server: ${message}. Retrying in ${Math.max(1, Math.round(waitMs / 1000))} s`);
          await sleep(waitMs);
        }
      }

      async function finish(fields: { description: string; hypothesis: string; rejectedReason?: string }): Promise<Proposal> {
        const changedFiles = await editor.changedFiles();
        const total = usage();
        const transcript = {
          version: 1,
          proposer: 'openai-compatible',
          model,
          baseUrl: opts.baseUrl,
          experimentId: ctx.experimentId,
          startedAt: startedAt.toISOString(),
          finishedAt: new Date().toISOString(),
          settings: { maxTokens: config.agent.maxTokens, maxToolCalls: config.agent.maxToolCalls, stream },
          system,
          prompt,
          turns,
          retries,
          toolCalls,
          usage: total,
          outcome: { description: fields.description, hypothesis: fields.hypothesis, rejectedReason: fields.rejectedReason ?? null, changedFiles },
        };
        return {
          description: redactText(fields.description, secrets),
          hypothesis: redactText(fields.hypothesis, secrets),
          usage: total,
          transcript: redactDeep(transcript, secrets),
          ...(fields.rejectedReason ? { rejectedReason: redactText(fields.rejectedReason, secrets) } : {}),
        };
      }

      try {
        for (let turn = 0; ; turn++) {
          const started = Date.now();
          const result = await call(turn);
          if ('reject' in result) return await finish({ description: 'Request refused by the model server', hypothesis: '', rejectedReason: result.reject });
          const turnCounts: TokenCounts = { ...ZERO_COUNTS, inputTokens: result.usage?.promptTokens ?? 0, outputTokens: result.usage?.completionTokens ?? 0 };
          counts = { ...counts, inputTokens: counts.inputTokens + turnCounts.inputTokens, outputTokens: counts.outputTokens + turnCounts.outputTokens };
          const text = result.content.trim();
          const record = {
            index: turn,
            stopReason: result.finishReason,
            usage: turnCounts,
            durationMs: Date.now() - started,
            // The same block shapes as the claude transcript, so History shows it the same way.
            content: [
              ...(text ? [{ type: 'text', text }] : []),
              ...result.toolCalls.map((c) => ({ type: 'tool_use', id: c.id, name: c.function.name, input: safeJson(c.function.arguments) })),
            ],
            toolResults: [] as { toolUseId: string; isError: boolean; content: string }[],
          };
          turns.push(record);
          messages.push({ role: 'assistant', content: result.content || null, ...(result.toolCalls.length ? { tool_calls: result.toolCalls } : {}) });
          const described = describeFromText(text);

          if (result.toolCalls.length === 0) {
            if (result.finishReason === 'length') {
              return await finish({
                description: described?.description ?? 'Answer cut off',
                hypothesis: described?.hypothesis ?? '',
                rejectedReason: `The model's answer was cut off at agent.maxTokens (${config.agent.maxTokens} tokens) before it finished; raise agent.maxTokens.`,
              });
            }
            const changed = await editor.changedFiles();
            if (changed.length === 0) {
              return await finish({ description: described?.description ?? 'No change proposed', hypothesis: described?.hypothesis ?? '', rejectedReason: 'The agent finished without changing any file.' });
            }
            return await finish({ description: described?.description ?? `Edit ${changed.join(', ')}`, hypothesis: described?.hypothesis ?? '' });
          }

          for (const use of result.toolCalls) {
            if (ctx.signal.aborted) throw new ProposalAbortedError();
            toolCalls += 1;
            if (toolCalls > config.agent.maxToolCalls) {
              return await finish({
                description: described?.description ?? 'Too many tool calls',
                hypothesis: '',
                rejectedReason: `The agent used more than agent.maxToolCalls (${config.agent.maxToolCalls}) tool calls without finishing.`,
              });
            }
            const input = safeJson(use.function.arguments);
            const outcome =
              use.function.name !== TEXT_EDITOR_TOOL_NAME
                ? { content: `Unknown tool ${use.function.name}; the only tool is ${TEXT_EDITOR_TOOL_NAME}`, isError: true }
                : input === undefined
                  ? { content: 'The tool arguments are not valid JSON; send a JSON object with command and path.', isError: true }
                  : await editor.execute(input);
            record.toolResults.push({ toolUseId: use.id, isError: outcome.isError, content: clip(outcome.content, TRANSCRIPT_RESULT_CHARS) });
            messages.push({ role: 'tool', tool_call_id: use.id, content: outcome.isError ? `Error: ${outcome.content}` : outcome.content });
          }
        }
      } catch (err) {
        // An outage is retried as the same experiment and a fatal error stops the run: no half proposal stays.
        await editor.undo().catch(() => undefined);
        throw err;
      }
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return text.trim() ? JSON.parse(text) : {};
  } catch {
    return undefined;
  }
}
