// A demo-like run for the ablation's tests, its history built directly (real git commits, a real journal written by
// the app's journal writer) rather than by an agent: a seeded trainer whose metric is a known function of its
// constants plus noise that every change re-rolls (a hash of the seed and the code, as a reordering of random calls
// would), the seed set through the SEED environment variable. Four keeps on one lineage:
//   #1 A 0 → 1     real (−0.10); no longer reverse-applies because #4 rewrote the same line
//   #2 ORDER 0 → 1 a null change: the same model, the random calls reordered (only the noise changes)
//   #3 B 0 → 1     real (−0.06)
//   #4 A 1 → 2     real (−0.10)
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Experiment } from '../../src/shared/experiment.js';
import { makeExperiment, writeRunJournal } from '../fixtures/make-run.js';
import { git, makeRepo, writeConfig } from './project.js';

/** The trainer; the constants are on lines apart, so reverse-applying one keep does not touch another's hunk. */
export function seededTrainer(c: { A: number; ORDER: number; B: number }): string {
  return `// train.mjs: val_bpb = 1 - 0.1 A - 0.06 B + noise(seed, code); lower is better.
const A = ${c.A};
// (the order of the random calls below)

const ORDER = ${c.ORDER};
// (the width of the hidden layer)

const B = ${c.B};
// -----
const SEED = Number(process.env.SEED ?? 42);
// Noise of ±0.01 that any change of the code re-rolls, the same for the same code and seed.
function u(text) {
  let h = 2166136261;
  for (const ch of text) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h / 4294967296 - 0.5;
}
const noise = 0.02 * u([SEED, A, ORDER, B].join(','));
console.log('seed:    ' + SEED);
console.log('val_bpb: ' + (1 - 0.1 * A - 0.06 * B + noise).toFixed(6));
`;
}

export interface AblationRun {
  readonly dir: string;
  readonly tag: string;
  readonly experiments: readonly Experiment[];
}

export async function makeAblationRun(tag = 't', opts: { seed?: boolean } = {}): Promise<AblationRun> {
  const dir = makeRepo({ 'train.mjs': seededTrainer({ A: 0, ORDER: 0, B: 0 }), 'prepare.mjs': '// evaluator: protected\n', 'program.md': '# program\n' }, { commit: false });
  writeFileSync(path.join(dir, '.gitignore'), '.autoresearch/*\n!.autoresearch/config.json\n');
  const config = writeConfig(dir, {
    run: { command: `"${process.execPath}" train.mjs` },
    files: { editable: ['train.mjs'], protected: ['prepare.mjs'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 5, timeoutSeconds: 20, graceSeconds: 1 },
    seed: opts.seed === false ? { kind: 'none' } : { kind: 'env', name: 'SEED' },
  });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'baseline');
  const startCommit = git(dir, 'rev-parse', 'HEAD').trim();
  git(dir, 'checkout', '-q', '-b', `autoresearch/${tag}`);
  const steps = [
    { description: 'A → 1', c: { A: 1, ORDER: 0, B: 0 }, metric: 0.9 },
    { description: 'Reorder the random calls (ORDER → 1)', c: { A: 1, ORDER: 1, B: 0 }, metric: 0.895 },
    { description: 'B → 1', c: { A: 1, ORDER: 1, B: 1 }, metric: 0.84 },
    { description: 'A → 2', c: { A: 2, ORDER: 1, B: 1 }, metric: 0.74 },
  ];
  const experiments: Experiment[] = [makeExperiment({ id: 0, parentCommit: startCommit, commit: startCommit, metric: 1, changedFiles: [] })];
  let parent = startCommit;
  let best = 1;
  for (const [i, s] of steps.entries()) {
    const id = i + 1;
    writeFileSync(path.join(dir, 'train.mjs'), seededTrainer(s.c));
    git(dir, 'commit', '-q', '-am', s.description);
    const commit = git(dir, 'rev-parse', 'HEAD').trim();
    git(dir, 'update-ref', `refs/autoresearch/${tag}/${id}`, commit);
    experiments.push(makeExperiment({ id, status: 'keep', baseId: id - 1, parentCommit: parent, commit, description: s.description, metric: s.metric, bestBefore: best, changedFiles: ['train.mjs'] }));
    parent = commit;
    best = s.metric;
  }
  await writeRunJournal(dir, { tag, experiments, config, startCommit, noiseValues: [1, 1.004, 0.997] });
  return { dir, tag, experiments };
}
