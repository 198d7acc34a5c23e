// The held-out check (issue #22 item 4), end to end through the bundled CLI: a real trainer, a real held-out
// script in the sandbox, the claude proposer against the fake Messages API. The held-out command runs after the
// baseline and each keep; one crash is recorded as an error and the run goes on; the held-out metric's name and
// values never reach the model; status and both reports show it, with the warning that the gain did not carry over.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HeldoutResultEvent, JournalEvent } from '../../src/shared/journal.js';
import { findBwrap } from '../../src/core/exec/sandbox.js';
import { buildCli, runCli, type CliResult } from '../helpers/cli.js';
import { EVAL_SCRIPT, HELDOUT_VALUES, heldoutRun, type HeldoutRun } from '../helpers/heldout-run.js';
import { cleanupTempDirs, git, scoredProject, writeConfig } from '../helpers/project.js';

const WARNING = /The search metric improved 15\.9 % but the held-out metric got worse \(0\.8137 → 0\.9067\): the gain may not carry over\./;

afterAll(() => cleanupTempDirs());

const heldoutEvents = (events: JournalEvent[]) => events.filter((e): e is HeldoutResultEvent => e.type === 'heldout-result');

describe('held-out check, each keep', () => {
  let run: HeldoutRun;

  beforeAll(async () => {
    buildCli();
    run = await heldoutRun('each-keep');
  }, 240_000);

  afterAll(async () => {
    await run?.api.close();
  });

  it('runs after the baseline and each keep; a crash is an error and the run goes on to its limit', () => {
    expect(run.result.code, `stdout:\n${run.result.stdout}\nstderr:\n${run.result.stderr}`).toBe(0);
    const kept = run.events.filter((e) => e.type === 'experiment-end' && e.experiment.status === 'keep').map((e) => (e as { experiment: { id: number } }).experiment.id);
    expect(kept).toEqual([0, 1, 2, 3]);
    const held = heldoutEvents(run.events);
    expect(held.map((e) => e.id)).toEqual([0, 1, 2, 3]);
    expect(held.map((e) => e.value)).toEqual([0.8137, null, 0.8447, 0.9067]);
    expect(held[1]!.error).toMatch(/held-out command .* exited with code 3/);
    expect(held[1]!.error).toContain('out of memory on the test split');
    expect(run.events.find((e) => e.type === 'run-stop')).toMatchObject({ reason: 'max-experiments' });
    // It ran as its own process, journaled like every command (so an orphan would be found).
    expect(run.events.some((e) => e.type === 'process-start' && e.what === 'heldout')).toBe(true);
    // The terminal that runs it says each result (the user's screen, not the agent's).
    expect(run.result.stdout).toContain('held-out test_loss of #3: 0.9067');
    expect(run.result.stdout).toMatch(/held-out test_loss of #1: failed \(The held-out command .* exited with code 3/);
  });

  it('wrote each held-out log in the run folder', async () => {
    const log = await readFile(path.join(run.runDir, heldoutEvents(run.events)[3]!.logPath), 'utf8');
    expect(log).toContain('test_loss: 0.9067');
  });

  it('never sent the held-out metric to the model: not its name, not a value', () => {
    expect(run.api.requests.length).toBeGreaterThanOrEqual(9);
    // The proposals did see the search metric's numbers: the check below looks where the held-out ones would be.
    expect(run.api.requests.some((r) => r.raw.includes('val_bpb'))).toBe(true);
    for (const r of run.api.requests) {
      expect(r.raw).not.toContain('test_loss');
      expect(r.raw).not.toMatch(/held-?out/i);
      for (const v of HELDOUT_VALUES) expect(r.raw).not.toContain(v);
    }
  });

  it('autoresearch status shows the held-out line and the warning', async () => {
    const s = await runCli(['status', run.dir]);
    expect(s.code).toBe(0);
    expect(s.stdout).toContain('Held-out test_loss: 0.8137 (baseline) → 0.9067 (best, #3)');
    expect(s.stdout).toMatch(WARNING);
  });

  it('both reports have the held-out section with the warning and a column', async () => {
    for (const format of ['md', 'html'] as const) {
      const out = path.join(run.dir, `report.${format}`);
      const r = await runCli(['report', run.dir, '--format', format, '--out', out]);
      expect(r.code, r.stderr).toBe(0);
      const text = await readFile(out, 'utf8');
      expect(text).toContain('Held-out check');
      expect(text).toMatch(WARNING);
      expect(text).toMatch(/held-out test\\?_loss/); // Markdown escapes the underscore
      expect(text).toContain('0.8447');
      expect(text).toContain('failed');
    }
  });
});

describe('held-out check at the end', () => {
  let run: HeldoutRun;

  beforeAll(async () => {
    run = await heldoutRun('end');
  }, 240_000);

  afterAll(async () => {
    await run?.api.close();
  });

  it('runs once the run ends, on the baseline and the best only', () => {
    expect(run.result.code, run.result.stderr).toBe(0);
    const held = heldoutEvents(run.events);
    expect(held.map((e) => [e.id, e.value])).toEqual([
      [0, 0.8137],
      [3, 0.9067],
    ]);
    // After every experiment ended, before the run stopped.
    const lastEnd = run.events.map((e) => e.type).lastIndexOf('experiment-end');
    const stop = run.events.findIndex((e) => e.type === 'run-stop');
    const first = run.events.findIndex((e) => e.type === 'heldout-result');
    expect(first).toBeGreaterThan(lastEnd);
    expect(stop).toBeGreaterThan(first);
  });
});

// An agent CLI (the command proposer) can read files, so the sandbox hides what holds the held-out check from it:
// the config, the journals and the held-out logs. This agent reads everything it can and writes what it found
// into its change; the training logs it can read show that the run folder itself is open to it.
const AGENT_SCRIPT = `import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
const p = process.env.AUTORESEARCH_PROJECT_DIR;
const read = (f) => { try { return readFileSync(f, 'utf8'); } catch { return ''; } };
let seen = read(p + '/.autoresearch/config.json');
const runs = p + '/.autoresearch/runs';
for (const t of readdirSync(runs)) {
  seen += read(runs + '/' + t + '/journal.jsonl') + read(runs + '/' + t + '/fold-snapshot.jsonl');
  try { for (const f of readdirSync(runs + '/' + t + '/logs')) seen += read(runs + '/' + t + '/logs/' + f); } catch {}
}
const id = Number(process.env.AUTORESEARCH_EXPERIMENT_ID);
const lr = [0.02, 0.04, 0.06][id - 1] ?? 0.07;
const src = readFileSync('train.mjs', 'utf8').replace(/const LEARNING_RATE = [^;]+;/, 'const LEARNING_RATE = ' + lr + ';');
const name = ['test', 'loss'].join('_');
writeFileSync('train.mjs', src + '// agent ' + id + ': name=' + seen.includes(name) + ' values=' + ['0.8137', '0.8447'].some((v) => seen.includes(v)) + ' prompt=' + read(process.env.AUTORESEARCH_PROMPT_FILE).includes('# Experiment') + ' logs=' + seen.includes('val_bpb') + '\\n');
console.log('Raise the learning rate to ' + lr);
`;

const bwrap = await findBwrap();

describe.skipIf(!bwrap)('held-out check hidden from an agent CLI in the sandbox', () => {
  let dir = '';
  let result: CliResult;

  beforeAll(async () => {
    ({ dir } = scoredProject(
      {
        files: { editable: ['train.mjs'], protected: ['prepare.mjs', 'eval.mjs'] },
        heldout: { command: `"${process.execPath}" eval.mjs`, metric: { name: 'test_loss', direction: 'min' }, timeoutSeconds: 30 },
      },
      { 'eval.mjs': EVAL_SCRIPT, 'agent.mjs': AGENT_SCRIPT },
    ));
    writeConfig(dir, { ...JSON.parse(await readFile(path.join(dir, '.autoresearch', 'config.json'), 'utf8')), agent: { proposer: 'command', command: `"${process.execPath}" "${path.join(dir, 'agent.mjs')}"` } });
    git(dir, 'commit', '-qam', 'command proposer');
    result = await runCli(['run', dir, '--max-experiments', '2'], { cwd: dir, env: { CI: 'true' }, timeoutMs: 180_000 });
  }, 240_000);

  it('the agent read its prompt and the training logs, but nothing of the held-out check', () => {
    expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(0);
    const best = git(dir, 'show', 'autoresearch/' + /Run (\S+) on branch/.exec(result.stdout)![1] + ':train.mjs');
    expect(best).toContain('// agent 1: name=false values=false prompt=true logs=true');
    expect(best).toContain('// agent 2: name=false values=false prompt=true logs=true');
  });
});
