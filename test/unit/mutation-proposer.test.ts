import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findConstants, replaceConstant } from '../../src/core/agent/mutation/find-constants.js';
import { mutationsOf } from '../../src/core/agent/mutation/mutations.js';
import { createMutationProposer } from '../../src/core/agent/mutation/mutation-proposer.js';
import { ProposerUnavailableError, SearchSpaceExhaustedError, type ProposalContext } from '../../src/core/agent/proposer.js';
import { createWorkspace } from '../../src/core/agent/workspace.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { cleanupTempDirs, tempDir } from '../helpers/project.js';

afterEach(cleanupTempDirs);

const PY = `import torch
LEARNING_RATE = 0.01
BATCH_SIZE: int = 64
WEIGHT_DECAY = 0.0
ADAM_BETAS = (0.9, 0.95)
SEED = 42
def f():
    INNER = 3
    return INNER
DEPTH = 8  # layers
`;

const JS = `export const HIDDEN = 64;
const LR: number = 3e-4;
let STEPS = 1_000;
let step = 0;
function g() {
  const inner = 5;
}
const BETA2 = 0.999;
`;

describe('findConstants', () => {
  it('finds top-level numeric assignments in Python, skipping indented ones, tuples and seeds', () => {
    const found = findConstants('train.py', PY + 'step = 0\n').map((c) => [c.name, c.value, c.isFloat]);
    expect(found).toEqual([
      ['LEARNING_RATE', 0.01, true],
      ['BATCH_SIZE', 64, false],
      ['WEIGHT_DECAY', 0, true],
      ['DEPTH', 8, false],
    ]);
  });

  it('finds const/let/export constants in JS and TS with type annotations and underscores', () => {
    const found = findConstants('train.ts', JS).map((c) => [c.name, c.value]);
    expect(found).toEqual([
      ['HIDDEN', 64],
      ['LR', 3e-4],
      ['STEPS', 1000],
      ['BETA2', 0.999],
    ]);
    expect(findConstants('notes.txt', 'A = 1')).toEqual([]);
  });
});

describe('findConstants in real training code', () => {
  const ARGPARSE_AND_DATACLASS = `import argparse
from dataclasses import dataclass

@dataclass
class GPTConfig:
    block_size: int = 256
    n_layer: int = 4
    dropout: float = 0.1
    bias: bool = True

class TrainConfig:
    def __init__(self, lr=3e-4, weight_decay=0.1,
                 warmup_iters: int = 100, name="x"):
        self.lr = lr

class Model:
    hidden = 7

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--learning-rate', type=float, default=5e-4, help='lr (default: 5e-4)')
    parser.add_argument("--batch_size", type=int,
                        default=32)
    parser.add_argument('--seed', type=int, default=1337)
    parser.add_argument('--out', default='out')
    x = 5
`;

  it('finds argparse defaults, dataclass fields and config-class keyword defaults, with their kinds', () => {
    const found = findConstants('train.py', ARGPARSE_AND_DATACLASS).map((c) => [c.name, c.literal, c.kind]);
    expect(found).toEqual([
      ['block_size', '256', 'pow2'],
      ['n_layer', '4', 'int'],
      ['dropout', '0.1', 'prob'],
      ['lr', '3e-4', 'float'],
      ['weight_decay', '0.1', 'float'],
      ['warmup_iters', '100', 'int'],
      ['learning_rate', '5e-4', 'float'],
      ['batch_size', '32', 'pow2'],
    ]);
    // Offsets point at the literal, so a replacement touches only it.
    const text = ARGPARSE_AND_DATACLASS;
    const bs = findConstants('train.py', text).find((c) => c.name === 'batch_size')!;
    expect(replaceConstant(text, bs, '64')).toContain('                        default=64)');
    const lr = findConstants('train.py', text).find((c) => c.name === 'learning_rate')!;
    expect(replaceConstant(text, lr, '1e-3')).toContain("default=1e-3, help='lr (default: 5e-4)')");
  });

  it('finds numbers in YAML, TOML and JSON by their key path, skipping lists, strings and seeds', () => {
    const yaml = 'model:\n  n_layer: 4\n  n_embd: 128\n  name: gpt\noptim:\n  lr: 1.0e-3  # peak\n  betas: [0.9, 0.95]\nseed: 1\nsteps: 200\n';
    expect(findConstants('c.yaml', yaml).map((c) => [c.name, c.literal, c.kind])).toEqual([
      ['model.n_layer', '4', 'int'],
      ['model.n_embd', '128', 'pow2'],
      ['optim.lr', '1.0e-3', 'float'],
      ['steps', '200', 'int'],
    ]);
    const toml = 'lr = 0.01\n[model]\nn_layer = 6\n"dropout" = 0.2\nname = "x"\n';
    expect(findConstants('c.toml', toml).map((c) => [c.name, c.literal, c.kind])).toEqual([
      ['lr', '0.01', 'float'],
      ['model.n_layer', '6', 'int'],
      ['model.dropout', '0.2', 'prob'],
    ]);
    const json = '{"optim": {"lr": 0.001, "betas": [0.9, 0.99]}, "batch_size": 64, "name": "a:1", "x": -2.5e-3}';
    const found = findConstants('c.json', json);
    expect(found.map((c) => [c.name, c.literal])).toEqual([
      ['optim.lr', '0.001'],
      ['batch_size', '64'],
      ['x', '-2.5e-3'],
    ]);
    expect(replaceConstant(json, found[1]!, '128')).toBe(json.replace('64', '128'));
  });

  it('keeps kinds when mutating: powers of two, probabilities in [0, 1], a dotted mantissa for YAML', () => {
    const [nLayer, nEmbd, lr] = findConstants('c.yaml', 'n_layer: 4\nn_embd: 128\nlr: 1.0e-3\ndropout: 0.0\n');
    expect(mutationsOf(nEmbd!).map((m) => m.value)).toEqual([256, 64, 512, 32]);
    expect(mutationsOf(nEmbd!, 'refine').map((m) => m.value)).toEqual([1024, 16]);
    expect(mutationsOf(nLayer!).map((m) => m.value)).toEqual([5, 3, 6, 2]);
    expect(mutationsOf(lr!)[0]!.literal).toBe('2.0e-3');
    const dropout = findConstants('c.yaml', 'dropout: 0.3\n')[0]!;
    for (const level of ['coarse', 'refine', 'fine'] as const) {
      for (const m of mutationsOf(dropout, level)) expect(m.value >= 0 && m.value <= 1).toBe(true);
    }
    expect(mutationsOf(dropout).map((m) => m.literal)).toEqual(['0.6', '0.15', '0.45', '0.2', '0.075']);
    // Refined steps are smaller and never repeat a coarse one.
    const coarse = new Set(mutationsOf(lr!).map((m) => m.literal));
    const refine = mutationsOf(lr!, 'refine');
    expect(refine.map((m) => m.literal)).toEqual(['1.25e-3', '8.0e-4', '1.1e-3', '9.09e-4']);
    expect(refine.some((m) => coarse.has(m.literal))).toBe(false);
  });
});

describe('mutationsOf', () => {
  it('scales floats, steps integers, keeps 0.x-near-1 constants below 1, never crosses zero', () => {
    const [lr, batch, wd, depth] = findConstants('train.py', PY);
    expect(mutationsOf(lr!).map((m) => m.literal)).toEqual(['0.02', '0.005', '0.015', '0.00667', '0.04', '0.0025']);
    // 64 is a power of two and a size: it stays a power of two.
    expect(mutationsOf(batch!).map((m) => m.literal)).toEqual(['128', '32', '256', '16']);
    expect(mutationsOf(wd!).map((m) => m.literal)).toEqual(['0.01', '0.001', '0.1']);
    expect(mutationsOf(depth!).map((m) => m.literal)).toEqual(['10', '6', '12', '4']);
    const beta2 = findConstants('a.js', 'const BETA2 = 0.999;')[0]!;
    const values = mutationsOf(beta2).map((m) => m.value);
    expect(values.every((v) => v > 0 && v < 1)).toBe(true);
    expect(values).toContain(0.998);
    const one = findConstants('a.js', 'const K = 1;')[0]!;
    expect(mutationsOf(one).every((m) => m.value > 0)).toBe(true);
    const lrExp = findConstants('a.js', 'const LR = 3e-4;')[0]!;
    expect(mutationsOf(lrExp)[0]!.literal).toBe('6e-4');
  });
});

function context(root: string, history: Experiment[], id: number, baseCommit = 'abc1234'): ProposalContext {
  const config = ProjectConfigSchema.parse({
    run: { command: 'true' },
    files: { editable: ['train.py', 'model.mjs'] },
    metric: { name: 'loss', direction: 'min' },
    budget: { seconds: 1 },
  });
  const base = { id: 0, commit: baseCommit } as Experiment;
  return {
    config,
    program: '',
    workspace: createWorkspace(root, root, config.files),
    slot: 0,
    experimentId: id,
    base,
    baseline: base,
    best: base,
    noiseFloor: null,
    history,
    bestDiff: '',
    lastCrashLogTail: null,
    steering: [],
    signal: new AbortController().signal,
    scratchDir: root,
  };
}

const done = (id: number, description: string, status: Experiment['status'], parentCommit = 'abc1234') =>
  ({ id, kind: 'candidate', description, status, parentCommit }) as Experiment;

describe('the mutation proposer', () => {
  it('edits one or two constants through the workspace and describes the change', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'train.py'), PY);
    const proposal = await createMutationProposer().propose(context(root, [], 1));
    expect(proposal.rejectedReason).toBeUndefined();
    const after = readFileSync(path.join(root, 'train.py'), 'utf8');
    const changedLines = after.split('\n').filter((l, i) => l !== PY.split('\n')[i]);
    expect(changedLines.length).toBeGreaterThanOrEqual(1);
    expect(changedLines.length).toBeLessThanOrEqual(2);
    for (const part of proposal.description.split(', ')) {
      const m = /^(\w+) (\S+) → (\S+)$/.exec(part)!;
      expect(m).not.toBeNull();
      expect(after).toMatch(new RegExp(`^${m[1]}(: int)? = ${m[3]!.replace('.', '\\.')}`, 'm'));
    }
    // Everything else is byte-identical (comments, the function, the tuple).
    expect(after).toContain('    INNER = 3');
    expect(after).toContain('  # layers');
  });

  it('never repeats a mutation from the same base: coarse steps, then refined ones, then "exhausted"', async () => {
    const root = tempDir();
    const history: Experiment[] = [];
    const proposer = createMutationProposer();
    const seen: string[] = [];
    // const A = 10 has 4 coarse steps (±3, ±6) and 2 refined ones (±1); all come out, coarse first, then
    // the proposer says its space is exhausted (an error the loop turns into a non-failure stop).
    for (let id = 1; id <= 6; id++) {
      writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
      const p = await proposer.propose(context(root, history, id));
      expect(p.rejectedReason).toBeUndefined();
      expect(seen).not.toContain(p.description);
      seen.push(p.description);
      history.push(done(id, p.description, 'discard'));
    }
    expect(seen.slice(0, 4).sort()).toEqual(['A 10 → 13', 'A 10 → 16', 'A 10 → 4', 'A 10 → 7']);
    expect(seen.slice(4).sort()).toEqual(['A 10 → 11', 'A 10 → 9']);
    writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
    await expect(proposer.propose(context(root, history, 7))).rejects.toBeInstanceOf(SearchSpaceExhaustedError);
    // From another base, the same change is allowed again.
    const fresh = createMutationProposer();
    const p = await fresh.propose(context(root, history, 8, 'def5678'));
    expect(p.rejectedReason).toBeUndefined();
  });

  it('counts a change made on this base and carried onto a newer best as tried here', async () => {
    const root = tempDir();
    const history: Experiment[] = [];
    const proposer = createMutationProposer();
    // Each proposal made on abc1234 ran carried onto the best of the moment (best999), as greedy's made-ahead
    // proposals do: a step back to abc1234 must not make them again (the same code measured over and over).
    for (let id = 1; id <= 6; id++) {
      writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
      const p = await proposer.propose(context(root, history, id));
      expect(history.map((e) => e.description)).not.toContain(p.description);
      history.push({ ...done(id, p.description, 'discard', 'best999'), proposedOn: { baseId: 0, parentCommit: 'abc1234', commit: `c${id}` } } as Experiment);
    }
    writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
    await expect(proposer.propose(context(root, history, 7))).rejects.toBeInstanceOf(SearchSpaceExhaustedError);
  });

  it('after every single step, combines the two best directions before giving up', async () => {
    const root = tempDir();
    const history: Experiment[] = [];
    const proposer = createMutationProposer();
    // Metric: lower is better; A up and B down were the least bad single changes.
    const score = (d: string) => (/^A 10 → (1[1-9]|[2-9]\d)$/.test(d) ? 1.01 : /^B 20 → (1\d|[1-9])$/.test(d) ? 1.02 : 1.5);
    const hypotheses: string[] = [];
    for (let id = 1; id <= 40; id++) {
      writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\nconst B = 20;\n');
      let p;
      try {
        p = await proposer.propose(context(root, history, id));
      } catch (err) {
        expect(err).toBeInstanceOf(SearchSpaceExhaustedError);
        break;
      }
      hypotheses.push(p.hypothesis);
      history.push({ ...done(id, p.description, 'discard'), metric: p.description.includes(', ') ? 1.2 : score(p.description) } as Experiment);
    }
    const descriptions = history.map((e) => e.description);
    expect(new Set(descriptions).size).toBe(descriptions.length);
    const combos = history.filter((e, i) => hypotheses[i]!.includes('combines'));
    expect(combos.length).toBeGreaterThan(0);
    // Combinations come after every single step and push A up with B down, the two best directions.
    expect(combos[0]!.description).toMatch(/^A 10 → 1[1-9], B 20 → 1\d$/);
    const firstCombo = history.indexOf(combos[0]!);
    expect(history.slice(firstCombo).every((e) => e.description.includes(', '))).toBe(true);
    expect(hypotheses.some((h) => h.includes('smaller steps'))).toBe(true);
  });

  it('waits instead of giving up while another slot measures the last steps from this base', async () => {
    const root = tempDir();
    const proposer = createMutationProposer();
    const history: Experiment[] = [];
    writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
    const proposals: string[] = [];
    for (let id = 1; id <= 5; id++) {
      writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
      const p = await proposer.propose(context(root, history, id));
      proposals.push(p.description);
      history.push(done(id, p.description, 'discard'));
    }
    // Slot 2 got the 6th and last step (experiment 6, still running): slot 1 has nothing fresh, but must wait.
    writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
    const last = await proposer.propose(context(root, history, 6));
    writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
    await expect(proposer.propose(context(root, history, 7))).rejects.toBeInstanceOf(ProposerUnavailableError);
    // Once experiment 6 has finished (discarded), the space is exhausted.
    history.push(done(6, last.description, 'discard'));
    await expect(proposer.propose(context(root, history, 8))).rejects.toBeInstanceOf(SearchSpaceExhaustedError);
  });

  it('prefers the direction of a change that was kept', async () => {
    const root = tempDir();
    const history = [done(1, 'LR 0.01 → 0.02', 'keep', 'zzz')];
    let up = 0;
    for (let id = 2; id < 42; id++) {
      writeFileSync(path.join(root, 'model.mjs'), 'const LR = 0.02;\nconst OTHER = 5;\n');
      const p = await createMutationProposer().propose(context(root, history, id));
      const m = /LR 0\.02 → (\S+)/.exec(p.description);
      if (m && Number(m[1]) > 0.02) up += 1;
    }
    // With 6 LR and 4 OTHER candidates and a 6x weight on "LR up" (3 of them), most picks push LR up.
    expect(up).toBeGreaterThan(20);
  });

  it('after a discarded change, tries the opposite direction of the same constant', async () => {
    const root = tempDir();
    let opposite = 0;
    for (let id = 2; id < 22; id++) {
      writeFileSync(path.join(root, 'model.mjs'), 'const LR = 0.02;\nconst A = 5;\nconst B = 7;\n');
      const history = [done(1, 'LR 0.02 → 0.01', 'discard')];
      const p = await createMutationProposer().propose(context(root, history, id));
      const m = /^LR 0\.02 → (\S+)$/.exec(p.description);
      if (m && Number(m[1]) > 0.02) opposite += 1;
    }
    expect(opposite).toBeGreaterThan(12);
  });

  it('moves on to other constants once both directions of one were discarded', async () => {
    const root = tempDir();
    const history = [done(1, 'A 10 → 13', 'discard'), done(2, 'A 10 → 7', 'discard')];
    let onA = 0;
    for (let id = 3; id < 33; id++) {
      writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\nconst B = 20;\nconst C = 0.5;\n');
      const p = await createMutationProposer().propose(context(root, history, id));
      if (/^A /.test(p.description)) onA += 1;
    }
    // B and C are unexplored (weight 3 each direction) against A's leftovers (weight 1): A gets a small share.
    expect(onA).toBeLessThan(8);
  });

  it('proposes the same change for the same code and experiment id (reproducible)', async () => {
    const a = tempDir();
    const b = tempDir();
    writeFileSync(path.join(a, 'train.py'), PY);
    writeFileSync(path.join(b, 'train.py'), PY);
    const pa = await createMutationProposer().propose(context(a, [], 7, 'commit-a'));
    const pb = await createMutationProposer().propose(context(b, [], 7, 'commit-b'));
    expect(pa.description).toBe(pb.description);
  });

  it('rejects with advice when the editable files have no constants', async () => {
    const root = tempDir();
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, 'train.py'), 'print("hello")\n');
    const p = await createMutationProposer().propose(context(root, [], 1));
    expect(p.rejectedReason).toMatch(/no numeric hyperparameters in train\.py/);
    expect(p.rejectedReason).toMatch(/argparse defaults, dataclass/);
    expect(p.rejectedReason).toMatch(/claude or command proposer/);
  });
});
