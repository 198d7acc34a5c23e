// The tool-use loop that every API proposer shares (claude/ over the Messages API, openai/ over chat
// completions): send the conversation, read the reply's text, tool calls and usage, run the text editor
// tool calls in the restricted Workspace, send the results back, and end on an answer without tool calls
// or on a limit. Retries, the transcript, token accounting and undoing half a proposal live here once; a
// wire (ConversationWire) only says how its API sends a turn, reads a reply and takes tool results back.
import type { TokenUsage } from '../../shared/experiment.js';
import { ProposalAbortedError, ProposerFatalError, ProposerUnavailableError, type Proposal, type ProposalContext } from './proposer.js';
import { redactDeep, redactText } from './secrets-env.js';
import { describeFromText } from './claude/describe.js';
import { buildRunStatePrompt, buildSystemPrompt } from './claude/prompt.js';
import { createTextEditor, TEXT_EDITOR_TOOL_NAME, type ToolOutcome } from './claude/text-editor.js';
import { addCounts, tokenUsage, ZERO_COUNTS, type TokenCounts } from './claude/usage.js';

export const TRANSCRIPT_VERSION = 1;
/** Tool results kept whole in the transcript up to this size (a view of a big file is cut). */
const TRANSCRIPT_RESULT_CHARS = 60_000;

/** The transcript's view of a reply: the same shapes for every wire, so History shows them alike. */
export type TranscriptBlock =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool_use'; readonly id: string; readonly name: string; readonly input: unknown }
  | { readonly type: 'thinking'; readonly thinking: string }
  | { readonly type: string };

export interface ToolCall {
  readonly id: string;
  readonly name: string;
  readonly input: unknown;
  /** The wire could not parse the arguments (chat completions sends them as a JSON string). */
  readonly invalidArguments?: boolean;
}

/** One reply, read by the wire. */
export interface TurnReply {
  readonly stopReason: string | null;
  readonly counts: TokenCounts;
  /** The reply's text, trimmed: where the description and hypothesis are read from. */
  readonly text: string;
  readonly content: readonly TranscriptBlock[];
  readonly toolCalls: readonly ToolCall[];
}

export interface ToolResult {
  readonly toolUseId: string;
  readonly content: string;
  readonly isError: boolean;
}

/** What a failed request means: wait and retry, stop the run, reject this proposal, or the run was stopped. */
export type CallFailure =
  | { readonly kind: 'retry'; readonly message: string; readonly retryAfterMs: number | null }
  | { readonly kind: 'fatal'; readonly message: string }
  | { readonly kind: 'reject'; readonly message: string }
  | { readonly kind: 'aborted' };

/** A stop reason that ends the proposal as rejected (cut off, refused, context full). */
export interface StopRejection {
  /** The description when the reply's text gives none. */
  readonly fallback: string;
  /** Whether the reply's hypothesis (if any) is kept. */
  readonly keepHypothesis: boolean;
  readonly rejectedReason: string;
}

/** One conversation over one API: it holds the messages in the API's own format. */
export interface ConversationWire<R> {
  /** One request with the conversation so far; throws whatever the transport throws (see classify). */
  send(signal: AbortSignal): Promise<R>;
  classify(err: unknown, aborted: boolean): CallFailure;
  read(reply: R): TurnReply;
  /** Append the assistant's reply to the conversation as the API wants it back. */
  appendReply(reply: R): void;
  appendToolResults(results: readonly ToolResult[]): void;
  /** A reply that ends the proposal before its tool calls run, or null. */
  stopRejection(turn: TurnReply): StopRejection | null;
}

export interface RetryPolicy {
  readonly maxRetries: number;
  /** A retry-after longer than this is not waited out inside the proposal: the loop waits instead. */
  readonly maxInlineWaitMs: number;
  /** The wait when the server named none. */
  backoffMs(attempt: number): number;
  /** The ProposerUnavailableError's message after `attempts` failed attempts. */
  unavailable(message: string, attempts: number): string;
  /** The live status line while waiting; `nextAttempt` counts from 1. */
  retrying(message: string, waitSeconds: number, nextAttempt: number): string;
}

export interface ToolLoopSpec<R> {
  /** The proposer's name as the transcript records it. */
  readonly proposer: string;
  /** Removed from every text the proposal returns (the API key). */
  readonly secrets: readonly string[];
  readonly retry: RetryPolicy;
  /** The description of a proposal whose request the API refused. */
  readonly refusedDescription: string;
  /** Transcript fields after `model` (such as the server's address). */
  readonly transcriptHeader?: Readonly<Record<string, unknown>>;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Starts the conversation with the system prompt and the run-state prompt. */
  open(system: string, prompt: string): ConversationWire<R>;
}

export interface TranscriptTurn {
  readonly index: number;
  readonly stopReason: string | null;
  readonly usage: TokenCounts;
  readonly durationMs: number;
  readonly content: readonly TranscriptBlock[];
  readonly toolResults: ToolResult[];
}

export interface ToolLoopTranscript {
  readonly version: number;
  readonly proposer: string;
  readonly model: string;
  readonly experimentId: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly settings: Readonly<Record<string, unknown>>;
  readonly system: string;
  readonly prompt: string;
  readonly turns: readonly TranscriptTurn[];
  readonly retries: readonly { readonly turn: number; readonly attempt: number; readonly error: string; readonly waitMs: number }[];
  readonly toolCalls: number;
  readonly usage: TokenUsage;
  readonly outcome: { readonly description: string; readonly hypothesis: string; readonly rejectedReason: string | null; readonly changedFiles: readonly string[] };
}

const clip = (s: string, max: number) => (s.length <= max ? s : `${s.slice(0, max)}\n… (${s.length - max} more characters not saved)`);

export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
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

/** One proposal: the whole conversation, from the first request to the final answer or a limit. */
export async function runToolLoop<R>(ctx: ProposalContext, spec: ToolLoopSpec<R>): Promise<Proposal> {
  const { config } = ctx;
  const model = config.agent.model;
  const startedAt = new Date();
  const system = buildSystemPrompt(ctx, 'tool');
  const prompt = buildRunStatePrompt(ctx);
  const editor = createTextEditor(ctx.workspace);
  const sleep = spec.sleep ?? ((ms: number) => abortableSleep(ms, ctx.signal));
  const { retry, secrets } = spec;
  const wire = spec.open(system, prompt);

  const turns: TranscriptTurn[] = [];
  const retries: { turn: number; attempt: number; error: string; waitMs: number }[] = [];
  let counts = ZERO_COUNTS;
  let toolCalls = 0;
  const usage = () => tokenUsage(config, model, counts);
  const checkAborted = () => {
    if (ctx.signal.aborted) throw new ProposalAbortedError();
  };

  /** One request with retries. Returns the reply, or a reason to reject the proposal. */
  async function call(turn: number): Promise<{ readonly reply: R } | { readonly reject: string }> {
    for (let attempt = 0; ; attempt++) {
      checkAborted();
      let failure: CallFailure;
      try {
        return { reply: await wire.send(ctx.signal) };
      } catch (err) {
        failure = wire.classify(err, ctx.signal.aborted);
      }
      if (failure.kind === 'aborted') throw new ProposalAbortedError();
      if (failure.kind === 'fatal') throw new ProposerFatalError(failure.message);
      if (failure.kind === 'reject') return { reject: failure.message };
      const waitMs = failure.retryAfterMs ?? retry.backoffMs(attempt);
      if (attempt >= retry.maxRetries || waitMs > retry.maxInlineWaitMs) {
        const spent = usage();
        throw new ProposerUnavailableError(retry.unavailable(failure.message, attempt + 1), failure.retryAfterMs, {
          usage: spent.inputTokens + spent.outputTokens > 0 ? spent : null,
        });
      }
      retries.push({ turn, attempt: attempt + 1, error: failure.message, waitMs });
      ctx.onStatus?.(retry.retrying(failure.message, Math.max(1, Math.round(waitMs / 1000)), attempt + 2));
      await sleep(waitMs);
    }
  }

  async function finish(fields: { description: string; hypothesis: string; rejectedReason?: string }): Promise<Proposal> {
    const changedFiles = await editor.changedFiles();
    const total = usage();
    const transcript: ToolLoopTranscript = {
      version: TRANSCRIPT_VERSION,
      proposer: spec.proposer,
      model,
      ...spec.transcriptHeader,
      experimentId: ctx.experimentId,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      settings: spec.settings,
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

  async function runTool(use: ToolCall): Promise<ToolOutcome> {
    if (use.name !== TEXT_EDITOR_TOOL_NAME) return { content: `Unknown tool ${use.name}; the only tool is ${TEXT_EDITOR_TOOL_NAME}`, isError: true };
    if (use.invalidArguments) return { content: 'The tool arguments are not valid JSON; send a JSON object with command and path.', isError: true };
    return editor.execute(use.input);
  }

  try {
    for (let turn = 0; ; turn++) {
      const started = Date.now();
      const result = await call(turn);
      if ('reject' in result) return await finish({ description: spec.refusedDescription, hypothesis: '', rejectedReason: result.reject });
      const reply = wire.read(result.reply);
      counts = addCounts(counts, reply.counts);
      const record: TranscriptTurn = {
        index: turn,
        stopReason: reply.stopReason,
        usage: reply.counts,
        durationMs: Date.now() - started,
        content: reply.content,
        toolResults: [],
      };
      turns.push(record);
      wire.appendReply(result.reply);
      const described = describeFromText(reply.text);

      const stop = wire.stopRejection(reply);
      if (stop) {
        return await finish({
          description: described?.description ?? stop.fallback,
          hypothesis: stop.keepHypothesis ? (described?.hypothesis ?? '') : '',
          rejectedReason: stop.rejectedReason,
        });
      }
      if (reply.toolCalls.length === 0) {
        const changed = await editor.changedFiles();
        if (changed.length === 0) {
          return await finish({
            description: described?.description ?? 'No change proposed',
            hypothesis: described?.hypothesis ?? '',
            rejectedReason: 'The agent finished without changing any file.',
          });
        }
        return await finish({ description: described?.description ?? `Edit ${changed.join(', ')}`, hypothesis: described?.hypothesis ?? '' });
      }

      const results: ToolResult[] = [];
      for (const use of reply.toolCalls) {
        checkAborted();
        toolCalls += 1;
        if (toolCalls > config.agent.maxToolCalls) {
          return await finish({
            description: described?.description ?? 'Too many tool calls',
            hypothesis: '',
            rejectedReason: `The agent used more than agent.maxToolCalls (${config.agent.maxToolCalls}) tool calls without finishing.`,
          });
        }
        const outcome = await runTool(use);
        record.toolResults.push({ toolUseId: use.id, isError: outcome.isError, content: clip(outcome.content, TRANSCRIPT_RESULT_CHARS) });
        results.push({ toolUseId: use.id, isError: outcome.isError, content: outcome.content });
      }
      wire.appendToolResults(results);
    }
  } catch (err) {
    // The loop retries the same experiment after an outage and stops after a fatal error: either way the
    // worktree must not keep half a proposal.
    await editor.undo().catch(() => undefined);
    throw err;
  }
}
