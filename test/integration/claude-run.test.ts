// Acceptance of the claude proposer, end to end: the bundled CLI (`autoresearch run DIR --proposer claude
// --max-experiments 3`) against the fake Messages API, with ANTHROPIC_BASE_URL / ANTHROPIC_API_KEY set.
// The fake "model" edits train.mjs through the text editor tool; in the middle of the run the API goes
// down for 20 s; in one proposal it also tries to edit the evaluator and to write outside the project.
import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Experiment } from '../../src/shared/experiment.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import {
  byTurn,
  finalText,
  lastToolResults,
  message,
  promptOf,
  startFakeAnthropic,
  toolUse,
  view,
  type FakeAnthropic,
  type FakeReply,
  type FakeRequest,
} from '../fixtures/fake-anthropic/server.js';
import { cleanupTempDirs, git, REPO_ROOT, scoredProject } from '../helpers/project.js';
import { waitUntil } from '../helpers/processes.js';

const run = promisify(execFile);
const CLI = path.join(REPO_ROOT, 'bin', 'autoresearch.mjs');
const KEY = 'sk-ant-e2e-KEY-5f3a9c1e7b2d4860aa';

/** True once the run has journaled that it waits for the API (a warning notice on experiment `id`). */
async function saidUnavailable(projectDir: string, id: number): Promise<boolean> {
  const runsDir = path.join(projectDir, '.autoresearch', 'runs');
  for (const tag of await readdir(runsDir).catch(() => [] as string[])) {
    const text = await readFile(path.join(runsDir, tag, 'journal.jsonl'), 'utf8').catch(() => '');
    for (const line of text.split('\n')) {
      const e = (() => {
        try {
          return JSON.parse(line) as JournalEvent;
        } catch {
          return null; // a line still being written
        }
      })();
      if (e?.type === 'notice' && e.level === 'warning' && e.id === id) return true;
    }
  }
  return false;
}

/** Replace the current value of `const NAME = ...;` that the model saw in its last view. */
function setConst(req: FakeRequest, name: string, value: string): FakeReply {
  const seen = lastToolResults(req).map((r) => r.content).join('\n');
  const m = new RegExp(`const ${name} = [^;]+;`).exec(seen);
  if (!m) return finalText(`could not find ${name} in what I saw`);
  return message([toolUse({ command: 'str_replace', path: 'train.mjs', old_str: m[0], new_str: `const ${name} = ${value};` })]);
}

const experimentOf = (req: FakeRequest) => Number(/# Experiment (\d+)/.exec(promptOf(req))?.[1] ?? -1);

describe('autoresearch run --proposer claude', () => {
  let api: FakeAnthropic;
  let dir: string;
  let outsideFile: string;
  let stdout = '';
  let stderr = '';
  let exitCode: number | null = null;
  let events: JournalEvent[] = [];
  let runDir: string;
  let outageStartedAt = 0;
  let outageEndedAt = 0;

  beforeAll(async () => {
    await run(process.execPath, ['scripts/build-cli.mjs'], { cwd: REPO_ROOT });
    ({ dir } = scoredProject());
    outsideFile = path.join(path.dirname(dir), `${path.basename(dir)}-escaped.mjs`);

    const scripts: Record<number, readonly (FakeReply | ((req: FakeRequest) => FakeReply))[]> = {
      1: [
        view('train.mjs'),
        (req) => setConst(req, 'LEARNING_RATE', '0.02'),
        finalText('Double the learning rate to 0.02\nThe baseline LR looks far too small for this model.', { input_tokens: 900, output_tokens: 60, cache_read_input_tokens: 2500 }),
      ],
      2: [
        view('train.mjs'),
        (req) =>
          message([
            toolUse({ command: 'str_replace', path: 'prepare.mjs', old_str: 'export const EVAL = 1;', new_str: 'export const EVAL = 0;' }),
            toolUse({ command: 'create', path: `../${path.basename(outsideFile)}`, file_text: 'console.log("escaped")\n' }),
            toolUse({ command: 'create', path: outsideFile, file_text: 'console.log("escaped")\n' }),
            // The legal edit, in the same answer, after the illegal ones; it needs what the view showed.
            ...(() => {
              const r = setConst(req, 'LEARNING_RATE', '0.04');
              return r.kind === 'message' ? r.content : [];
            })(),
          ]),
        finalText('Raise the learning rate to 0.04\nStill below the sweet spot; the evaluator tweak was refused.', { input_tokens: 1100, output_tokens: 70 }),
      ],
      3: [
        view('train.mjs'),
        (req) => setConst(req, 'HIDDEN', '40'),
        finalText('Widen the hidden layer to 40 units\nMore capacity at no cost in time.', { input_tokens: 800, output_tokens: 50, cache_creation_input_tokens: 3000 }),
      ],
    };
    let outageDone = false;
    api = await startFakeAnthropic({
      apiKey: KEY,
      handler: (req) => {
        const id = experimentOf(req);
        if (id === 2 && req.turn === 0 && !outageDone) {
          // The API goes away in the middle of the run, and comes back once the run has said it waits for it.
          outageDone = true;
          outageStartedAt = Date.now();
          setImmediate(() => void api.stop());
          void (async () => {
            await waitUntil(() => saidUnavailable(dir, 2), 180_000, 100);
            await api.start();
            outageEndedAt = Date.now();
          })();
          return { kind: 'drop' };
        }
        return byTurn(scripts[id] ?? [finalText(`no script for experiment ${id}`)])(req);
      },
    });

    const child = spawn(process.execPath, [CLI, 'run', dir, '--proposer', 'claude', '--max-experiments', '3'], {
      cwd: dir,
      env: { ...process.env, CI: 'true', ANTHROPIC_API_KEY: KEY, ANTHROPIC_BASE_URL: api.url, ANTHROPIC_LOG: 'debug' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    exitCode = await new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    const runsDir = path.join(dir, '.autoresearch', 'runs');
    const [tag] = await readdir(runsDir);
    runDir = path.join(runsDir, tag!);
    events = (await readFile(path.join(runDir, 'journal.jsonl'), 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as JournalEvent);
  }, 240_000);

  afterAll(async () => {
    await api?.close();
    cleanupTempDirs();
  });

  const finals = (): Map<number, Experiment> => {
    const m = new Map<number, Experiment>();
    for (const e of events) if (e.type === 'experiment-end') m.set(e.experiment.id, e.experiment);
    return m;
  };

  it('finishes the run: baseline and exactly 3 experiments, none lost to the outage', () => {
    expect(exitCode, `stdout:\n${stdout}\nstderr:\n${stderr}`).toBe(0);
    const ids = [...finals().keys()].sort((a, b) => a - b);
    expect(ids).toEqual([0, 1, 2, 3]);
    for (const id of [1, 2, 3]) expect(['keep', 'discard']).toContain(finals().get(id)!.status);
    const stop = events.find((e) => e.type === 'run-stop');
    expect(stop).toMatchObject({ reason: 'max-experiments' });
  });

  it('takes each description from the model\'s first line and the hypothesis from the rest', () => {
    const f = finals();
    expect(f.get(1)!.description).toBe('Double the learning rate to 0.02');
    expect(f.get(2)!.description).toBe('Raise the learning rate to 0.04');
    expect(f.get(3)!.description).toBe('Widen the hidden layer to 40 units');
    expect(f.get(3)!.hypothesis).toBe('More capacity at no cost in time.');
    expect(stdout).toContain('Double the learning rate to 0.02');
  });

  it('records token usage and cost on every experiment', () => {
    for (const id of [1, 2, 3]) {
      const u = finals().get(id)!.usage!;
      expect(u, `experiment ${id}`).not.toBeNull();
      expect(u.inputTokens).toBeGreaterThan(0);
      expect(u.outputTokens).toBeGreaterThan(0);
      expect(u.costUsd).toBeGreaterThan(0);
    }
    expect(finals().get(1)!.usage!.cacheReadInputTokens).toBe(2500);
    expect(finals().get(3)!.usage!.cacheCreationInputTokens).toBe(3000);
  });

  it('commits edits that came from text editor tool calls', async () => {
    const f = finals();
    const e1 = f.get(1)!;
    expect(e1.changedFiles).toEqual(['train.mjs']);
    expect(git(dir, 'show', `${e1.commit}:train.mjs`)).toContain('const LEARNING_RATE = 0.02;');
    expect(git(dir, 'show', `${f.get(3)!.commit}:train.mjs`)).toContain('const HIDDEN = 40;');
    const t1 = JSON.parse(await readFile(path.join(runDir, e1.transcriptPath!), 'utf8'));
    const calls = t1.turns.flatMap((t: { content: { type: string; input?: { command: string } }[] }) => t.content.filter((b) => b.type === 'tool_use').map((b) => b.input!.command));
    expect(calls).toEqual(['view', 'str_replace']);
  });

  it('waited out the outage and went on when the API came back', () => {
    expect(outageEndedAt).toBeGreaterThan(outageStartedAt);
    const notices = events.filter((e) => e.type === 'notice' && e.level === 'warning' && e.id === 2);
    expect(notices.length).toBeGreaterThan(0);
    expect((notices[0] as { message: string }).message).toMatch(/Anthropic API is unavailable/);
    // Experiment 2 started before the outage and finished after it, as one experiment.
    const e2 = finals().get(2)!;
    expect(Date.parse(e2.finishedAt!)).toBeGreaterThan(outageEndedAt);
    expect(events.filter((e) => e.type === 'experiment-start' && e.experiment.id === 2)).toHaveLength(1);
  });

  it('the evaluator edit and the write outside the project changed nothing; the legal edit of that proposal ran', async () => {
    const e2 = finals().get(2)!;
    expect(e2.changedFiles).toEqual(['train.mjs']);
    expect(git(dir, 'show', `${e2.commit}:prepare.mjs`)).toBe('// evaluator: protected\nexport const EVAL = 1;\n');
    expect(git(dir, 'show', `${e2.commit}:train.mjs`)).toContain('const LEARNING_RATE = 0.04;');
    expect(e2.runs.length).toBeGreaterThan(0);
    await expect(stat(outsideFile)).rejects.toThrow();
    const t2 = JSON.parse(await readFile(path.join(runDir, e2.transcriptPath!), 'utf8'));
    const results = t2.turns[1].toolResults as { isError: boolean; content: string }[];
    expect(results.map((r) => r.isError)).toEqual([true, true, true, false]);
    expect(results[0]!.content).toMatch(/protected/);
    expect(results[1]!.content).toMatch(/"\.\."/);
    expect(results[2]!.content).toMatch(/outside the project/);
  });

  it('never wrote the key anywhere: no file of the project or the run, no output', async () => {
    const offenders: string[] = [];
    async function scan(d: string): Promise<void> {
      for (const entry of await readdir(d, { withFileTypes: true })) {
        const p = path.join(d, entry.name);
        if (entry.isDirectory()) await scan(p);
        else if (entry.isFile() && (await readFile(p)).includes(KEY)) offenders.push(path.relative(dir, p));
      }
    }
    await scan(dir);
    expect(offenders).toEqual([]);
    // Something was scanned: the journal and the transcripts are there.
    expect((await readdir(path.join(runDir, 'agent'))).sort()).toEqual(['1.json', '2.json', '3.json']);
    expect(stdout).not.toContain(KEY);
    expect(stderr).not.toContain(KEY);
    // The key did go to the API, as the credential.
    expect(String(api.requests[0]!.headers.authorization ?? api.requests[0]!.headers['x-api-key'])).toContain(KEY);
    expect(api.requests.every((r) => !r.raw.includes(KEY))).toBe(true);
  });
});
