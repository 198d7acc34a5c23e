import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findConstants } from '../../src/core/agent/mutation/find-constants.js';
import { mutationsOf } from '../../src/core/agent/mutation/mutations.js';
import { createMutationProposer } from '../../src/core/agent/mutation/mutation-proposer.js';
import type { ProposalContext } from '../../src/core/agent/proposer.js';
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

describe('mutationsOf', () => {
  it('scales floats, steps integers, keeps 0.x-near-1 constants below 1, never crosses zero', () => {
    const [lr, batch, wd, depth] = findConstants('train.py', PY);
    expect(mutationsOf(lr!).map((m) => m.literal)).toEqual(['0.02', '0.005', '0.015', '0.00667', '0.04', '0.0025']);
    expect(mutationsOf(batch!).map((m) => m.literal)).toEqual(['80', '48', '96', '32']);
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

  it('never repeats a mutation already tried from the same base', async () => {
    const root = tempDir();
    writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
    const history: Experiment[] = [];
    const proposer = createMutationProposer();
    const seen = new Set<string>();
    // const A = 10 has 4 mutations; all 4 come out, then the proposer says it has nothing left.
    for (let id = 1; id <= 5; id++) {
      writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
      const p = await proposer.propose(context(root, history, id));
      if (id <= 4) {
        expect(p.rejectedReason).toBeUndefined();
        expect(seen.has(p.description)).toBe(false);
        seen.add(p.description);
        history.push(done(id, p.description, 'discard'));
      } else {
        expect(p.rejectedReason).toMatch(/already tried/);
      }
    }
    expect([...seen].sort()).toEqual(['A 10 → 13', 'A 10 → 16', 'A 10 → 4', 'A 10 → 7']);
    // From another base, the same change is allowed again.
    writeFileSync(path.join(root, 'model.mjs'), 'const A = 10;\n');
    const fresh = createMutationProposer();
    const p = await fresh.propose(context(root, history, 6, 'def5678'));
    expect(p.rejectedReason).toBeUndefined();
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
    expect(p.rejectedReason).toMatch(/no top-level numeric constants/);
    expect(p.rejectedReason).toMatch(/claude or command proposer/);
  });
});
