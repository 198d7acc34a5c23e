// The `claude` proposer: one conversation with the Messages API per experiment. Claude reads and edits the
// slot's worktree only through the text editor tool, executed here in the restricted Workspace; the
// proposal ends when it answers without a tool call. API trouble is retried (honouring retry-after), then
// handed to the loop as "unavailable" so the run waits instead of dying; a bad key stops the run.
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
import type { TokenUsage } from '../../../shared/experiment.js';
import {
  ProposalAbortedError,
  ProposerFatalError,
  ProposerUnavailableError,
  type Proposal,
  type ProposalContext,
  type Proposer,
} from '../proposer.js';
import { redactDeep, redactText } from '../secrets-env.js';
import { classifyApiError, StreamIdleError } from './api-errors.js';
import { describeFromText } from './describe.js';
import { buildRunStatePrompt, buildSystemPrompt } from './prompt.js';
import { createTextEditor, TEXT_EDITOR_TOOL_NAME, TEXT_EDITOR_TOOL_TYPE } from './text-editor.js';
import { addCounts, countsOf, tokenUsage, ZERO_COUNTS, type TokenCounts } from './usage.js';

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

export const CLAUDE_TRANSCRIPT_VERSION = 1;
const DEFAULT_MAX_RETRIES = 4;
const DEFAULT_REQUEST_TIMEOUT_MS = 10 * 60_000;
const DEFAULT_IDLE_TIMEOUT_MS = 3 * 60_000;
const DEFAULT_MAX_INLINE_WAIT_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;
/** Tool results kept whole in the transcript up to this size (a view of a big file is cut). */
const TRANSCRIPT_RESULT_CHARS = 60_000;

type TranscriptBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: unknown }
  | { readonly type: 'thinking'; readonly thinking: string }
  | { readonly type: string };

export interface ClaudeTranscriptTurn {
  readonly index: number;
  readonly stopReason: string | null;
  readonly usage: TokenCounts;
  readonly durationMs: number;
  readonly content: readonly TranscriptBlock[];
  readonly toolResults: readonly { readonly toolUseId: string; readonly isError: boolean; readonly content: string }[];
}

export interface ClaudeTranscript {
  readonly version: number;
  readonly proposer: 'claude';
  readonly model: string;
  readonly experimentId: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly settings: { readonly maxTokens: number; readonly thinkingBudget: number; readonly maxToolCalls: number };
  readonly system: string;
  readonly prompt: string;
  readonly turns: readonly ClaudeTranscriptTurn[];
  readonly retries: readonly { readonly turn: number; readonly attempt: number; readonly error: string; readonly waitMs: number }[];
  readonly toolCalls: number;
  readonly usage: TokenUsage;
  readonly outcome: {
    readonly description: string;
    readonly hypothesis: string;
    readonly rejectedReason: string | null;
    readonly changedFiles: readonly string[];
  };
}

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
    async propose(ctx: ProposalContext): Promise<Proposal> {
      const { config } = ctx;
      const model = config.agent.model;
      const startedAt = new Date();
      const system = buildSystemPrompt(ctx, 'tool');
      const prompt = buildRunStatePrompt(ctx);
      const editor = createTextEditor(ctx.workspace);
      const sleep = opts.sleep ?? ((ms: number) => abortableSleep(ms, ctx.signal));

      const messages: MessageParam[] = [{ role: 'user', content: [{ type: 'text', text: prompt }] }];
      const turns: ClaudeTranscriptTurn[] = [];
      const retries: { turn: number; attempt: number; error: string; waitMs: number }[] = [];
      let counts = ZERO_COUNTS;
      let toolCalls = 0;

      const systemBlocks: TextBlockParam[] = [{ type: 'text', text: system, cache_control: { type: 'ephemeral' } }];
      const thinking = config.agent.thinkingBudget > 0 ? { type: 'enabled' as const, budget_tokens: config.agent.thinkingBudget } : null;

      const usage = () => tokenUsage(config, model, counts);
      const checkAborted = () => {
        if (ctx.signal.aborted) throw new ProposalAbortedError();
      };

      /** One API call with retries. Returns the message, or a reason to reject the proposal. */
      async function call(turn: number): Promise<Message | { readonly reject: string }> {
        const params: MessageStreamParams = {
          model,
          max_tokens: config.agent.maxTokens,
          system: systemBlocks,
          tools: [{ type: TEXT_EDITOR_TOOL_TYPE, name: TEXT_EDITOR_TOOL_NAME }],
          messages: withCacheBreakpoint(messages),
          ...(thinking ? { thinking } : {}),
        };
        for (let attempt = 0; ; attempt++) {
          checkAborted();
          try {
            return await streamOnce(params, ctx.signal);
          } catch (err) {
            const failure = classifyApiError(err, secrets, { aborted: ctx.signal.aborted, baseUrl });
            if (failure.kind === 'aborted') throw new ProposalAbortedError();
            if (failure.kind === 'fatal') throw new ProposerFatalError(failure.message);
            if (failure.kind === 'reject') return { reject: failure.message };
            const waitMs = failure.retryAfterMs ?? backoffMs(attempt);
            if (attempt >= maxRetries || waitMs > maxInlineWaitMs) {
              const spent = usage();
              throw new ProposerUnavailableError(
                `The Anthropic API is unavailable (${failure.message}) after ${attempt + 1} attempt${attempt === 0 ? '' : 's'}; the slot will wait and try again.`,
                failure.retryAfterMs,
                { usage: spent.inputTokens + spent.outputTokens > 0 ? spent : null },
              );
            }
            retries.push({ turn, attempt: attempt + 1, error: failure.message, waitMs });
            ctx.onStatus?.(`Anthropic API: ${failure.message}. Retrying in ${Math.max(1, Math.round(waitMs / 1000))} s (attempt ${attempt + 2} of ${maxRetries + 1})`);
            await sleep(waitMs);
          }
        }
      }

      async function finish(fields: { description: string; hypothesis: string; rejectedReason?: string }): Promise<Proposal> {
        const changedFiles = await editor.changedFiles();
        const total = usage();
        const transcript: ClaudeTranscript = {
          version: CLAUDE_TRANSCRIPT_VERSION,
          proposer: 'claude',
          model,
          experimentId: ctx.experimentId,
          startedAt: startedAt.toISOString(),
          finishedAt: new Date().toISOString(),
          settings: { maxTokens: config.agent.maxTokens, thinkingBudget: config.agent.thinkingBudget, maxToolCalls: config.agent.maxToolCalls },
          system,
          prompt,
          turns,
          retries,
          toolCalls,
          usage: total,
          outcome: {
            description: fields.description,
            hypothesis: fields.hypothesis,
            rejectedReason: fields.rejectedReason ?? null,
            changedFiles,
          },
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
          if ('reject' in result) {
            return await finish({ description: 'API request refused', hypothesis: '', rejectedReason: result.reject });
          }
          const message = result;
          const turnCounts = countsOf(message.usage);
          counts = addCounts(counts, turnCounts);
          const toolUses = message.content.filter((b): b is Extract<ContentBlock, { type: 'tool_use' }> => b.type === 'tool_use');
          const text = message.content
            .filter((b): b is Extract<ContentBlock, { type: 'text' }> => b.type === 'text')
            .map((b) => b.text)
            .join('\n')
            .trim();
          const record = {
            index: turn,
            stopReason: message.stop_reason,
            usage: turnCounts,
            durationMs: Date.now() - started,
            content: message.content.map(transcriptBlock),
            toolResults: [] as { toolUseId: string; isError: boolean; content: string }[],
          };
          turns.push(record);
          // Thinking blocks keep their signatures: the API requires them back unchanged in the next turn.
          messages.push({ role: 'assistant', content: message.content as ContentBlockParam[] });
          const described = describeFromText(text);

          if (message.stop_reason === 'refusal') {
            return await finish({
              description: described?.description ?? 'The model declined',
              hypothesis: described?.hypothesis ?? '',
              rejectedReason: 'The model declined to make this change (stop reason: refusal).',
            });
          }
          if (message.stop_reason === 'max_tokens') {
            return await finish({
              description: described?.description ?? 'Answer cut off',
              hypothesis: described?.hypothesis ?? '',
              rejectedReason: `The model's answer was cut off at agent.maxTokens (${config.agent.maxTokens} tokens) before it finished; raise agent.maxTokens or lower the thinking budget.`,
            });
          }
          if (message.stop_reason === 'model_context_window_exceeded') {
            return await finish({
              description: described?.description ?? 'Context window full',
              hypothesis: '',
              rejectedReason: 'The conversation outgrew the model\'s context window; lower agent.historyLimit or keep program.md shorter.',
            });
          }
          if (toolUses.length === 0) {
            // No server tools are offered, so pause_turn cannot carry unfinished work: an answer without
            // tool calls ends the proposal whatever its stop reason.
            const changed = await editor.changedFiles();
            if (changed.length === 0) {
              return await finish({
                description: described?.description ?? 'No change proposed',
                hypothesis: described?.hypothesis ?? '',
                rejectedReason: 'The agent finished without changing any file.',
              });
            }
            return await finish({
              description: described?.description ?? `Edit ${changed.join(', ')}`,
              hypothesis: described?.hypothesis ?? '',
            });
          }

          const results: ToolResultBlockParam[] = [];
          for (const use of toolUses) {
            checkAborted();
            toolCalls += 1;
            if (toolCalls > config.agent.maxToolCalls) {
              return await finish({
                description: described?.description ?? 'Too many tool calls',
                hypothesis: '',
                rejectedReason: `The agent used more than agent.maxToolCalls (${config.agent.maxToolCalls}) tool calls without finishing.`,
              });
            }
            const outcome =
              use.name === TEXT_EDITOR_TOOL_NAME
                ? await editor.execute(use.input)
                : { content: `Unknown tool ${use.name}; the only tool is ${TEXT_EDITOR_TOOL_NAME}`, isError: true };
            record.toolResults.push({ toolUseId: use.id, isError: outcome.isError, content: clip(outcome.content, TRANSCRIPT_RESULT_CHARS) });
            results.push({ type: 'tool_result', tool_use_id: use.id, content: outcome.content, ...(outcome.isError ? { is_error: true } : {}) });
          }
          messages.push({ role: 'user', content: results });
        }
      } catch (err) {
        // The loop retries the same experiment after an outage and stops after a fatal error: either way the
        // worktree must not keep half a proposal.
        await editor.undo().catch(() => undefined);
        throw err;
      }
    },
  };
}
