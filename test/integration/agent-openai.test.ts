// The openai-compatible proposer through the real loop against a fake /v1/chat/completions server on
// 127.0.0.1 speaking the real wire format: streamed tool calls in fragments, plain JSON answers, usage and
// cost, retries, a refused key, and where the server address may (and may not) come from.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createProposer, ProposerSetupError } from '../../src/core/agent/create-proposer.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import { constantEditor, startFakeOpenAi, type FakeOpenAi, type FakeReply, type FakeRequest } from '../fixtures/fake-openai/server.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';

let server: FakeOpenAi | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
  cleanupTempDirs();
});

const PRICE = { input: 2, output: 10, cacheWrite: 0, cacheRead: 0 };

async function runAgainst(reply: (req: FakeRequest, i: number) => FakeReply, opts: { forceJson?: boolean; maxExperiments?: number; price?: boolean } = {}) {
  server = await startFakeOpenAi(reply, opts.forceJson ? { forceJson: true } : {});
  const { dir } = scoredProject({
    // One at a time (queueDepth 0): the scripted edits rewrite the same line in turn, each on the keep before it.
    agent: { proposer: 'openai-compatible', model: 'local-coder', queueDepth: 0, ...(opts.price === false ? {} : { prices: { 'local-coder': PRICE } }) },
  });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'config', '--allow-empty');
  const env = { ...process.env, OPENAI_BASE_URL: server.baseUrl, OPENAI_API_KEY: 'sk-local-test-key-1234' };
  const handle = await startRun({
    projectDir: dir,
    tag: 'o',
    maxExperiments: opts.maxExperiments ?? 3,
    deps: { env, nodePath: process.execPath, appVersion: 'test', createProposer: async (name, config) => createProposer(name, config, { apiKey: null, env, keyHint: 'n/a' }) },
  });
  const outcome = await handle.done;
  const record = await readRunRecord(dir, 'o');
  return { dir, outcome, record, candidates: [...record.experiments.values()].filter((e) => e.kind === 'candidate') };
}

describe('the openai-compatible proposer', () => {
  it('runs 3 experiments with edits made through streamed tool calls; usage and cost recorded; memory in the prompt', async () => {
    const values = ['0.02', '0.04', '0.08'];
    const { outcome, candidates, record, dir } = await runAgainst(constantEditor('train.mjs', 'LEARNING_RATE', (n) => values[n]!));
    expect(outcome.reason).toBe('max-experiments');
    expect(candidates).toHaveLength(3);
    expect(candidates.map((e) => e.description)).toEqual(values.map((v) => `Set LEARNING_RATE to ${v}`));
    expect(candidates.map((e) => e.status)).toEqual(['keep', 'keep', 'keep']);
    for (const [i, e] of candidates.entries()) {
      expect(git(dir, 'diff', e.parentCommit, e.commit!)).toContain(`+const LEARNING_RATE = ${values[i]};`);
      // Three calls per proposal: view, str_replace, the answer. Tokens add up; the price is the user's.
      expect(e.usage).toMatchObject({ inputTokens: 3500, outputTokens: 90 });
      expect(e.usage!.costUsd).toBeCloseTo((3500 * 2 + 90 * 10) / 1e6, 9);
      expect(e.transcriptPath).toBe(`agent/${e.id}.json`);
    }
    expect(record.costUsd).toBeCloseTo((3 * (3500 * 2 + 90 * 10)) / 1e6, 9);

    const reqs = server!.requests;
    expect(reqs).toHaveLength(9);
    expect(reqs.every((r) => r.body.stream === true && r.body.model === 'local-coder')).toBe(true);
    expect(reqs[0]!.headers.authorization).toBe('Bearer sk-local-test-key-1234');
    expect(JSON.stringify(reqs[0]!.body.tools)).toContain('"name":"str_replace_based_edit_tool"');
    // The same system prompt as the claude proposer: the rules and program.md.
    const system = reqs[0]!.body.messages[0]!;
    expect(system.role).toBe('system');
    expect(system.content).toContain('You may edit only: `train.mjs`');
    expect(system.content).toContain('Improve val_bpb.');
    // Memory: the third proposal's prompt shows the first two experiments.
    const third = reqs[6]!.body.messages[1]!.content!;
    expect(third).toContain('Set LEARNING_RATE to 0.02');
    expect(third).toContain('Set LEARNING_RATE to 0.04');
    // The tool results went back with the call ids the stream assigned.
    const second = reqs[1]!.body.messages;
    expect(second.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1_0' });
    expect(second.at(-1)!.content).toContain('const LEARNING_RATE = 0.01;');
  }, 120_000);

  it('reads a plain JSON answer too; without a price the cost is unknown, not zero', async () => {
    const { candidates } = await runAgainst(constantEditor('train.mjs', 'LEARNING_RATE', () => '0.03'), { forceJson: true, maxExperiments: 1, price: false });
    expect(candidates).toHaveLength(1);
    expect(candidates[0]!.status).toBe('keep');
    expect(candidates[0]!.usage).toMatchObject({ inputTokens: 3500, outputTokens: 90, costUsd: null });
  }, 120_000);

  it('waits out a 503 and stops the run with a clear message on a refused key', async () => {
    const editor = constantEditor('train.mjs', 'LEARNING_RATE', () => '0.03');
    const flaky = await runAgainst((req, i) => (i === 0 ? { kind: 'status', status: 503, body: '{"error":{"message":"loading model"}}' } : editor(req)), { maxExperiments: 1 });
    expect(flaky.candidates[0]!.status).toBe('keep');
    const transcript = JSON.parse(readFileSync(path.join(flaky.dir, '.autoresearch', 'runs', 'o', 'agent', '1.json'), 'utf8'));
    expect(transcript.retries[0].error).toMatch(/HTTP 503: .*loading model/);
    expect(JSON.stringify(transcript)).not.toContain('sk-local-test-key-1234');
    await server!.close();
    server = null;

    const denied = await runAgainst(() => ({ kind: 'status', status: 401, body: '{"error":{"message":"invalid api key sk-local-test-key-1234"}}' }), { maxExperiments: 1 });
    expect(denied.outcome.reason).toBe('auth');
    expect(denied.record.stopMessage).toMatch(/refused the key \(HTTP 401\).*Check OPENAI_API_KEY/);
    expect(denied.record.stopMessage).not.toContain('sk-local-test-key-1234');
  }, 120_000);

  it('takes the server address from the environment only: https, or http on this machine', () => {
    const config = ProjectConfigSchema.parse({
      run: { command: 'true' },
      files: { editable: ['train.py'] },
      metric: { name: 'loss', direction: 'min' },
      budget: { seconds: 5 },
      // A project's config cannot point the proposer anywhere: agent.baseUrl is the Anthropic setting and is not read.
      agent: { proposer: 'openai-compatible', model: 'm', baseUrl: 'http://127.0.0.1:9/v1' },
    });
    const make = (env: NodeJS.ProcessEnv) => () => createProposer('openai-compatible', config, { apiKey: null, env, keyHint: '' });
    expect(make({})).toThrow(ProposerSetupError);
    expect(make({})).toThrow(/needs the server's address in OPENAI_BASE_URL/);
    expect(make({ OPENAI_BASE_URL: 'http://10.1.2.3:8000/v1' })).toThrow(/must use https \(plain http is allowed only for a server on this machine/);
    expect(make({ OPENAI_BASE_URL: 'not a url' })).toThrow(/is not a URL/);
    expect(make({ OPENAI_BASE_URL: 'https://user:pw@gateway.example/v1' })).toThrow(/must not hold a user name or password/);
    expect(make({ OPENAI_BASE_URL: 'http://127.0.0.1:11434/v1' })().name).toBe('openai-compatible');
    expect(make({ OPENAI_BASE_URL: 'http://localhost:1234/v1/' })().name).toBe('openai-compatible');
    expect(make({ OPENAI_BASE_URL: 'https://gateway.example/v1' })().name).toBe('openai-compatible');
  });
});
