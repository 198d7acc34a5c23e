// Approval of proposals (config.approval): a proposal that needs it waits, journaled, while other slots work;
// `autoresearch approve` (another process) lists and answers it through the run's inbox or, for a stopped
// run, its journal; a rejection's note reaches the agent's next prompt; a stop leaves it waiting, and the
// resumed run takes it up again without running it unapproved.
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ProposalContext } from '../../src/core/agent/proposer.js';
import { buildRunStatePrompt } from '../../src/core/agent/claude/prompt.js';
import { readJournalEvents, readRunRecord } from '../../src/core/journal/read.js';
import { needsApproval } from '../../src/core/loop/approval.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { RunHandle } from '../../src/core/loop/types.js';
import { runPaths } from '../../src/core/project/paths.js';
import { ApprovalSchema } from '../../src/shared/config.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import { finalText, lastToolResults, message, promptOf, startFakeAnthropic, toolUse, view, byTurn, type FakeRequest } from '../fixtures/fake-anthropic/server.js';
import { createEnvSecretStore, createStudio } from '../../src/core/studio/index.js';
import type { StudioEvent } from '../../src/shared/api.js';
import { buildCli, runCli, spawnCli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, REPO_ROOT, scoredProject, tempDir } from '../helpers/project.js';
import { scriptedProposer, setConst, type Step } from '../helpers/scripted-proposer.js';
import { linkTestTrust } from '../helpers/trust.js';

beforeAll(buildCli);
const handles: RunHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop().catch(() => undefined);
  cleanupTempDirs();
});

/** A change of `n` added comment lines plus a learning rate: large enough to need approval under `large`. */
const bigChange = (value: string, n: number): Step => async (ctx) => {
  const step = await setConst('LEARNING_RATE', value)(ctx);
  const text = await ctx.workspace.readFile('train.mjs');
  await ctx.workspace.writeFile('train.mjs', text + Array.from({ length: n }, (_, i) => `// note ${i}\n`).join(''));
  return { ...step, description: `${step.description} with ${n} notes` };
};

function start(dir: string, steps: Step[], opts: { tag: string; maxExperiments?: number; fallback?: Step } = { tag: 'a' }) {
  const proposer = scriptedProposer(steps, opts.fallback);
  return startRun({
    projectDir: dir,
    tag: opts.tag,
    ...(opts.maxExperiments ? { maxExperiments: opts.maxExperiments } : {}),
    deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => proposer },
  }).then((h) => {
    handles.push(h);
    return { handle: h, proposer };
  });
}

const journal = (dir: string, tag: string): JournalEvent[] =>
  readFileSync(runPaths(dir, tag).journal, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalEvent);

/**
 * handle.stop(), or a failure that says where the run is stuck: each slot's phase and the journal's last events
 * (a stop that never finishes would otherwise show only as a test timeout).
 */
async function stopWithin(h: RunHandle, dir: string, tag: string, ms = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const stuck = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const slots = h.live().slots.map((s) => `slot ${s.slot}: ${s.phase} #${s.experimentId ?? '-'} ${s.waitingReason ?? ''}`);
      const tail = readFileSync(runPaths(dir, tag).journal, 'utf8').trimEnd().split('\n').slice(-8);
      reject(new Error(`stop() did not finish in ${ms} ms (state ${h.state()}).\n${slots.join('\n')}\nLast journal lines:\n${tail.join('\n')}`));
    }, ms);
  });
  try {
    await Promise.race([h.stop(), stuck]);
  } finally {
    clearTimeout(timer);
  }
}

const waitingIds = (h: RunHandle) => [...h.record().approvals.values()].filter((a) => !a.answer && h.record().experiments.get(a.request.id)?.status === 'running').map((a) => a.request.id);

describe('approval: large', () => {
  it('holds only the proposals over the line threshold, while the other slot keeps working', async () => {
    expect(needsApproval(ApprovalSchema.parse({ mode: 'large', overLines: 3 }), 3)).toBeNull();
    expect(needsApproval(ApprovalSchema.parse({ mode: 'large', overLines: 3 }), 4)).toMatch(/changes 4 lines, over 3/);
    expect(needsApproval(ApprovalSchema.parse({ mode: 'off' }), 10_000)).toBeNull();
    expect(needsApproval(ApprovalSchema.parse({ mode: 'all' }), 1)).toMatch(/every proposal/);

    const { dir } = scoredProject({ approval: { mode: 'large', overLines: 3 }, slots: [{ env: {} }, { env: {} }], acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } });
    const small = (v: string) => setConst('LEARNING_RATE', v);
    // The other slot goes on proposing distinct small changes for as long as the test takes (a repeated one
    // would be an empty diff, rejected, and enough of those in a row would trip the failure breaker).
    let n = 0;
    const distinct: Step = async (ctx) => setConst('HIDDEN', String(33 + (n++ % 50)))(ctx);
    const { handle } = await start(dir, [bigChange('0.04', 6), small('0.02'), small('0.03'), small('0.05')], { tag: 'a', fallback: distinct });
    expect(await waitUntil(() => waitingIds(handle).length === 1, 60_000)).toBe(true);
    const [waiting] = waitingIds(handle);
    const request = handle.record().approvals.get(waiting!)!.request;
    expect(request.changedLines).toBe(8);
    expect(request.reason).toMatch(/changes 8 lines, over 3/);
    // The other slot measures its small proposals meanwhile; none of them waits.
    expect(await waitUntil(() => [...handle.record().experiments.values()].filter((e) => e.kind === 'candidate' && e.status !== 'running').length >= 2, 60_000)).toBe(true);
    expect(handle.record().experiments.get(waiting!)!.status).toBe('running');
    expect([...handle.record().approvals.keys()]).toEqual([waiting]);

    const listed = await runCli(['approve', dir, '--tag', 'a']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`#${waiting}\\s+LEARNING_RATE → 0\\.04 with 6 notes`));
    expect(listed.stdout).toMatch(/train\.mjs; 8 lines changed; waits because it changes 8 lines, over 3/);

    const approved = await runCli(['approve', dir, '--tag', 'a', '--approve', String(waiting)]);
    expect(approved.stderr).toBe('');
    expect(approved.stdout).toBe(`Approved #${waiting}; it runs now.\n`);
    expect(await waitUntil(() => handle.record().experiments.get(waiting!)!.status !== 'running', 60_000)).toBe(true);
    const ran = handle.record().experiments.get(waiting!)!;
    expect(['keep', 'discard']).toContain(ran.status);
    expect(ran.runs.length).toBeGreaterThan(0);
    expect(ran.approval).toMatchObject({ state: 'approve', by: 'terminal', proposedCommit: request.commit });
    await stopWithin(handle, dir, 'a');
  }, 180_000);
});

describe('approval: all, answered from a terminal', () => {
  it('approves one, runs an edit of another, rejects a third with a note the next prompt shows', async () => {
    // The sequential loop: the proposal after a rejection is made after it, so it carries the note (made ahead,
    // one proposal later).
    const { dir } = scoredProject({ approval: { mode: 'all' }, acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 }, agent: { queueDepth: 0 } });
    const { handle, proposer } = await start(dir, [setConst('LEARNING_RATE', '0.02'), setConst('LEARNING_RATE', '0.03'), setConst('LEARNING_RATE', '0.5'), setConst('LEARNING_RATE', '0.04')], { tag: 'b' });
    const answer = async (...args: string[]) => runCli(['approve', dir, '--tag', 'b', ...args]);
    const seen = new Set<number>();
    const nextWaiting = async () => {
      const fresh = () => waitingIds(handle).filter((i) => !seen.has(i));
      expect(await waitUntil(() => fresh().length === 1, 60_000)).toBe(true);
      const id = fresh()[0]!;
      seen.add(id);
      return id;
    };

    const first = await nextWaiting();
    expect((await answer('--approve', String(first))).code).toBe(0);

    const second = await nextWaiting();
    const shown = await answer('--show', String(second));
    expect(shown.stderr).toBe("");
    expect(shown.stdout).toMatch(/^\+const LEARNING_RATE = 0\.03;$/m);
    const edit = await answer('--edit', String(second));
    expect(edit.code).toBe(0);
    const editFile = path.join(runPaths(dir, 'b').dir, 'edits', String(second), 'train.mjs');
    expect(edit.stdout).toContain(editFile);
    writeFileSync(editFile, readFileSync(editFile, 'utf8').replace('const LEARNING_RATE = 0.03;', 'const LEARNING_RATE = 0.07;'));
    // An edit that cannot be read (a folder where the file was) is an error, not an approval without the edit.
    renameSync(editFile, `${editFile}.aside`);
    mkdirSync(editFile);
    const unreadable = await answer('--approve', String(second));
    expect(unreadable.code).toBe(1);
    expect(unreadable.stderr).toMatch(/^autoresearch approve: Cannot read your edit of train\.mjs \(.*\): EISDIR.*Fix the file \(or run --edit \d+ again\), then approve again\.\n$/);
    expect(waitingIds(handle)).toContain(second);
    rmSync(editFile, { recursive: true });
    renameSync(`${editFile}.aside`, editFile);
    const editApproved = await answer('--approve', String(second));
    expect(editApproved.stdout).toBe(`Approved #${second} with your edit of train.mjs; it runs now.\n`);

    const third = await nextWaiting();
    const rejected = await answer('--reject', String(third), '--note', 'a learning rate of 0.5 diverges; stay below 0.1');
    expect(rejected.stdout).toBe(`Rejected #${third}. The agent sees your note in the next proposal it starts.\n`);

    // The fourth proposal's context carries the note, and the prompt the claude proposer sends shows it.
    const fourth = await nextWaiting();
    const ctx = proposer.contexts[3] as ProposalContext;
    expect(ctx.steering.join('\n')).toContain('a learning rate of 0.5 diverges; stay below 0.1');
    expect(buildRunStatePrompt(ctx)).toMatch(/Steering notes from the researcher[\s\S]*rejected #\d+ \("LEARNING_RATE → 0\.5"\): a learning rate of 0\.5 diverges; stay below 0\.1/);

    // Errors are one line each, and say what to do.
    const again = await answer('--approve', String(first));
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(new RegExp(`^autoresearch approve: #${first} was already answered \\(approve, from the terminal at [^)]+\\)\\.\\n$`));
    const unknown = await answer('--reject', '99');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe(`autoresearch approve: #99 is not a proposal waiting for approval in run b. Waiting: #${fourth}. List them with \`autoresearch approve --tag b\`.\n`);
    const noRun = await runCli(['approve', dir, '--tag', 'nope']);
    expect(noRun.code).toBe(1);
    expect(noRun.stderr).toMatch(/^autoresearch approve: There is no run "nope" in .*\n$/);
    await handle.stop();

    const rec = await readRunRecord(dir, 'b');
    const answers = journal(dir, 'b').filter((e) => e.type === 'approval-answer');
    expect(answers.map((e) => [e.id, e.answer])).toEqual([
      [first, 'approve'],
      [second, 'edit'],
      [third, 'reject'],
    ]);
    expect(['keep', 'discard']).toContain(rec.experiments.get(first)!.status);
    // The edit is the commit that ran; the proposal stays recorded beside it.
    const edited = rec.experiments.get(second)!;
    expect(['keep', 'discard']).toContain(edited.status);
    expect(git(dir, 'show', `${edited.commit}:train.mjs`)).toContain('const LEARNING_RATE = 0.07;');
    expect(git(dir, 'show', `${edited.approval!.proposedCommit}:train.mjs`)).toContain('const LEARNING_RATE = 0.03;');
    expect(git(dir, 'rev-parse', `${edited.commit}^`).trim()).toBe(edited.parentCommit);
    const no = rec.experiments.get(third)!;
    expect(no.status).toBe('rejected');
    expect(no.runs).toEqual([]);
    expect(no.error).toBe('Rejected by the researcher: a learning rate of 0.5 diverges; stay below 0.1');
    // The stop left the fourth waiting, not lost and not run.
    expect(rec.experiments.get(fourth)!.status).toBe('interrupted');
    expect(rec.experiments.get(fourth)!.runs).toEqual([]);
  }, 240_000);

  it('refuses an edit of a file that is not editable, in one line', async () => {
    const { dir } = scoredProject({ approval: { mode: 'all' }, acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } });
    const { handle } = await start(dir, [setConst('LEARNING_RATE', '0.02')], { tag: 'c' });
    expect(await waitUntil(() => waitingIds(handle).length === 1, 60_000)).toBe(true);
    const id = waitingIds(handle)[0]!;
    const { answerApproval } = await import('../../src/core/loop/approval-answer.js');
    await expect(answerApproval(dir, 'c', { id, answer: 'edit', files: [{ path: 'prepare.mjs', content: 'x' }], by: 'app' })).rejects.toThrow(
      /^prepare\.mjs is not one of the editable files \(train\.mjs\); an edit may only change those\.$/,
    );
    await expect(answerApproval(dir, 'c', { id, answer: 'edit', files: [{ path: '../x', content: 'x' }], by: 'app' })).rejects.toThrow(/not a path inside the project/);
    await handle.stop();
  }, 120_000);
});

describe('a restart while a proposal waits', () => {
  it('keeps it waiting, takes an answer given meanwhile, and never runs it unapproved', async () => {
    const { dir } = scoredProject({ approval: { mode: 'all' }, acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } });
    const first = await start(dir, [setConst('LEARNING_RATE', '0.02')], { tag: 'r' });
    expect(await waitUntil(() => waitingIds(first.handle).length === 1, 60_000)).toBe(true);
    const id = waitingIds(first.handle)[0]!;
    await first.handle.stop();

    // Stopped: still listed, and never measured.
    const listed = await runCli(['approve', dir, '--tag', 'r']);
    expect(listed.stdout).toMatch(/Waiting for approval in run r \(stopped: answers apply when it resumes\):/);
    expect(listed.stdout).toMatch(new RegExp(`#${id}\\s+LEARNING_RATE → 0\\.02`));

    const status = await runCli(['status', dir]);
    expect(status.stdout).toContain(`waiting for approval: #${id} — answer with: autoresearch approve`);

    // Resumed: the same proposal waits again (no new proposal is asked for), still unmeasured.
    const second = await start(dir, [], { tag: 'r' });
    // (The experiment is reopened a moment before its slot shows it waiting: wait for both.)
    expect(await waitUntil(() => waitingIds(second.handle).includes(id) && second.handle.live().slots[0]!.phase === 'waiting', 60_000)).toBe(true);
    // Not proposed again. (The proposer working ahead may already be making the next one, a later id.)
    expect(second.proposer.contexts.map((c) => c.experimentId)).not.toContain(id);
    expect(second.proposer.contexts.every((c) => c.experimentId > id)).toBe(true);
    expect(second.handle.live().slots[0]).toMatchObject({ phase: 'waiting', experimentId: id });
    expect(second.handle.record().experiments.get(id)!.runs).toEqual([]);
    await second.handle.stop();

    // Answered while stopped: straight into the journal; the next resume runs it.
    const approved = await runCli(['approve', dir, '--tag', 'r', '--approve', String(id)]);
    expect(approved.stdout).toBe(`Approved #${id}; it runs when the run resumes.\n`);
    const third = await start(dir, [], { tag: 'r', maxExperiments: 1 });
    await third.handle.done;
    const rec = await readRunRecord(dir, 'r');
    expect(['keep', 'discard']).toContain(rec.experiments.get(id)!.status);
    expect(rec.experiments.get(id)!.runs.length).toBeGreaterThan(0);
    const { events } = await readJournalEvents(runPaths(dir, 'r').journal);
    expect(events.filter((e) => e.type === 'approval-wait')).toHaveLength(1);
    // Measured only after the answer.
    const answeredAt = events.findIndex((e) => e.type === 'approval-answer');
    const firstRun = events.findIndex((e) => e.type === 'process-start' && e.id === id);
    expect(answeredAt).toBeGreaterThan(0);
    expect(firstRun).toBeGreaterThan(answeredAt);
  }, 240_000);
});

describe('a rejection note and the claude proposer', () => {
  it('reaches the next request to the Messages API, from a run in another process', async () => {
    const KEY = 'sk-ant-approval-KEY-0123456789abcdef';
    const note = 'never raise the learning rate above 0.1; it diverges';
    const experimentOf = (req: FakeRequest) => Number(/# Experiment (\d+)/.exec(promptOf(req))?.[1] ?? -1);
    const setLr = (value: string) => (req: FakeRequest) => {
      const m = /const LEARNING_RATE = [^;]+;/.exec(lastToolResults(req).map((r) => r.content).join('\n'));
      return m ? message([toolUse({ command: 'str_replace', path: 'train.mjs', old_str: m[0], new_str: `const LEARNING_RATE = ${value};` })]) : finalText('no constant seen');
    };
    const api = await startFakeAnthropic({
      apiKey: KEY,
      handler: (req) =>
        byTurn(
          experimentOf(req) === 1
            ? [view('train.mjs'), setLr('0.5'), finalText('Raise the learning rate to 0.5\nBigger steps.')]
            : [view('train.mjs'), setLr('0.04'), finalText('Learning rate 0.04\nA moderate step.')],
        )(req),
    });
    // The sequential loop: the next request is made after the rejection (made ahead, the one after it carries the note).
    const { dir } = scoredProject({ approval: { mode: 'all' }, acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 }, agent: { queueDepth: 0 } });
    const child = spawnCli(['run', dir, '--tag', 'cl', '--proposer', 'claude'], { env: { ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: api.url } });
    const exited = new Promise<number | null>((r) => child.once('close', r));
    try {
      const waits = (id: number) => () => {
        try {
          return journal(dir, 'cl').some((e) => e.type === 'approval-wait' && e.id === id);
        } catch {
          return false;
        }
      };
      expect(await waitUntil(waits(1), 60_000)).toBe(true);
      const rejected = await runCli(['approve', dir, '--tag', 'cl', '--reject', '1', '--note', note]);
      expect(rejected.stdout).toBe('Rejected #1. The agent sees your note in the next proposal it starts.\n');
      expect(await waitUntil(waits(2), 60_000)).toBe(true);
      const before = api.requests.filter((r) => experimentOf(r) === 1).map(promptOf).join('\n');
      const after = api.requests.filter((r) => experimentOf(r) === 2).map(promptOf).join('\n');
      expect(before).not.toContain(note);
      expect(after).toContain(`The researcher rejected #1 ("Raise the learning rate to 0.5"): ${note}`);
    } finally {
      child.kill('SIGTERM');
      await exited;
      await api.close();
    }
    expect(journal(dir, 'cl').find((e) => e.type === 'experiment-end' && e.experiment.id === 1 && e.experiment.status === 'rejected')).toBeTruthy();
  }, 180_000);
});

describe('a run the app owns', () => {
  it('is answered through the Api, notifies the desktop, and refuses a second answer', async () => {
    const { dir } = scoredProject({ approval: { mode: 'all' }, acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 } });
    const notified: string[] = [];
    const studio = await createStudio({
      app: { version: 'test', host: 'serve', platform: process.platform },
      dataDir: linkTestTrust(tempDir('ar-data-')),
      appRoot: REPO_ROOT,
      secrets: createEnvSecretStore({}),
      notify: (title) => notified.push(title),
    });
    try {
      const events: StudioEvent[] = [];
      studio.onEvent((e) => events.push(e));
      await studio.api.openProject({ dir });
      await studio.api.startRun({ tag: 'o' });
      const waiting = (id: number) => () => events.some((e) => e.type === 'experiment' && e.experiment.id === id && e.experiment.approval?.state === 'waiting');
      expect(await waitUntil(waiting(1), 60_000)).toBe(true);
      expect(notified).toContain('Proposal #1 waits for your approval');
      const { files } = await studio.api.readProposalFiles({ tag: 'o', id: 1 });
      expect(files.map((f) => f.path)).toEqual(['train.mjs']);
      expect(files[0]!.content).not.toBe(git(dir, 'show', 'HEAD:train.mjs'));
      expect((await studio.api.getRun({ tag: 'o' })).approvals?.map((a) => [a.id, a.answer])).toEqual([[1, null]]);

      expect(await studio.api.answerApproval({ tag: 'o', id: 1, answer: 'reject', note: 'not that one' })).toEqual({ delivered: 'inbox' });
      const ended = (id: number, status: string) => () => events.some((e) => e.type === 'experiment' && e.experiment.id === id && e.experiment.status === status);
      expect(await waitUntil(ended(1, 'rejected'), 30_000)).toBe(true);
      await expect(studio.api.answerApproval({ tag: 'o', id: 1, answer: 'approve' })).rejects.toThrow(/^#1 was already answered \(reject, from the app at /);
      await expect(studio.api.answerApproval({ tag: 'o', id: 7, answer: 'approve' })).rejects.toThrow(/^#7 is not a proposal waiting for approval in run o\./);
      await expect(studio.api.answerApproval({ tag: 'o', id: 2, answer: 'edit' })).rejects.toThrow(/needs the edited files|not a proposal waiting/);

      expect(await waitUntil(waiting(2), 60_000)).toBe(true);
      await studio.api.answerApproval({ tag: 'o', id: 2, answer: 'approve' });
      expect(await waitUntil(() => ended(2, 'keep')() || ended(2, 'discard')(), 60_000)).toBe(true);
      await studio.api.stopRun({});
    } finally {
      await studio.dispose();
    }
  }, 180_000);
});
