import { describe, expect, it } from 'vitest';
import { normalizeTranscript } from '../../src/renderer/history/transcript-model.js';

describe('normalizeTranscript', () => {
  it('reads the claude proposer transcript: turns, tool calls with their results, retries and usage', () => {
    const t = normalizeTranscript({
      version: 1,
      proposer: 'claude',
      model: 'claude-sonnet-4-5',
      system: 'You edit train.py.',
      prompt: 'Best so far: 0.98',
      settings: { maxTokens: 16000, thinkingBudget: 0, maxToolCalls: 40 },
      turns: [
        {
          index: 0,
          stopReason: 'tool_use',
          usage: { inputTokens: 1200, outputTokens: 80, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
          durationMs: 2100,
          content: [
            { type: 'thinking', thinking: 'Maybe the LR.' },
            { type: 'text', text: 'Let me look.' },
            { type: 'tool_use', id: 'tu1', name: 'str_replace_based_edit_tool', input: { command: 'view', path: 'train.py' } },
          ],
          toolResults: [{ toolUseId: 'tu1', isError: false, content: 'DEPTH = 8' }],
        },
        { index: 1, stopReason: 'end_turn', usage: { inputTokens: 1300, outputTokens: 40, cacheCreationInputTokens: 0, cacheReadInputTokens: 900 }, durationMs: 900, content: [{ type: 'text', text: 'DESCRIPTION: lr up' }], toolResults: [] },
      ],
      retries: [{ turn: 1, attempt: 1, error: 'overloaded', waitMs: 2000 }],
      toolCalls: 1,
      usage: { inputTokens: 2500, outputTokens: 120, cacheCreationInputTokens: 0, cacheReadInputTokens: 900, costUsd: 0.0096 },
      outcome: { description: 'lr up', hypothesis: 'faster', rejectedReason: null, changedFiles: ['train.py'] },
    })!;
    expect(t.proposer).toBe('claude');
    expect(t.model).toBe('claude-sonnet-4-5');
    expect(t.entries.map((e) => e.kind)).toEqual(['system', 'prompt', 'turn', 'thinking', 'text', 'tool_use', 'tool_result', 'turn', 'notice', 'text']);
    const result = t.entries.find((e) => e.kind === 'tool_result');
    expect(result).toMatchObject({ name: 'str_replace_based_edit_tool', content: 'DEPTH = 8', isError: false });
    const use = t.entries.find((e) => e.kind === 'tool_use');
    expect(use && 'input' in use ? JSON.parse(use.input) : null).toEqual({ command: 'view', path: 'train.py' });
    expect(t.usage?.costUsd).toBe(0.0096);
    expect(t.facts).toContainEqual(['Tool calls', '1']);
    expect(t.outcome?.description).toBe('lr up');
  });

  it('reads an Anthropic-style message list, pairing tool results with their tool names', () => {
    const t = normalizeTranscript({
      messages: [
        { role: 'user', content: 'Improve it.' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'read_file', input: { path: 'x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'a', is_error: true, content: [{ type: 'text', text: 'no such file' }] }] },
      ],
    })!;
    expect(t.entries[0]).toEqual({ kind: 'text', role: 'user', text: 'Improve it.' });
    expect(t.entries[2]).toMatchObject({ kind: 'tool_result', name: 'read_file', isError: true, content: 'no such file' });
  });

  it('reads an external agent command transcript: command, exit code, output, rejection', () => {
    const t = normalizeTranscript({
      proposer: 'command',
      command: 'claude -p',
      promptVia: 'stdin',
      prompt: 'do it',
      exitCode: 1,
      durationMs: 4200,
      output: 'edited train.py',
      outcome: { rejectedReason: 'The diff touched prepare.py' },
    })!;
    expect(t.facts).toContainEqual(['Command', 'claude -p']);
    expect(t.facts).toContainEqual(['Exit code', '1']);
    expect(t.entries.map((e) => e.kind)).toEqual(['prompt', 'output', 'notice']);
  });

  it('shows what it does not understand as JSON, and nothing for no transcript', () => {
    expect(normalizeTranscript(null)).toBeNull();
    const t = normalizeTranscript({ something: [1, 2] })!;
    expect(t.raw).toContain('"something"');
    expect(t.entries).toEqual([]);
  });
});
