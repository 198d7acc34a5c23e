// The claude proposer with the real @anthropic-ai/sdk against the fake Messages API on 127.0.0.1:
// scripted conversations that edit a real git worktree, every fault the issue lists, and the guardrails.
import { readFile, symlink, writeFile, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL } from '../../src/shared/config.js';
import { createClaudeProposer } from '../../src/core/agent/claude/claude-proposer.js';
import {
  ProposalAbortedError,
  ProposerFatalError,
  ProposerUnavailableError,
  type Proposal,
} from '../../src/core/agent/proposer.js';
import {
  apiError,
  byTurn,
  create,
  faultsThen,
  finalText,
  lastToolResults,
  message,
  promptOf,
  startFakeAnthropic,
  strReplace,
  text,
  thinkingBlock,
  toolUse,
  view,
  type FakeAnthropic,
  type FakeHandler,
} from '../fixtures/fake-anthropic/server.js';
import { makeTestProject, proposalContext, testConfig, TRAIN_PY, PREPARE_PY, type TestProject } from '../fixtures/fake-anthropic/proposal-context.js';
import { waitUntil } from '../helpers/processes.js';

const KEY = 'sk-ant-test-0123456789-SECRET-abcdef';

let api: FakeAnthropic;
let project: TestProject;
const sleeps: number[] = [];
const fakeSleep = async (ms: number) => {
  sleeps.push(ms);
};

async function start(handler: FakeHandler, config = testConfig()): Promise<void> {
  api = await startFakeAnthropic({ apiKey: KEY, handler });
  project = await makeTestProject({ config });
}

function proposer(extra: Partial<Parameters<typeof createClaudeProposer>[0]> = {}) {
  return createClaudeProposer({ apiKey: KEY, baseUrl: api.url, sleep: fakeSleep, maxRetries: 3, ...extra });
}

const trainPy = () => readFile(path.join(project.worktree, 'train.py'), 'utf8');

/** The model's usual good conversation: look, change the learning rate, explain. */
const goodScript = (finalWords = 'Lower the learning rate from 0.04 to 0.03\nA smaller step should reduce loss spikes early on.') =>
  byTurn([
    view('train.py'),
    strReplace('train.py', 'LEARNING_RATE = 0.04', 'LEARNING_RATE = 0.03'),
    finalText(finalWords, { input_tokens: 1200, output_tokens: 80, cache_read_input_tokens: 3000 }),
  ]);

beforeEach(() => {
  sleeps.length = 0;
});

afterEach(async () => {
  await api?.close();
  await project?.cleanup();
});

describe('a scripted conversation', () => {
  it('edits the file through the text editor tool and takes the description from the first line', async () => {
    await start(goodScript());
    const proposal = await proposer().propose(proposalContext(project));

    expect(proposal.rejectedReason).toBeUndefined();
    expect(proposal.description).toBe('Lower the learning rate from 0.04 to 0.03');
    expect(proposal.hypothesis).toBe('A smaller step should reduce loss spikes early on.');
    expect(await trainPy()).toBe(TRAIN_PY.replace('LEARNING_RATE = 0.04', 'LEARNING_RATE = 0.03'));
    // The model saw the real file in the view result.
    expect(lastToolResults(api.requests[1]!)[0]!.content).toContain('LEARNING_RATE = 0.04');
    expect(api.requests).toHaveLength(3);
    expect(api.requests.every((r) => r.stream)).toBe(true);
  });

  it('sends the tool, the cached system prompt with program.md, and the run state', async () => {
    await start(goodScript());
    await proposer().propose(
      proposalContext(project, { steering: ['Focus on the optimizer, not the model size'], experimentId: 7 }),
    );
    const first = api.requests[0]!.body;
    expect(first.model).toBe(DEFAULT_MODEL);
    expect(first.max_tokens).toBe(16_000);
    expect(first.tools).toEqual([{ type: 'text_editor_20250728', name: 'str_replace_based_edit_tool' }]);
    expect(first.system).toHaveLength(1);
    expect(first.system[0].cache_control).toEqual({ type: 'ephemeral' });
    expect(first.system[0].text).toContain('Try the learning rate first.'); // program.md
    expect(first.system[0].text).toContain('`train.py`');
    expect(first.thinking).toBeUndefined();
    const prompt = promptOf(api.requests[0]!);
    expect(prompt).toContain('# Experiment 7');
    expect(prompt).toContain('Focus on the optimizer, not the model size');
    // The system prompt is byte-identical on every turn, so the cache prefix holds.
    expect(new Set(api.requests.map((r) => JSON.stringify(r.body.system))).size).toBe(1);
    // A rolling breakpoint on the newest message; never more than 4 in a request.
    const last = api.requests[2]!.body.messages.at(-1);
    expect(last.content.at(-1).cache_control).toEqual({ type: 'ephemeral' });
    const earlier = api.requests[2]!.body.messages[0];
    expect(earlier.content.at(-1).cache_control).toBeUndefined();
  });

  it('adds up usage over every turn, with cache tokens, and prices it from the table', async () => {
    await start(
      byTurn([
        message([toolUse({ command: 'view', path: 'train.py' })], { usage: { input_tokens: 1000, output_tokens: 50, cache_creation_input_tokens: 4000 } }),
        message([toolUse({ command: 'str_replace', path: 'train.py', old_str: 'DEPTH = 8', new_str: 'DEPTH = 10' })], {
          usage: { input_tokens: 300, output_tokens: 70, cache_read_input_tokens: 4000 },
        }),
        finalText('Deepen the model to 10 layers', { input_tokens: 200, output_tokens: 30, cache_read_input_tokens: 4500 }),
      ]),
    );
    const proposal = await proposer().propose(proposalContext(project));
    expect(proposal.usage).toMatchObject({
      inputTokens: 1500,
      outputTokens: 150,
      cacheCreationInputTokens: 4000,
      cacheReadInputTokens: 8500,
    });
    // The default Sonnet: $3 in, $15 out, $3.75 cache write, $0.30 cache read per million tokens.
    const expected = (1500 * 3 + 150 * 15 + 4000 * 3.75 + 8500 * 0.3) / 1e6;
    expect(proposal.usage!.costUsd).toBeCloseTo(expected, 9);
  });

  it('gives a null cost for a model missing from the price table, and uses prices from the config', async () => {
    await start(goodScript(), testConfig({ agent: { model: 'claude-future-9', prices: {} } }));
    const unpriced = await proposer().propose(proposalContext(project));
    expect(unpriced.usage!.costUsd).toBeNull();
    expect(unpriced.usage!.inputTokens).toBeGreaterThan(0);
    await project.cleanup();

    project = await makeTestProject({
      config: testConfig({ agent: { model: 'claude-future-9', prices: { 'claude-future-9': { input: 1, output: 2, cacheWrite: 0, cacheRead: 0 } } } }),
    });
    const priced = await proposer().propose(proposalContext(project));
    const u = priced.usage!;
    expect(u.costUsd).toBeCloseTo((u.inputTokens * 1 + u.outputTokens * 2) / 1e6, 9);
  });

  it('handles several tool calls in one answer, answered in one user message in order', async () => {
    await start(
      byTurn([
        message([text('Let me look at both files.'), toolUse({ command: 'view', path: 'train.py' }), toolUse({ command: 'view', path: 'notes.md' })]),
        message([
          toolUse({ command: 'str_replace', path: 'train.py', old_str: 'WARMUP_STEPS = 10', new_str: 'WARMUP_STEPS = 20' }),
          toolUse({ command: 'insert', path: 'train.py', insert_line: 0, insert_text: '# warmup doubled' }),
        ]),
        finalText('## Double the warmup\n\nLonger warmup stabilises the first steps.'),
      ]),
    );
    const proposal = await proposer().propose(proposalContext(project));
    expect(proposal.description).toBe('Double the warmup');
    const results = lastToolResults(api.requests[1]!);
    expect(results.map((r) => r.is_error)).toEqual([false, false]);
    expect(results[1]!.content).toContain('sweet spot');
    const py = await trainPy();
    expect(py.startsWith('# warmup doubled\n')).toBe(true);
    expect(py).toContain('WARMUP_STEPS = 20');
  });
});

describe('thinking', () => {
  it('sends the budget and returns thinking blocks with their signatures in the next turns', async () => {
    await start(
      byTurn([
        message([thinkingBlock('I should read the file first.'), toolUse({ command: 'view', path: 'train.py' })]),
        message([thinkingBlock('0.04 looks high for this depth.'), toolUse({ command: 'str_replace', path: 'train.py', old_str: 'LEARNING_RATE = 0.04', new_str: 'LEARNING_RATE = 0.02' })]),
        message([thinkingBlock('Done.'), text('Halve the learning rate\nIt looked too high.')]),
      ]),
      testConfig({ agent: { thinkingBudget: 2048, maxTokens: 8000 } }),
    );
    const proposal = await proposer().propose(proposalContext(project));
    expect(proposal.rejectedReason).toBeUndefined();
    expect(proposal.description).toBe('Halve the learning rate');
    expect(api.requests.every((r) => r.rejected === undefined)).toBe(true);
    expect(api.requests[0]!.body.thinking).toEqual({ type: 'enabled', budget_tokens: 2048 });
    const assistant = api.requests[2]!.body.messages.filter((m: { role: string }) => m.role === 'assistant');
    expect(assistant).toHaveLength(2);
    for (const m of assistant) {
      expect(m.content[0].type).toBe('thinking');
      expect(m.content[0].signature).toMatch(/^sig-/);
    }
    // The transcript keeps the thoughts but not the opaque signatures.
    const json = JSON.stringify(proposal.transcript);
    expect(json).toContain('0.04 looks high for this depth.');
    expect(json).not.toContain('sig-');
  });
});

describe('proposals that are rejected, and the loop goes on', () => {
  it('no file changed → rejected, with the model\'s words kept', async () => {
    await start(byTurn([view('train.py'), finalText('Nothing worth changing\nThe code is already optimal.')]));
    const p = await proposer().propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/without changing any file/);
    expect(p.description).toBe('Nothing worth changing');
  });

  it('an edit that is put back exactly as it was counts as no change', async () => {
    await start(
      byTurn([
        strReplace('train.py', 'DEPTH = 8', 'DEPTH = 9'),
        strReplace('train.py', 'DEPTH = 9', 'DEPTH = 8'),
        finalText('Change the depth'),
      ]),
    );
    const p = await proposer().propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/without changing any file/);
  });

  it('a refusal → rejected', async () => {
    await start(byTurn([message([text('I cannot help with that.')], { stopReason: 'refusal' })]));
    const p = await proposer().propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/declined.*refusal/);
  });

  it('max_tokens → rejected with what to change', async () => {
    await start(byTurn([view('train.py'), message([text('Let me rewrite the whole')], { stopReason: 'max_tokens' })]));
    const p = await proposer().propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/cut off at agent.maxTokens \(16000/);
    expect(p.usage!.outputTokens).toBeGreaterThan(0);
  });

  it('too many tool calls → rejected at the cap', async () => {
    const config = testConfig({ agent: { maxToolCalls: 3 } });
    await start(() => message([toolUse({ command: 'view', path: 'train.py' })]), config);
    const p = await proposer().propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/more than agent.maxToolCalls \(3\)/);
    expect(api.requests).toHaveLength(4);
  });

  it('a 400 from the API (e.g. prompt too long) rejects the proposal instead of stopping the run', async () => {
    await start(() => apiError(400, 'invalid_request_error', 'prompt is too long: 250000 tokens > 200000 maximum'));
    const p = await proposer().propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/prompt is too long/);
    expect(sleeps).toEqual([]);
  });
});

describe('guardrails: escapes become error tool results the model can recover from', () => {
  it('protected file, outside path, traversal and a symlink are refused; the legal edit in the same proposal stays', async () => {
    await start(
      byTurn([
        message([
          toolUse({ command: 'str_replace', path: 'prepare.py', old_str: 'TIME_BUDGET = 300', new_str: 'TIME_BUDGET = 3000' }),
          toolUse({ command: 'create', path: '../escaped.py', file_text: 'print("out")' }),
          toolUse({ command: 'create', path: '/tmp/ar-escape-test.py', file_text: 'x' }),
          toolUse({ command: 'view', path: '/etc/passwd' }),
          toolUse({ command: 'create', path: 'linked/evil.py', file_text: 'x' }),
          toolUse({ command: 'create', path: 'README.md', file_text: 'hijacked' }),
        ]),
        (req) => {
          const results = lastToolResults(req);
          // Every illegal call came back as an error the model can read.
          if (results.length !== 6 || !results.every((r) => r.is_error)) return finalText(`unexpected results: ${JSON.stringify(results)}`);
          return strReplace('train.py', 'LEARNING_RATE = 0.04', 'LEARNING_RATE = 0.035');
        },
        finalText('Nudge the learning rate down\nAfter the refusals, only the allowed change.'),
      ]),
      // linked/** is editable, so only the symbolic link can stop the write there.
      testConfig({ files: { editable: ['train.py', 'linked/**'], protected: ['prepare.py'], context: ['notes.md'] } }),
    );
    const outside = path.join(path.dirname(project.dir), 'outside-target');
    await symlink(outside, path.join(project.worktree, 'linked'));

    const p = await proposer().propose(proposalContext(project));
    expect(p.rejectedReason).toBeUndefined();
    expect(p.description).toBe('Nudge the learning rate down');
    const results = lastToolResults(api.requests[1]!);
    expect(results).toHaveLength(6);
    expect(results[0]!.content).toMatch(/prepare.py is protected/);
    expect(results[1]!.content).toMatch(/"\.\."/);
    expect(results[2]!.content).toMatch(/outside the project/);
    expect(results[3]!.content).toMatch(/outside the project/);
    expect(results[4]!.content).toMatch(/symbolic link/);
    expect(results[5]!.content).toMatch(/may not be written/);

    expect(await readFile(path.join(project.worktree, 'prepare.py'), 'utf8')).toBe(PREPARE_PY);
    expect(await readFile(path.join(project.worktree, 'README.md'), 'utf8')).toBe('# Not for the agent\n');
    await expect(stat(path.join(project.dir, '..', 'escaped.py'))).rejects.toThrow();
    await expect(stat(path.join(path.dirname(project.worktree), 'escaped.py'))).rejects.toThrow();
    await expect(stat('/tmp/ar-escape-test.py')).rejects.toThrow();
    await expect(stat(outside)).rejects.toThrow();
    expect(await trainPy()).toContain('LEARNING_RATE = 0.035');
    const transcript = p.transcript as { outcome: { changedFiles: string[] } };
    expect(transcript.outcome.changedFiles).toEqual(['train.py']);
  });

  it('accepts the project\'s absolute path and maps it into the worktree', async () => {
    // The handler needs the project's path, which exists only after start().
    await start(() => finalText('unused'));
    api.setHandler(
      byTurn([
        strReplace(path.join(project.dir, 'train.py'), 'DEPTH = 8', 'DEPTH = 6'),
        finalText('Shallower model via an absolute path'),
      ]),
    );
    const p = await proposer().propose(proposalContext(project));
    expect(p.rejectedReason).toBeUndefined();
    expect(await trainPy()).toContain('DEPTH = 6');
    // The user's own checkout is untouched.
    expect(await readFile(path.join(project.dir, 'train.py'), 'utf8')).toBe(TRAIN_PY);
  });

  it('a str_replace that does not match is an error result, and the model can retry', async () => {
    await start(
      byTurn([
        strReplace('train.py', 'LEARNING_RATE=0.04', 'LEARNING_RATE=0.01'),
        (req) => (lastToolResults(req)[0]!.is_error ? strReplace('train.py', 'LEARNING_RATE = 0.04', 'LEARNING_RATE = 0.01') : finalText('wrong')),
        finalText('Cut the learning rate to 0.01'),
      ]),
    );
    const p = await proposer().propose(proposalContext(project));
    expect(lastToolResults(api.requests[1]!)[0]!.content).toMatch(/does not appear verbatim/);
    expect(p.description).toBe('Cut the learning rate to 0.01');
    expect(await trainPy()).toContain('LEARNING_RATE = 0.01');
  });

  it('an unknown tool name gets an error result', async () => {
    await start(
      byTurn([
        message([{ type: 'tool_use', name: 'bash', input: { command: 'rm -rf /' } }]),
        create('train.py', 'print("val_bpb: 1.0")\n'),
        finalText('Replace the trainer with a stub'),
      ]),
    );
    const p = await proposer().propose(proposalContext(project));
    expect(lastToolResults(api.requests[1]!)[0]).toEqual({ content: expect.stringMatching(/Unknown tool bash/), is_error: true });
    expect(p.rejectedReason).toBeUndefined();
  });
});

describe('faults', () => {
  it('429 with retry-after is retried after the time the server asked for', async () => {
    await start(faultsThen([apiError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit', { 'retry-after': '7' })], goodScript()));
    const statuses: string[] = [];
    const p = await proposer().propose(proposalContext(project, { onStatus: (s) => statuses.push(s) }));
    expect(p.description).toBe('Lower the learning rate from 0.04 to 0.03');
    expect(sleeps).toEqual([7000]);
    expect(statuses[0]).toMatch(/429 rate_limit_error.*Retrying in 7 s/);
    const transcript = p.transcript as { retries: { error: string; waitMs: number }[] };
    expect(transcript.retries).toEqual([{ turn: 0, attempt: 1, error: expect.stringMatching(/429/), waitMs: 7000 }]);
  });

  it('retry-after-ms wins over retry-after', async () => {
    await start(faultsThen([apiError(529, 'overloaded_error', 'Overloaded', { 'retry-after-ms': '1500', 'retry-after': '30' })], goodScript()));
    await proposer().propose(proposalContext(project));
    expect(sleeps).toEqual([1500]);
  });

  it('529 and 500 without retry-after back off exponentially and then succeed', async () => {
    await start(
      faultsThen(
        [apiError(529, 'overloaded_error', 'Overloaded'), apiError(500, 'api_error', 'Internal server error'), apiError(503, 'api_error', 'unavailable')],
        goodScript(),
      ),
    );
    const p = await proposer().propose(proposalContext(project));
    expect(p.rejectedReason).toBeUndefined();
    expect(sleeps).toHaveLength(3);
    expect(sleeps[0]).toBeGreaterThanOrEqual(800);
    expect(sleeps[0]).toBeLessThanOrEqual(1200);
    expect(sleeps[1]).toBeGreaterThanOrEqual(1600);
    expect(sleeps[2]).toBeGreaterThanOrEqual(3200);
  });

  it('an overloaded error event in the middle of a stream is retried', async () => {
    await start(faultsThen([{ kind: 'stream-error', type: 'overloaded_error', message: 'Overloaded', afterEvents: 4 }], goodScript()));
    const p = await proposer().propose(proposalContext(project));
    expect(p.description).toBe('Lower the learning rate from 0.04 to 0.03');
    expect(sleeps).toHaveLength(1);
  });

  it('a connection dropped before the answer, and one dropped mid-stream, are retried', async () => {
    await start(
      byTurn([
        view('train.py'),
        (() => {
          let n = 0;
          return () => {
            n += 1;
            if (n === 1) return { kind: 'drop' } as const;
            if (n === 2) return { kind: 'drop-mid-stream', afterEvents: 5 } as const;
            return strReplace('train.py', 'LEARNING_RATE = 0.04', 'LEARNING_RATE = 0.03');
          };
        })(),
        finalText('Lower the learning rate'),
      ]),
    );
    const p = await proposer().propose(proposalContext(project));
    expect(p.description).toBe('Lower the learning rate');
    expect(sleeps).toHaveLength(2);
    // The first turn's edit was not repeated: the retried turn got the same conversation.
    expect(api.requests[1]!.raw).toBe(api.requests[2]!.raw);
    expect(await trainPy()).toContain('LEARNING_RATE = 0.03');
  });

  it('a slow answer within the timeout is waited for; one that stalls is dropped and retried', async () => {
    await start(
      faultsThen(
        [{ kind: 'stall', afterEvents: 3 }],
        byTurn([
          message([toolUse({ command: 'view', path: 'train.py' })], { delayMs: 300, eventGapMs: 20 }),
          strReplace('train.py', 'DEPTH = 8', 'DEPTH = 12'),
          finalText('Deeper model'),
        ]),
      ),
    );
    const p = await proposer({ idleTimeoutMs: 1_000 }).propose(proposalContext(project));
    expect(p.description).toBe('Deeper model');
    expect(sleeps).toHaveLength(1);
    const transcript = p.transcript as { retries: { error: string }[] };
    expect(transcript.retries[0]!.error).toMatch(/sent nothing for 1 s/);
  });

  it('headers that never come hit the request timeout and are retried', async () => {
    await start(
      faultsThen([message([text('too late')], { delayMs: 3_000 })], goodScript()),
    );
    const p = await proposer({ requestTimeoutMs: 500 }).propose(proposalContext(project));
    expect(p.description).toBe('Lower the learning rate from 0.04 to 0.03');
    expect(sleeps).toHaveLength(1);
  });

  it('after repeated failures it throws ProposerUnavailableError, undoes its edits, and keeps the usage spent', async () => {
    let calls = 0;
    await start(
      byTurn([
        view('train.py'),
        strReplace('train.py', 'LEARNING_RATE = 0.04', 'LEARNING_RATE = 0.5'),
        () => {
          calls += 1;
          return apiError(529, 'overloaded_error', 'Overloaded');
        },
      ]),
    );
    const err = await proposer({ maxRetries: 2 })
      .propose(proposalContext(project))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerUnavailableError);
    expect((err as ProposerUnavailableError).message).toMatch(/unavailable.*529.*after 3 attempts/);
    expect((err as ProposerUnavailableError).usage?.inputTokens).toBeGreaterThan(0);
    expect(calls).toBe(3);
    // Half a proposal is not left in the worktree for the retry.
    expect(await trainPy()).toBe(TRAIN_PY);
  });

  it('a retry-after longer than the inline limit goes straight to the loop with that wait', async () => {
    await start(() => apiError(429, 'rate_limit_error', 'slow down', { 'retry-after': '600' }));
    const err = await proposer().propose(proposalContext(project)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerUnavailableError);
    expect((err as ProposerUnavailableError).retryAfterMs).toBe(600_000);
    expect(sleeps).toEqual([]);
  });

  it('the API server down: Unavailable; back up: the next proposal works', async () => {
    await start(goodScript());
    await api.stop();
    const err = await proposer({ maxRetries: 1 }).propose(proposalContext(project)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerUnavailableError);
    expect((err as Error).message).toMatch(/could not reach the Anthropic API at http:\/\/127\.0\.0\.1/);
    await api.start();
    const p = await proposer().propose(proposalContext(project));
    expect(p.description).toBe('Lower the learning rate from 0.04 to 0.03');
  });

  it('a bad key stops the run: ProposerFatalError with a clear message and no key in it', async () => {
    await start(goodScript());
    const wrongKey = 'sk-ant-wrong-key-9876543210-XYZ';
    const err = await createClaudeProposer({ apiKey: wrongKey, baseUrl: api.url, sleep: fakeSleep })
      .propose(proposalContext(project))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerFatalError);
    expect((err as Error).message).toMatch(/rejected the API key.*ANTHROPIC_API_KEY/);
    expect((err as Error).message).not.toContain(wrongKey);
    expect(sleeps).toEqual([]);
  });

  it('a gateway that echoes the key in its error message never gets it into ours', async () => {
    await start((req) => apiError(401, 'authentication_error', `bad credentials: ${String(req.headers.authorization ?? req.headers['x-api-key'])}`));
    const err = await proposer().propose(proposalContext(project)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerFatalError);
    expect((err as Error).message).toContain('[redacted]');
    expect((err as Error).message).not.toContain(KEY);
    expect(JSON.stringify(err)).not.toContain(KEY);
  });

  it('403 and 404 are fatal too (permission, unknown model)', async () => {
    await start(() => apiError(404, 'not_found_error', 'model: claude-nope'));
    const err = await proposer().propose(proposalContext(project)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerFatalError);
    expect((err as Error).message).toMatch(/agent.model/);
    api.setHandler(() => apiError(403, 'permission_error', 'not allowed'));
    const err2 = await proposer().propose(proposalContext(project)).catch((e: unknown) => e);
    expect(err2).toBeInstanceOf(ProposerFatalError);
  });

  it('an empty key is refused when the proposer is made', () => {
    expect(() => createClaudeProposer({ apiKey: '  ' })).toThrow(ProposerFatalError);
  });

  it('stopping the run aborts a proposal that is waiting for the API', async () => {
    await start(() => message([text('slow')], { delayMs: 20_000 }));
    const controller = new AbortController();
    const pending = createClaudeProposer({ apiKey: KEY, baseUrl: api.url }).propose(proposalContext(project, { signal: controller.signal }));
    // Stopped once the request is at the API (which answers in 20 s), not after a guessed time.
    expect(await waitUntil(() => api.requests.length === 1, 20_000, 10)).toBe(true);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(ProposalAbortedError);
  });

  // A retry-after of 30 s and a test limit of 20 s: a wait that the stop did not end fails the test.
  it('stopping the run during a backoff wait aborts at once', async () => {
    await start(() => apiError(529, 'overloaded_error', 'Overloaded', { 'retry-after': '30' }));
    const controller = new AbortController();
    const statuses: string[] = [];
    const pending = createClaudeProposer({ apiKey: KEY, baseUrl: api.url }).propose(proposalContext(project, { signal: controller.signal, onStatus: (m) => statuses.push(m) }));
    // Stopped once the proposer says it is waiting to try again (it says so just before the wait).
    expect(await waitUntil(() => statuses.length === 1, 15_000, 10)).toBe(true);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(ProposalAbortedError);
    expect(api.requests).toHaveLength(1);
  }, 20_000);
});

describe('the key never leaks', () => {
  it('is absent from the transcript, the proposal and every request body', async () => {
    // The model even tries to write the key-looking string it never saw; the key itself is never sent to it.
    await start(goodScript());
    const p: Proposal = await proposer().propose(proposalContext(project));
    const all = JSON.stringify(p);
    expect(all).not.toContain(KEY);
    for (const r of api.requests) expect(r.raw).not.toContain(KEY);
    // But it was sent as the credential.
    expect(String(api.requests[0]!.headers.authorization ?? api.requests[0]!.headers['x-api-key'])).toContain(KEY);
  });

  it('is redacted if it turns up in a file the agent views', async () => {
    await start(byTurn([view('notes.md'), strReplace('train.py', 'DEPTH = 8', 'DEPTH = 7'), finalText(`Shallower\nnotes mention ${KEY}`)]));
    await writeFile(path.join(project.worktree, 'notes.md'), `key: ${KEY}\n`);
    const p = await proposer().propose(proposalContext(project));
    expect(JSON.stringify(p)).not.toContain(KEY);
    expect(p.hypothesis).toContain('[redacted]');
    const files = await readdir(project.worktree);
    expect(files).toContain('notes.md');
  });
});
