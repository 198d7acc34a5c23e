// The command proposer with a real child process standing in for an agent CLI, in a real git worktree.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createCommandProposer, MAX_ARG_PROMPT_BYTES } from '../../src/core/agent/command-proposer.js';
import { ProposalAbortedError, ProposerFatalError } from '../../src/core/agent/proposer.js';
import { makeTestProject, proposalContext, testConfig, PREPARE_PY, TRAIN_PY, type TestProject } from '../fixtures/fake-anthropic/proposal-context.js';
import { pidRunning, waitUntil } from '../helpers/processes.js';

/** The fake CLI's pids once it has written them (it and its child), read whole. */
async function waitForPids(file: string): Promise<number[]> {
  let pids: number[] = [];
  const read = async () => {
    pids = await readFile(file, 'utf8').then((t) => JSON.parse(t) as number[]).catch(() => []);
    return pids.length === 2;
  };
  if (!(await waitUntil(read, 20_000))) throw new Error(`the fake agent CLI never wrote ${file}`);
  return pids;
}

const AGENT = path.resolve(__dirname, '../fixtures/fake-anthropic/fake-agent-cli.mjs');
const agentCommand = `"${process.execPath}" "${AGENT}"`;
const KEY = 'sk-ant-cli-key-0123456789abcdef';

let project: TestProject;

afterEach(async () => {
  await project?.cleanup();
});

async function setup(agent: Partial<NonNullable<Parameters<typeof testConfig>[0]>['agent']> = {}, passEnv: string[] = []) {
  const config = testConfig({ agent: { proposer: 'command', command: agentCommand, ...agent }, sandbox: { passEnv } } as never);
  project = await makeTestProject({ config });
  return project;
}

function proposer(mode: string, extraEnv: Record<string, string> = {}) {
  return createCommandProposer({ env: { ...process.env, ANTHROPIC_API_KEY: KEY, FAKE_AGENT_MODE: mode, ...extraEnv }, graceSeconds: 1 });
}

const trainPy = () => readFile(path.join(project.worktree, 'train.py'), 'utf8');

describe('the command proposer', () => {
  it('runs the CLI in the worktree with the prompt on stdin and reads DESCRIPTION/HYPOTHESIS', async () => {
    await setup();
    const record = path.join(project.dir, 'record.json');
    const started: number[] = [];
    const ended: number[] = [];
    const p = await proposer('edit', { FAKE_AGENT_RECORD: record }).propose(
      proposalContext(project, {
        experimentId: 4,
        steering: ['Only touch the learning rate'],
        onProcessStart: (i) => started.push(i.pgid),
        onProcessEnd: (i) => ended.push(i.pgid),
      }),
    );
    expect(p.rejectedReason).toBeUndefined();
    expect(p.description).toBe('Halve the learning rate');
    expect(p.hypothesis).toBe('The loss curve looked noisy.');
    expect(p.usage).toBeNull();
    expect(await trainPy()).toContain('LEARNING_RATE = 0.02');
    // The user's own checkout is untouched.
    expect(await readFile(path.join(project.dir, 'train.py'), 'utf8')).toBe(TRAIN_PY);

    const got = JSON.parse(await readFile(record, 'utf8'));
    expect(got.via).toBe('stdin');
    expect(got.cwd).toBe(project.worktree);
    expect(got.experimentId).toBe('4');
    expect(got.prompt).toContain('You may edit only: `train.py`');
    expect(got.prompt).toContain('# Experiment 4');
    expect(got.prompt).toContain('Only touch the learning rate');
    expect(got.prompt).toContain('DESCRIPTION:');
    expect(got.promptFileText).toBe(got.prompt);
    // Scratch files are cleaned up.
    await expect(stat(got.promptFile)).rejects.toThrow();
    // The CLI ran in its own process group (led by the shell that started it), reported start and end.
    expect(started).toHaveLength(1);
    expect(ended).toEqual(started);

    const t = p.transcript as { proposer: string; exitCode: number; changedFiles: string[]; output: string };
    expect(t).toMatchObject({ proposer: 'command', exitCode: 0, changedFiles: ['train.py'] });
    expect(t.output).toContain('DESCRIPTION: Halve the learning rate');
  });

  it('passes the prompt as one argument, whatever characters it holds', async () => {
    await setup({ commandPromptVia: 'arg' });
    const record = path.join(project.dir, 'record.json');
    const tricky = 'Use "quotes", $HOME, `backticks`, $(rm -rf /) and a \\ backslash';
    await proposer('edit', { FAKE_AGENT_RECORD: record }).propose(proposalContext(project, { steering: [tricky] }));
    const got = JSON.parse(await readFile(record, 'utf8'));
    expect(got.via).toBe('arg');
    expect(got.argc).toBe(1);
    expect(got.prompt).toContain(tricky);
  });

  it('refuses a prompt too long for an argument, and says to use stdin', async () => {
    await setup({ commandPromptVia: 'arg' });
    const p = await proposer('edit').propose(proposalContext(project, { steering: Array.from({ length: 100 }, (_, i) => `note ${i} `.repeat(200)) }));
    expect(p.rejectedReason).toMatch(/too long to pass as an argument.*"stdin"/);
    expect(p.rejectedReason).toContain(`(limit ${MAX_ARG_PROMPT_BYTES})`);
    expect(await trainPy()).toBe(TRAIN_PY);
  });

  it('takes the last paragraph\'s first line when there are no markers', async () => {
    await setup();
    const p = await proposer('edit-plain').propose(proposalContext(project));
    expect(p.description).toBe('Deepen the model to 10 layers');
    expect(p.hypothesis).toBe('More capacity should help.');
  });

  it('rejects a proposal that touched a protected file', async () => {
    await setup();
    const p = await proposer('protected').propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/changed protected files \(prepare.py\)/);
  });

  it('rejects files outside the editable ones', async () => {
    await setup();
    const p = await proposer('outside').propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/outside the editable ones.*notes-from-agent.md/);
  });

  it('rejects a CLI that committed by itself', async () => {
    await setup();
    const p = await proposer('commit').propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/moved HEAD \([0-9a-f]{7} → [0-9a-f]{7}\)/);
  });

  it('rejects an empty diff', async () => {
    await setup();
    const p = await proposer('nothing').propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/changed no file/);
  });

  it('rejects a failing CLI with the end of its output', async () => {
    await setup();
    const p = await proposer('fail').propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/failed \(exit 3\): agent: API quota exhausted/);
  });

  it('a command that does not exist stops the run with what to fix', async () => {
    const config = testConfig({ agent: { proposer: 'command', command: 'no-such-agent-cli-xyz -p' } });
    project = await makeTestProject({ config });
    const err = await proposer('edit').propose(proposalContext(project)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProposerFatalError);
    expect((err as Error).message).toMatch(/not found \(exit 127\).*agent.command/);
  });

  it('kills the whole process group at the timeout, even a CLI that ignores SIGTERM', async () => {
    await setup({ commandTimeoutSeconds: 10 });
    const pidsFile = path.join(project.dir, 'pids.json');
    // The CLI hangs for good: an answer at all (saying the timeout ended it) is the timeout at work.
    const p = await proposer('hang', { FAKE_AGENT_PIDS: pidsFile }).propose(proposalContext(project));
    expect(p.rejectedReason).toMatch(/did not finish within agent.commandTimeoutSeconds \(10 s\)/);
    const pids = JSON.parse(await readFile(pidsFile, 'utf8')) as number[];
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(pidRunning(pid)).toBe(false);
  }, 60_000);

  it('stopping the run kills the CLI and aborts the proposal', async () => {
    await setup();
    const pidsFile = path.join(project.dir, 'pids.json');
    const controller = new AbortController();
    const pending = proposer('hang', { FAKE_AGENT_PIDS: pidsFile }).propose(proposalContext(project, { signal: controller.signal }));
    // Stopped once the CLI and its child are up (they write their pids), not after a guessed time.
    const pids = await waitForPids(pidsFile);
    for (const pid of pids) expect(pidRunning(pid)).toBe(true);
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(ProposalAbortedError);
    for (const pid of pids) expect(pidRunning(pid)).toBe(false);
  }, 30_000);

  it('never lets the environment\'s secrets into the proposal or the transcript', async () => {
    // The key reaches the CLI only where the user hands it on (sandbox.passEnv); then what it prints is redacted.
    await setup({}, ['ANTHROPIC_API_KEY']);
    const p = await proposer('echo-env').propose(proposalContext(project));
    const all = JSON.stringify(p);
    expect(all).not.toContain(KEY);
    expect(all).toContain('[redacted]');
    expect(p.description).toBe('Shallower (key [redacted])');
    // And no raw output file is left in the scratch folder.
    const left = await stat(path.join(project.dir, '.autoresearch', 'scratch', 'agent-1.log')).catch(() => null);
    expect(left).toBeNull();
  });

  it('needs agent.command', async () => {
    project = await makeTestProject({ config: testConfig() });
    await expect(proposer('edit').propose(proposalContext(project))).rejects.toBeInstanceOf(ProposerFatalError);
    expect(await readFile(path.join(project.worktree, 'prepare.py'), 'utf8')).toBe(PREPARE_PY);
  });

  it('records the usage an agent CLI reports: claude -p --output-format json', async () => {
    await setup();
    // Spent tokens count even when the proposal is rejected (here: no change at all).
    const none = await proposer('claude-json-nothing').propose(proposalContext(project));
    expect(none.rejectedReason).toBeDefined();
    expect(none.usage).toMatchObject({ inputTokens: 100, outputTokens: 10, costUsd: 0.01 });
    const p = await proposer('claude-json').propose(proposalContext(project));
    expect(p.rejectedReason).toBeUndefined();
    // The description comes from the answer inside the JSON, not from the JSON text.
    expect(p.description).toBe('Lower the learning rate to 0.03');
    expect(p.hypothesis).toBe('Smaller steps.');
    expect(p.usage).toEqual({ inputTokens: 1200, outputTokens: 450, cacheCreationInputTokens: 300, cacheReadInputTokens: 5000, costUsd: 0.0421 });
  });

  it('records the usage an agent CLI reports: codex exec --json (turns add up; cost unknown)', async () => {
    await setup();
    const p = await proposer('codex-json').propose(proposalContext(project));
    expect(p.rejectedReason).toBeUndefined();
    expect(p.description).toBe('Deepen to 10 layers');
    expect(p.usage).toEqual({ inputTokens: 1700, outputTokens: 160, cacheCreationInputTokens: 0, cacheReadInputTokens: 1300, costUsd: null });
    expect(await trainPy()).toContain('DEPTH = 10');
  });
});
