// The held-out fixture (issue #22): a real trainer whose search metric (val_bpb) improves as the learning rate
// rises toward 0.08, and a real held-out script (eval.mjs, protected) whose test_loss gets worse as it rises.
// The held-out script crashes on one kept state (HIDDEN = 40 with the starting learning rate), so a crash is
// recorded while the run goes on. The claude proposer runs against the fake Messages API, which records every
// request body: the held-out metric must never be in one.
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { JournalEvent } from '../../src/shared/journal.js';
import { byTurn, finalText, lastToolResults, message, promptOf, startFakeAnthropic, toolUse, view, type FakeAnthropic, type FakeReply, type FakeRequest } from '../fixtures/fake-anthropic/server.js';
import { runCli, type CliResult } from './cli.js';
import { scoredProject } from './project.js';

export const HELDOUT_KEY = 'sk-ant-heldout-KEY-1c9e4a';

/** test_loss = 0.8137 + (LR − 0.01) × 3.1: 0.8137 at the baseline, 0.8447 at 0.02, 0.9067 at 0.04. Odd digits, so a value found in a request is no coincidence. */
export const EVAL_SCRIPT = `// eval.mjs: the held-out evaluation (a "test split" the search never sees).
import { readFileSync } from 'node:fs';
const src = readFileSync('train.mjs', 'utf8');
const lr = Number(/const LEARNING_RATE = ([0-9.]+);/.exec(src)[1]);
const hidden = Number(/const HIDDEN = ([0-9]+);/.exec(src)[1]);
if (hidden === 40 && lr === 0.01) { console.error('eval: out of memory on the test split'); process.exit(3); }
console.log('test_loss: ' + (0.8137 + (lr - 0.01) * 3.1).toFixed(4));
`;
export const HELDOUT_VALUES = ['0.8137', '0.8447', '0.9067'];

/** Replace the current value of `const NAME = ...;` that the model saw in its last view. */
function setConst(req: FakeRequest, name: string, value: string): FakeReply {
  const seen = lastToolResults(req).map((r) => r.content).join('\n');
  const m = new RegExp(`const ${name} = [^;]+;`).exec(seen);
  if (!m) return finalText(`could not find ${name} in what I saw`);
  return message([toolUse({ command: 'str_replace', path: 'train.mjs', old_str: m[0], new_str: `const ${name} = ${value};` })]);
}

/** #1 HIDDEN = 40 (held-out crashes), #2 LR = 0.02, #3 LR = 0.04: each keeps, the held-out metric worsens. */
const SCRIPTS: Record<number, readonly (FakeReply | ((req: FakeRequest) => FakeReply))[]> = {
  1: [view('train.mjs'), (req) => setConst(req, 'HIDDEN', '40'), finalText('Widen the hidden layer to 40 units\nMore capacity.')],
  2: [view('train.mjs'), (req) => setConst(req, 'LEARNING_RATE', '0.02'), finalText('Double the learning rate to 0.02\nThe LR is too small.')],
  3: [view('train.mjs'), (req) => setConst(req, 'LEARNING_RATE', '0.04'), finalText('Raise the learning rate to 0.04\nStill below the sweet spot.')],
};

export interface HeldoutRun {
  readonly dir: string;
  readonly runDir: string;
  readonly api: FakeAnthropic;
  readonly events: JournalEvent[];
  readonly result: CliResult;
}

/** Makes the project, runs `autoresearch run --proposer claude --max-experiments 3` on it; the caller closes `api`. */
export async function heldoutRun(when: 'each-keep' | 'end' = 'each-keep'): Promise<HeldoutRun> {
  const { dir } = scoredProject(
    {
      files: { editable: ['train.mjs'], protected: ['prepare.mjs', 'eval.mjs'] },
      heldout: { command: `"${process.execPath}" eval.mjs`, metric: { name: 'test_loss', direction: 'min' }, when, timeoutSeconds: 30 },
    },
    { 'eval.mjs': EVAL_SCRIPT },
  );
  const experimentOf = (req: FakeRequest) => Number(/# Experiment (\d+)/.exec(promptOf(req))?.[1] ?? -1);
  const api = await startFakeAnthropic({ apiKey: HELDOUT_KEY, handler: (req) => byTurn(SCRIPTS[experimentOf(req)] ?? [finalText('no script')])(req) });
  const result = await runCli(['run', dir, '--proposer', 'claude', '--max-experiments', '3'], {
    cwd: dir,
    env: { CI: 'true', ANTHROPIC_API_KEY: HELDOUT_KEY, ANTHROPIC_BASE_URL: api.url },
    timeoutMs: 180_000,
  });
  const runsDir = path.join(dir, '.autoresearch', 'runs');
  const [tag] = await readdir(runsDir);
  const runDir = path.join(runsDir, tag!);
  const events = (await readFile(path.join(runDir, 'journal.jsonl'), 'utf8'))
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JournalEvent);
  return { dir, runDir, api, events, result };
}
