// The `claude` proposer: one conversation with the Messages API per experiment. Claude reads and edits the
// slot's worktree only through the text editor tool, executed here in the restricted Workspace; the
// proposal ends when it answers without a tool call. API trouble is retried (honouring retry-after), then
// handed to the loop as "unavailable" so the run waits instead of dying; a bad key stops the run.
// The conversation itself is the shared tool-use loop (../tool-loop.ts); this file is the Messages API's
// wire: the streamed request with prompt caching and thinking, its errors, and its stop reasons.
import { Anthropic } from '@anthropic-ai/sdk';
import type {
  ContentBlock,
  ContentBlockParam,
  Message,
  MessageParam,
  MessageStreamParams,
  TextBlockParam,
  ToolResultBlockParam,
} from '@anthropic-ai/sdk/resources/messages/messages';
import { ProposerFatalError, type Proposal, type ProposalContext, type Proposer } from '../proposer.js';
import { runToolLoop, type StopRejection, type TranscriptBlock, type TurnReply } from '../tool-loop.js';
import { classifyApiError, StreamIdleError } from './api-errors.js';
import { TEXT_EDITOR_TOOL_NAME, TEXT_EDITOR_TOOL_TYPE } from './text-editor.js';
import { countsOf } from './usage.js';

export interface ClaudeProposerOptions {
  readonly apiKey: string;
  /** Where the key goes; create-proposer.ts passes the checked ANTHROPIC_BASE_URL of the app (never a project's config). */
  readonly baseUrl?: string | null;
  readonly fetchImpl?: typeof fetch;
  /** Retries of one API call before the proposal gives up with ProposerUnavailableError. */
  readonly maxRetries?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Time allowed until the response headers arrive. */
  readonly requestTimeoutMs?: number;
  /** A stream that sends nothing (not even a ping) for this long is dropped and retried. */
  readonly idleTimeoutMs?: number;
  /** A retry-after longer than this is not waited out inside the proposal: the loop waits instead. */
  readonly maxInlineWaitMs?: number;
}

const DEFAULT_MAX_RETRIES = 4;
const DEFAULT_REQUEST_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_IDLE_TIMEOUT_MS = 3 * 60_000;
const DEFAULT_MAX_INLINE_WAIT_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

function transcriptBlock(block: ContentBlock): TranscriptBlock {
  switch (block.type) {
    case 'text':
      return { type: 'text', text: block.text };
    case 'tool_use':
      return { type: 'tool_use', id: block.id, name: block.name, input: block.input };
    case 'thinking':
      // The signature is opaque and only matters to the API; the record keeps the words.
      return { type: 'thinking', thinking: block.thinking };
    default:
      return { type: block.type };
  }
}

/** Exponential backoff with jitter: 1 s, 2 s, 4 s … capped, so parallel slots do not retry in step. */
function backoffMs(attempt: number): number {
  const base = Math.min(1000 * 2 ** attempt, MAX_BACKOFF_MS);
  return Math.round(base * (0.8 + Math.random() * 0.4));
}

/** The last block of the last message carries the rolling cache breakpoint, so each turn reuses the previous one. */
function withCacheBreakpoint(messages: readonly MessageParam[]): MessageParam[] {
  return messages.map((m, i) => {
    if (i !== messages.length - 1 || typeof m.content === 'string' || m.content.length === 0) return m;
    const content = m.content.map((block, j) =>
      j === m.content.length - 1 ? ({ ...block, cache_control: { type: 'ephemeral' } } as ContentBlockParam) : block,
    );
    return { ...m, content } as MessageParam;
  });
}

export function createClaudeProposer(opts: ClaudeProposerOptions): Proposer {
  const apiKey = opts.apiKey?.trim() ?? '';
  if (!apiKey) {
    throw new ProposerFatalError(
      'The claude proposer needs an Anthropic API key: set ANTHROPIC_API_KEY for the command line, or enter the key in the app\'s settings.',
    );
  }
  const secrets = [apiKey];
  const client = new Anthropic({
    apiKey,
    ...(opts.baseUrl ? { baseURL: opts.baseUrl } : {}),
    ...(opts.fetchImpl ? { fetch: opts.fetchImpl } : {}),
    // Retries are ours: they honour retry-after, report status, respect the run's stop signal and can be faked in tests.
    maxRetries: 0,
    timeout: opts.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
    // The SDK must not print requests (headers hold the key) whatever ANTHROPIC_LOG says.
    logLevel: 'off',
    openTelemetry: false,
  });
  const baseUrl = client.baseURL;
  const maxRetries = Math.max(0, opts.maxRetries ?? DEFAULT_MAX_RETRIES);
  const idleTimeoutMs = opts.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const maxInlineWaitMs = opts.maxInlineWaitMs ?? DEFAULT_MAX_INLINE_WAIT_MS;

  async function streamOnce(params: MessageStreamParams, signal: AbortSignal): Promise<Message> {
    const controller = new AbortController();
    const onAbort = () => controller.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    let idle = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        idle = true;
        controller.abort();
      }, idleTimeoutMs);
    };
    try {
      arm();
      const stream = client.messages.stream(params, { signal: controller.signal });
      stream.on('streamEvent', arm);
      const message = await stream.finalMessage();
      return message;
    } catch (err) {
      if (idle && !signal.aborted) throw new StreamIdleError(Math.round(idleTimeoutMs / 1000));
      throw err;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  return {
    name: 'claude',
    propose(ctx: ProposalContext): Promise<Proposal> {
      const { config } = ctx;
      const model = config.agent.model;
      const thinking = config.agent.thinkingBudget > 0 ? { type: 'enabled' as const, budget_tokens: config.agent.thinkingBudget } : null;
      return runToolLoop<Message>(ctx, {
        proposer: 'claude',
        secrets,
        refusedDescription: 'API request refused',
        settings: { maxTokens: config.agent.maxTokens, thinkingBudget: config.agent.thinkingBudget, maxToolCalls: config.agent.maxToolCalls },
        ...(opts.sleep ? { sleep: opts.sleep } : {}),
        retry: {
          maxRetries,
          maxInlineWaitMs,
          backoffMs,
          unavailable: (message, attempts) =>
            `The Anthropic API is unavailable (${message}) after ${attempts} attempt${attempts === 1 ? '' : 's'}; the slot will wait and try again.`,
          retrying: (message, seconds, next) => `Anthropic API: ${message}. Retrying in ${seconds} s (attempt ${next} of ${maxRetries + 1})`,
        },
        open(system, prompt) {
          const systemBlocks: TextBlockParam[] = [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }];
          const messages: MessageParam[] = [{ role: 'user', content: [{ type: 'text', text: prompt }] }];
          return {
            send: (signal) =>
              streamOnce(
                {
                  model,
                  max_tokens: config.agent.maxTokens,
                  system: systemBlocks,
                  tools: [{ type: TEXT_EDITOR_TOOL_TYPE, name: TEXT_EDITOR_TOOL_NAME }],
                  messages: withCacheBreakpoint(messages),
                  ...(thinking ? { thinking } : {}),
                },
                signal,
              ),
            classify: (err, aborted) => classifyApiError(err, secrets, { aborted, baseUrl }),
            read: readMessage,
            // Thinking blocks keep their signatures: the API requires them back unchanged in the next turn.
            appendReply: (message) => void messages.push({ role: 'assistant', content: message.content as ContentBlockParam[] }),
            appendToolResults: (results) =>
              void messages.push({
                role: 'user',
                content: results.map(
                  (r): ToolResultBlockParam => ({ type: 'tool_result', tool_use_id: r.toolUseId, content: r.content, ...(r.isError ? { is_error: true } : {}) }),
                ),
              }),
            stopRejection: (turn) => stopRejection(turn.stopReason, config.agent.maxTokens),
          };
        },
      });
    },
  };
}

function readMessage(message: Message): TurnReply {
  return {
    stopReason: message.stop_reason,
    counts: countsOf(message.usage),
    text: message.content
      .filter((b): b is Extract<ContentBlock, { type: 'text' }> => b.type === 'text')
      .map((b) => b.text)
      .join('\n')
      .trim(),
    content: message.content.map(transcriptBlock),
    toolCalls: message.content
      .filter((b): b is Extract<ContentBlock, { type: 'tool_use' }> => b.type === 'tool_use')
      .map((b) => ({ id: b.id, name: b.name, input: b.input })),
  };
}

/**
 * These stop reasons end the proposal whether or not the reply has tool calls. No server tools are offered,
 * so pause_turn cannot carry unfinished work: an answer without tool calls ends the proposal whatever its
 * stop reason (the shared loop's rule).
 */
function stopRejection(stopReason: string | null, maxTokens: number): StopRejection | null {
  switch (stopReason) {
    case 'refusal':
      return { fallback: 'The model declined', keepHypothesis: true, rejectedReason: 'The model declined to make this change (stop reason: refusal).' };
    case 'max_tokens':
      return {
        fallback: 'Answer cut off',
        keepHypothesis: true,
        rejectedReason: `The model's answer was cut off at agent.maxTokens (${maxTokens} tokens) before it finished; raise agent.maxTokens or lower the thinking budget.`,
      };
    case 'model_context_window_exceeded':
      return {
        fallback: 'Context window full',
        keepHypothesis: false,
        rejectedReason: 'The conversation outgrew the model\'s context window; lower agent.historyLimit or keep program.md shorter.',
      };
    default:
      return null;
  }
}
