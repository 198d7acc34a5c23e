// The tool-use loop both API proposers share, driven by a scripted in-memory wire (no network): tool calls
// edit a real worktree, results go back with their ids, usage adds up, retries follow the wire's policy, and
// every way a proposal ends (answer, no change, stop reason, tool-call cap, refusal, outage, fatal, stop).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProposalAbortedError, ProposerFatalError, ProposerUnavailableError, type ProposalContext } from '../../src/core/agent/proposer.js';
import {
  runToolLoop,
  type CallFailure,
  type RetryPolicy,
  type StopRejection,
  type ToolCall,
  type ToolLoopSpec,
  type ToolLoopTranscript,
  type ToolResult,
  type TurnReply,
} from '../../src/core/agent/tool-loop.js';
import { TEXT_EDITOR_TOOL_NAME } from '../../src/core/agent/claude/text-editor.js';
import { ZERO_COUNTS } from '../../src/core/agent/claude/usage.js';
import { makeTestProject, proposalContext, testConfig, type TestProject } from '../fixtures/fake-anthropic/proposal-context.js';

/** A step of the script: a reply, or an error the wire's send throws. */
type Step = TurnReply | { readonly throws: unknown };

class ScriptedError extends Error {
  constructor(readonly failure: CallFailure) {
    super('scripted');
  }
}

let project: TestProject | null = null;
afterEach(async () => {
  await project?.cleanup();
  project = null;
});

const SECRET = 'sk-test-secret-0123456789';

function reply(fields: { text?: string; calls?: ToolCall[]; stop?: string | null; input?: number; output?: number }): TurnReply {
  const text = fields.text ?? '';
  const calls = fields.calls ?? [];
  return {
    stopReason: fields.stop === undefined ? (calls.length ? 'tool_use' : 'end_turn') : fields.stop,
    counts: { ...ZERO_COUNTS, inputTokens: fields.input ?? 100, outputTokens: fields.output ?? 10 },
    text,
    content: [...(text ? [{ type: 'text' as const, text }] : []), ...calls.map((c) => ({ type: 'tool_use' as const, id: c.id, name: c.name, input: c.input }))],
    toolCalls: calls,
  };
}

const edit = (id: string, input: Record<string, unknown>): ToolCall => ({ id, name: TEXT_EDITOR_TOOL_NAME, input });
const setLr = (id: string, value: string) => edit(id, { command: 'str_replace', path: 'train.py', old_str: 'LEARNING_RATE = 0.04', new_str: `LEARNING_RATE = ${value}` });

interface Harness {
  readonly spec: ToolLoopSpec<TurnReply>;
  readonly sent: number[];
  readonly appended: TurnReply[];
  readonly results: ToolResult[][];
  readonly sleeps: number[];
  readonly opened: { system: string; prompt: string }[];
}

function harness(steps: Step[], opts: { retry?: Partial<RetryPolicy>; stop?: (t: TurnReply) => StopRejection | null; onSleep?: () => void } = {}): Harness {
  const h = { sent: [] as number[], appended: [] as TurnReply[], results: [] as ToolResult[][], sleeps: [] as number[], opened: [] as { system: string; prompt: string }[] };
  let i = 0;
  const spec: ToolLoopSpec<TurnReply> = {
    proposer: 'scripted',
    secrets: [SECRET],
    refusedDescription: 'Refused by the script',
    transcriptHeader: { where: 'memory' },
    settings: { scripted: true },
    sleep: async (ms) => {
      h.sleeps.push(ms);
      opts.onSleep?.();
    },
    retry: {
      maxRetries: 2,
      maxInlineWaitMs: 5_000,
      backoffMs: (attempt) => 100 * (attempt + 1),
      unavailable: (message, attempts) => `script unavailable (${message}) after ${attempts}`,
      retrying: (message, seconds, next) => `script: ${message}, again in ${seconds} s, attempt ${next}`,
      ...opts.retry,
    },
    open(system, prompt) {
      h.opened.push({ system, prompt });
      return {
        async send() {
          h.sent.push(i);
          const step = steps[i++];
          if (!step) throw new Error(`the script has no step ${i - 1}`);
          if ('throws' in step) throw step.throws;
          return step;
        },
        classify: (err, aborted) => (aborted ? { kind: 'aborted' } : err instanceof ScriptedError ? err.failure : { kind: 'retry', message: String(err), retryAfterMs: null }),
        read: (r) => r,
        appendReply: (r) => void h.appended.push(r),
        appendToolResults: (results) => void h.results.push([...results]),
        stopRejection: opts.stop ?? (() => null),
      };
    },
  };
  return { spec, ...h };
}

async function setup(agent: Record<string, unknown> = {}, fields: Partial<ProposalContext> = {}): Promise<{ ctx: ProposalContext; statuses: string[]; train: () => Promise<string> }> {
  const config = testConfig({ agent: { proposer: 'claude', model: 'scripted-model', prices: { 'scripted-model': { input: 3, output: 15, cacheWrite: 0, cacheRead: 0 } }, ...agent } });
  project = await makeTestProject({ config });
  const statuses: string[] = [];
  const worktree = project.worktree;
  return {
    ctx: proposalContext(project, { onStatus: (m) => statuses.push(m), ...fields }),
    statuses,
    train: () => readFile(path.join(worktree, 'train.py'), 'utf8'),
  };
}

const retryable = (message: string, retryAfterMs: number | null = null) => ({ throws: new ScriptedError({ kind: 'retry', message, retryAfterMs }) });

describe('the shared tool-use loop', () => {
  it('runs tool calls in the worktree, sends results back with their ids, adds up usage and ends on the answer', async () => {
    const { ctx, train } = await setup();
    const h = harness([
      reply({ calls: [edit('v1', { command: 'view', path: 'train.py' })] }),
      reply({ text: 'Let me change it.', calls: [setLr('e1', '0.02')], input: 200, output: 20 }),
      reply({ text: 'Lower LEARNING_RATE to 0.02\n\nSmaller steps should help.', input: 300, output: 30 }),
    ]);
    const p = await runToolLoop(ctx, h.spec);

    expect(p.rejectedReason).toBeUndefined();
    expect(p.description).toBe('Lower LEARNING_RATE to 0.02');
    expect(p.hypothesis).toBe('Smaller steps should help.');
    expect(await train()).toContain('LEARNING_RATE = 0.02\n');
    expect(p.usage).toMatchObject({ inputTokens: 600, outputTokens: 60 });
    expect(p.usage!.costUsd).toBeCloseTo((600 * 3 + 60 * 15) / 1e6, 9);
    // The wire started with the run's prompts, and got every reply and each turn's results back.
    expect(h.opened).toHaveLength(1);
    expect(h.opened[0]!.system).toContain('You may edit only: `train.py`.');
    expect(h.appended).toHaveLength(3);
    expect(h.results.map((r) => r.map((x) => x.toolUseId))).toEqual([['v1'], ['e1']]);
    expect(h.results[0]![0]!.content).toContain('LEARNING_RATE = 0.04');
    expect(h.results[1]![0]!.isError).toBe(false);

    const t = p.transcript as ToolLoopTranscript & { where: string };
    expect(t).toMatchObject({ proposer: 'scripted', model: 'scripted-model', where: 'memory', settings: { scripted: true }, toolCalls: 2, experimentId: 1 });
    expect(t.turns.map((turn) => turn.stopReason)).toEqual(['tool_use', 'tool_use', 'end_turn']);
    expect(t.turns[1]!.toolResults).toEqual([expect.objectContaining({ toolUseId: 'e1', isError: false })]);
    expect(t.outcome).toEqual({ description: 'Lower LEARNING_RATE to 0.02', hypothesis: 'Smaller steps should help.', rejectedReason: null, changedFiles: ['train.py'] });
  });

  it('answers an unknown tool and unreadable arguments with error results and goes on', async () => {
    const { ctx } = await setup();
    const h = harness([
      reply({ calls: [{ id: 'x1', name: 'bash', input: { cmd: 'ls' } }, { id: 'x2', name: TEXT_EDITOR_TOOL_NAME, input: undefined, invalidArguments: true }] }),
      reply({ calls: [setLr('e1', '0.05')] }),
      reply({ text: 'Raise the rate' }),
    ]);
    const p = await runToolLoop(ctx, h.spec);
    expect(p.description).toBe('Raise the rate');
    expect(h.results[0]).toEqual([
      { toolUseId: 'x1', isError: true, content: `Unknown tool bash; the only tool is ${TEXT_EDITOR_TOOL_NAME}` },
      { toolUseId: 'x2', isError: true, content: 'The tool arguments are not valid JSON; send a JSON object with command and path.' },
    ]);
  });

  it('rejects an answer that changed nothing, and falls back to the changed files for a description', async () => {
    const { ctx } = await setup();
    const none = await runToolLoop(ctx, harness([reply({ text: '' })]).spec);
    expect(none).toMatchObject({ description: 'No change proposed', rejectedReason: 'The agent finished without changing any file.' });

    const quiet = await runToolLoop(ctx, harness([reply({ calls: [setLr('e1', '0.03')] }), reply({ text: '' })]).spec);
    expect(quiet.rejectedReason).toBeUndefined();
    expect(quiet.description).toBe('Edit train.py');
  });

  it('ends on the wire\'s stop rejection, keeping the hypothesis only when told to', async () => {
    const { ctx } = await setup();
    const stop = (keepHypothesis: boolean) => (t: TurnReply) => (t.stopReason === 'cut' ? { fallback: 'Cut', keepHypothesis, rejectedReason: 'cut off' } : null);
    const cut = [reply({ text: 'Try 0.02\n\nbecause', calls: [setLr('e1', '0.02')], stop: 'cut' })];
    const kept = harness(cut, { stop: stop(true) });
    expect(await runToolLoop(ctx, kept.spec)).toMatchObject({ description: 'Try 0.02', hypothesis: 'because', rejectedReason: 'cut off' });
    // The calls of a rejected reply never ran.
    expect(kept.results).toEqual([]);
    expect(await runToolLoop(ctx, harness(cut, { stop: stop(false) }).spec)).toMatchObject({ hypothesis: '', rejectedReason: 'cut off' });
    expect(await runToolLoop(ctx, harness([reply({ text: '', stop: 'cut' })], { stop: stop(true) }).spec)).toMatchObject({ description: 'Cut' });
  });

  it('rejects a proposal past agent.maxToolCalls without running the extra call', async () => {
    const { ctx, train } = await setup({ maxToolCalls: 2 });
    const view = edit('v', { command: 'view', path: 'train.py' });
    const h = harness([reply({ calls: [view, { ...view, id: 'v2' }] }), reply({ calls: [setLr('e3', '0.09')] })]);
    const p = await runToolLoop(ctx, h.spec);
    expect(p).toMatchObject({ description: 'Too many tool calls', rejectedReason: 'The agent used more than agent.maxToolCalls (2) tool calls without finishing.' });
    expect(await train()).toContain('LEARNING_RATE = 0.04\n');
    expect((p.transcript as ToolLoopTranscript).toolCalls).toBe(3);
  });

  it('retries with the policy\'s backoff or the server\'s retry-after, says so, and records each retry', async () => {
    const { ctx, statuses } = await setup();
    const h = harness([retryable('overloaded'), retryable('rate limited', 1500), reply({ calls: [setLr('e1', '0.02')] }), reply({ text: 'Lower the rate' })]);
    const p = await runToolLoop(ctx, h.spec);
    expect(p.description).toBe('Lower the rate');
    expect(h.sleeps).toEqual([100, 1500]);
    expect(statuses).toEqual(['script: overloaded, again in 1 s, attempt 2', 'script: rate limited, again in 2 s, attempt 3']);
    expect((p.transcript as ToolLoopTranscript).retries).toEqual([
      { turn: 0, attempt: 1, error: 'overloaded', waitMs: 100 },
      { turn: 0, attempt: 2, error: 'rate limited', waitMs: 1500 },
    ]);
  });

  it('gives up as unavailable after the retries, with the tokens spent, and undoes its edits', async () => {
    const { ctx, train } = await setup();
    const h = harness([reply({ calls: [setLr('e1', '0.02')], input: 50, output: 5 }), retryable('down'), retryable('down'), retryable('down', 700)]);
    const err = await runToolLoop(ctx, h.spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerUnavailableError);
    expect((err as Error).message).toBe('script unavailable (down) after 3');
    expect(err).toMatchObject({ retryAfterMs: 700 });
    expect((err as ProposerUnavailableError).usage).toMatchObject({ inputTokens: 50, outputTokens: 5 });
    expect(h.sleeps).toEqual([100, 200]);
    expect(await train()).toContain('LEARNING_RATE = 0.04\n');
  });

  it('does not wait out a retry-after beyond the inline limit', async () => {
    const { ctx } = await setup();
    const h = harness([retryable('busy', 60_000)]);
    await expect(runToolLoop(ctx, h.spec)).rejects.toThrow('script unavailable (busy) after 1');
    expect(h.sleeps).toEqual([]);
  });

  it('stops the run on a fatal failure and rejects the proposal on a refused request, redacting the key', async () => {
    const { ctx, train } = await setup();
    const fatal = harness([reply({ calls: [setLr('e1', '0.02')] }), { throws: new ScriptedError({ kind: 'fatal', message: 'bad key' }) }]);
    await expect(runToolLoop(ctx, fatal.spec)).rejects.toThrow(ProposerFatalError);
    expect(await train()).toContain('LEARNING_RATE = 0.04\n');

    const refused = await runToolLoop(ctx, harness([{ throws: new ScriptedError({ kind: 'reject', message: `too long for ${SECRET}` }) }]).spec);
    expect(refused).toMatchObject({ description: 'Refused by the script', hypothesis: '', rejectedReason: 'too long for [redacted]' });
    expect(JSON.stringify(refused.transcript)).not.toContain(SECRET);
  });

  it('throws ProposalAbortedError when the run stops while it waits to retry', async () => {
    const controller = new AbortController();
    const { ctx } = await setup({}, { signal: controller.signal });
    const h = harness([retryable('overloaded'), reply({ text: 'never read' })], { onSleep: () => controller.abort() });
    await expect(runToolLoop(ctx, h.spec)).rejects.toBeInstanceOf(ProposalAbortedError);
    expect(h.sent).toEqual([0]);
  });
});
