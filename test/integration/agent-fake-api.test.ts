// The fake Messages API itself, driven by the real SDK: both wire formats, the API's request checks, and
// the outage switch. The claude proposer's tests rely on all of this behaving like the real service.
import { Anthropic, AuthenticationError, BadRequestError } from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import {
  apiError,
  finalText,
  message,
  startFakeAnthropic,
  text,
  thinkingBlock,
  toolUse,
  type FakeAnthropic,
} from '../fixtures/fake-anthropic/server.js';

const KEY = 'sk-ant-fixture-key-000111222';
let api: FakeAnthropic;

afterEach(async () => {
  await api?.close();
});

const client = (key = KEY) => new Anthropic({ apiKey: key, baseURL: api.url, maxRetries: 0, logLevel: 'off' });
const base = { model: 'claude-test-1', max_tokens: 4096 } as const;

describe('wire formats', () => {
  it('answers JSON when stream is not set', async () => {
    api = await startFakeAnthropic({
      apiKey: KEY,
      handler: () => message([text('Looking.'), toolUse({ command: 'view', path: 'train.py' }, 'toolu_1')], { usage: { input_tokens: 42, output_tokens: 7, cache_read_input_tokens: 5 } }),
    });
    const m = await client().messages.create({ ...base, messages: [{ role: 'user', content: 'hi' }] });
    expect(m.stop_reason).toBe('tool_use');
    expect(m.content).toEqual([
      { type: 'text', text: 'Looking.', citations: null },
      { type: 'tool_use', id: 'toolu_1', name: 'str_replace_based_edit_tool', input: { command: 'view', path: 'train.py' } },
    ]);
    expect(m.usage).toMatchObject({ input_tokens: 42, output_tokens: 7, cache_read_input_tokens: 5, cache_creation_input_tokens: 0 });
    expect(api.requests[0]!.stream).toBe(false);
  });

  it('streams SSE events that the SDK assembles into the same message, thinking and signature included', async () => {
    api = await startFakeAnthropic({
      apiKey: KEY,
      chunkSize: 3,
      handler: () => message([thinkingBlock('Reasoning about it.', 'sig-abc'), text('A longer answer, in many deltas.'), toolUse({ command: 'create', path: 'a.py', file_text: 'x = "1"\n' })]),
    });
    const stream = client().messages.stream({ ...base, messages: [{ role: 'user', content: 'hi' }] });
    const kinds = new Set<string>();
    stream.on('streamEvent', (e) => {
      kinds.add(e.type === 'content_block_delta' ? e.delta.type : e.type);
    });
    const m = await stream.finalMessage();
    expect(m.content[0]).toEqual({ type: 'thinking', thinking: 'Reasoning about it.', signature: 'sig-abc' });
    expect(m.content[1]).toMatchObject({ type: 'text', text: 'A longer answer, in many deltas.' });
    expect(m.content[2]).toMatchObject({ type: 'tool_use', input: { command: 'create', path: 'a.py', file_text: 'x = "1"\n' } });
    expect(m.stop_reason).toBe('tool_use');
    expect(m.usage.output_tokens).toBeGreaterThan(1);
    expect([...kinds].sort()).toEqual(
      ['content_block_start', 'content_block_stop', 'input_json_delta', 'message_delta', 'message_start', 'message_stop', 'signature_delta', 'text_delta', 'thinking_delta'].sort(),
    );
    expect(api.requests[0]!.stream).toBe(true);
  });

  it('sends error statuses with the API\'s error body and headers', async () => {
    api = await startFakeAnthropic({ apiKey: KEY, handler: () => apiError(429, 'rate_limit_error', 'slow down', { 'retry-after': '12' }) });
    const err = await client().messages.create({ ...base, messages: [{ role: 'user', content: 'hi' }] }).catch((e: unknown) => e);
    expect(err).toMatchObject({ status: 429, type: 'rate_limit_error' });
    expect((err as { headers: Headers }).headers.get('retry-after')).toBe('12');
  });
});

describe('request checks, as the API makes them', () => {
  it('401 for a wrong key', async () => {
    api = await startFakeAnthropic({ apiKey: KEY, handler: () => finalText('x') });
    await expect(client('sk-wrong-key-123456').messages.create({ ...base, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(AuthenticationError);
    expect(api.requests[0]!.rejected?.status).toBe(401);
  });

  it('a tool_result needs the tool_use just before it, and every tool_use needs its result', async () => {
    api = await startFakeAnthropic({ apiKey: KEY, handler: () => finalText('x') });
    const orphan = client().messages.create({
      ...base,
      messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_x', content: 'r' }] }],
    });
    await expect(orphan).rejects.toBeInstanceOf(BadRequestError);
    const unanswered = client().messages.create({
      ...base,
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_a', name: 'str_replace_based_edit_tool', input: {} }] },
        { role: 'user', content: 'no result' },
      ],
    });
    await expect(unanswered).rejects.toThrow(/tool_use ids were found without tool_result/);
  });

  it('roles must alternate and the last message must be the user\'s', async () => {
    api = await startFakeAnthropic({ apiKey: KEY, handler: () => finalText('x') });
    await expect(
      client().messages.create({ ...base, messages: [{ role: 'user', content: 'a' }, { role: 'user', content: 'b' }] }),
    ).rejects.toThrow(/alternate/);
  });

  it('with thinking on, an assistant turn with tool use must start with a signed thinking block', async () => {
    api = await startFakeAnthropic({ apiKey: KEY, handler: () => finalText('x') });
    const turn = (first: object) =>
      client().messages.create({
        ...base,
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [first, { type: 'tool_use', id: 'toolu_a', name: 'str_replace_based_edit_tool', input: {} }] as never },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_a', content: 'ok' }] },
        ],
      });
    await expect(turn({ type: 'text', text: 'no thinking' })).rejects.toThrow(/must start with a thinking block/);
    await expect(turn({ type: 'thinking', thinking: 'unsigned', signature: '' })).rejects.toThrow(/signature/);
    await expect(turn({ type: 'thinking', thinking: 'signed', signature: 'sig-1' })).resolves.toMatchObject({ type: 'message' });
  });

  it('at most 4 cache breakpoints', async () => {
    api = await startFakeAnthropic({ apiKey: KEY, handler: () => finalText('x') });
    const block = { type: 'text' as const, text: 'x', cache_control: { type: 'ephemeral' as const } };
    await expect(
      client().messages.create({ ...base, system: [block, block, block], messages: [{ role: 'user', content: [block, block] }] }),
    ).rejects.toThrow(/maximum of 4 blocks with cache_control/);
  });
});

describe('outages', () => {
  it('stop cuts the API off; start brings it back on the same port', async () => {
    api = await startFakeAnthropic({ apiKey: KEY, handler: () => finalText('back') });
    const port = api.port;
    await api.stop();
    expect(api.running).toBe(false);
    await expect(client().messages.create({ ...base, messages: [{ role: 'user', content: 'hi' }] })).rejects.toThrow(/Connection error/i);
    await api.start();
    expect(api.port).toBe(port);
    const m = await client().messages.create({ ...base, messages: [{ role: 'user', content: 'hi' }] });
    expect(m.content[0]).toMatchObject({ text: 'back' });
  });

  it('a dropped connection mid-stream fails the stream', async () => {
    api = await startFakeAnthropic({ apiKey: KEY, handler: () => ({ kind: 'drop-mid-stream', afterEvents: 3 }) });
    await expect(client().messages.stream({ ...base, messages: [{ role: 'user', content: 'hi' }] }).finalMessage()).rejects.toThrow();
  });
});
