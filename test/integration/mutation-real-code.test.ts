// The offline proposer on training code in the shapes real projects use (argparse defaults, dataclass and
// config-class fields, a YAML config), run through the real loop: real git, real python processes.
// And a long run on a 4-constant file: the proposer refines and combines instead of giving up, and when
// its space is spent the run stops as "exhausted", not on the failure breaker.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMutationProposer } from '../../src/core/agent/mutation/mutation-proposer.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { cleanupTempDirs, git, makeRepo, REPO_ROOT, writeConfig } from '../helpers/project.js';

afterEach(cleanupTempDirs);

const FIXTURES = path.join(REPO_ROOT, 'test', 'fixtures', 'real-code');

function fixtureFiles(name: string): Record<string, string> {
  const dir = path.join(FIXTURES, name);
  return Object.fromEntries(readdirSync(dir).map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]));
}

async function runMutation(files: Record<string, string>, editable: string[], maxExperiments: number, extra: { maxConsecutiveFailures?: number } = {}) {
  const dir = makeRepo({ ...files, 'program.md': '# program\nLower val_loss.\n' });
  writeConfig(dir, {
    run: { command: 'python3 train.py' },
    files: { editable },
    metric: { name: 'val_loss', direction: 'min' },
    budget: { seconds: 5, timeoutSeconds: 30, graceSeconds: 1 },
    ...(extra.maxConsecutiveFailures ? { stop: { maxConsecutiveFailures: extra.maxConsecutiveFailures } } : {}),
  });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'config');
  const handle = await startRun({
    projectDir: dir,
    tag: 't',
    maxExperiments,
    deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => createMutationProposer() },
  });
  const outcome = await handle.done;
  const record = await readRunRecord(dir, 't');
  const candidates = [...record.experiments.values()].filter((e) => e.kind === 'candidate');
  return { dir, outcome, record, candidates };
}

const measured = (cs: Experiment[]) => cs.filter((e) => (e.status === 'keep' || e.status === 'discard') && e.metric !== null);

describe('the mutation proposer on real training code', () => {
  it('tunes argparse defaults: ≥ 5 distinct proposals that run and are measured', async () => {
    const { outcome, candidates, record, dir } = await runMutation(fixtureFiles('argparse'), ['train.py'], 6);
    expect(outcome.reason).toBe('max-experiments');
    const ok = measured(candidates);
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ok.map((e) => e.description)).size).toBe(ok.length);
    // Every proposal names an argparse destination and changes only a `default=` literal; the seed is never touched.
    for (const e of ok) expect(e.description).toMatch(/^(learning_rate|batch_size|n_layer|dropout) /);
    const diff = git(dir, 'diff', record.startCommit, ok[0]!.commit!, '--', 'train.py');
    const changed = diff.split('\n').filter((l) => /^[-+] /.test(l));
    expect(changed.length).toBeGreaterThanOrEqual(2);
    for (const l of changed.filter((x) => x.startsWith('+'))) expect(l).toMatch(/default=/);
    // batch_size is a power of two and stays one; dropout stays a probability (a description may name two changes,
    // "dropout 0.1 → 0.4, batch_size 32 → 8", when the proposer combines them).
    for (const e of candidates) {
      const b = /batch_size 32 → ([0-9.eE+-]+)/.exec(e.description);
      if (b) expect(Math.log2(Number(b[1]))).toBe(Math.round(Math.log2(Number(b[1]))));
      const d = /dropout \S+ → ([0-9.eE+-]+)/.exec(e.description);
      if (d) expect(Number(d[1]), e.description).toBeLessThanOrEqual(1);
    }
  }, 120_000);

  it('tunes dataclass fields and config-class keyword defaults: ≥ 5 distinct measured proposals', async () => {
    const { outcome, candidates } = await runMutation(fixtureFiles('dataclass'), ['train.py'], 6);
    expect(outcome.reason).toBe('max-experiments');
    const ok = measured(candidates);
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ok.map((e) => e.description)).size).toBe(ok.length);
    for (const e of ok) expect(e.description).toMatch(/^(block_size|vocab_size|n_layer|n_embd|dropout|learning_rate|warmup_iters|grad_clip) /);
    // The kept changes lowered the loss (the closed form is known).
    const kept = candidates.filter((e) => e.status === 'keep');
    for (const e of kept) expect(e.metric!).toBeLessThan(e.bestBefore!);
  }, 120_000);

  it('tunes numbers in a YAML config: ≥ 5 distinct measured proposals, the file stays readable', async () => {
    const { outcome, candidates, record, dir } = await runMutation(fixtureFiles('yaml-config'), ['config.yaml'], 6);
    expect(outcome.reason).toBe('max-experiments');
    const ok = measured(candidates);
    expect(ok.length).toBeGreaterThanOrEqual(5);
    expect(new Set(ok.map((e) => e.description)).size).toBe(ok.length);
    for (const e of ok) expect(e.description).toMatch(/^(model\.n_layer|model\.n_embd|model\.dropout|optim\.lr|optim\.weight_decay|data\.batch_size) /);
    expect(candidates.some((e) => e.status === 'keep')).toBe(true);
    // The best config keeps its comments and layout; the seed and the list are untouched.
    const best = git(dir, 'show', `${record.bestCommit}:config.yaml`);
    expect(best).toContain('# peak learning rate');
    expect(best).toContain('betas: [0.9, 0.95]');
    expect(best).toContain('seed: 42');
  }, 120_000);

  it('runs 100 experiments on a 4-constant file without the breaker stopping it', async () => {
    // An instant deterministic trainer with a smooth optimum away from every coarse step.
    const trainer = [
      'import math',
      'LEARNING_RATE = 0.01',
      'HIDDEN = 48',
      'DEPTH = 3',
      'WARMUP = 0.3',
      'loss = 1 + 0.1 * abs(math.log(LEARNING_RATE / 0.0137)) + 0.001 * abs(HIDDEN - 71) + 0.01 * abs(DEPTH - 5) + 0.2 * abs(WARMUP - 0.23)',
      'print(f"val_loss: {loss:.6f}")',
      '',
    ].join('\n');
    const { outcome, candidates } = await runMutation({ 'train.py': trainer }, ['train.py'], 100);
    expect(outcome.reason).toBe('max-experiments');
    expect(candidates.filter((e) => e.status !== 'interrupted')).toHaveLength(100);
    expect(candidates.filter((e) => e.status === 'rejected' || e.status === 'crash')).toHaveLength(0);
    // The later experiments refine (smaller steps) or combine: no "already tried" rejections.
    expect(candidates.some((e) => /smaller|smallest|combines/.test(e.hypothesis))).toBe(true);
    // About 2 minutes alone; the whole suite on 2 cores (and the proposals made ahead) makes it several times that.
  }, 1_500_000);

  it('stops with "search space exhausted" (not a failure) when every step was measured', async () => {
    // One integer constant already at its optimum: 4 coarse steps (±3, ±6) and 2 refined ones (±1), all worse, then nothing.
    const trainer = 'DEPTH = 10\nprint(f"val_loss: {1 + abs(DEPTH - 10) * 0.01:.6f}")\n';
    const { outcome, candidates, record } = await runMutation({ 'train.py': trainer }, ['train.py'], 50, { maxConsecutiveFailures: 3 });
    expect(outcome.reason).toBe('exhausted');
    expect(record.stopReason).toBe('exhausted');
    expect(record.stopMessage).toMatch(/Search space exhausted/);
    const ran = candidates.filter((e) => e.status !== 'interrupted');
    expect(ran.map((e) => e.description).sort()).toEqual(['DEPTH 10 → 11', 'DEPTH 10 → 13', 'DEPTH 10 → 16', 'DEPTH 10 → 4', 'DEPTH 10 → 7', 'DEPTH 10 → 9']);
    expect(ran.every((e) => e.status === 'discard')).toBe(true);
  }, 120_000);
});
