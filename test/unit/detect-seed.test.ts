import { describe, expect, it } from 'vitest';
import { describeSeedSetting, findFixedSeedCall, findSeedSettings } from '../../src/core/project/detect-seed.js';

const files = (entries: Record<string, string>) => new Map(Object.entries(entries));
const onlyTrain = (f: string) => f === 'train.py';

describe('findSeedSettings: how a project sets its seed', () => {
  it('finds an environment variable, a flag and a constant, the environment variable first', () => {
    const found = findSeedSettings(
      files({
        'train.py': ['import os, torch', 'SEED = 42', "seed = int(os.environ.get('TRAIN_SEED', '7'))", 'torch.manual_seed(seed)'].join('\n'),
        'cli.py': ["parser.add_argument('--seed', type=int, default=1337)"].join('\n'),
      }),
      onlyTrain,
    );
    expect(found.map((f) => f.setting)).toEqual([
      { kind: 'env', name: 'TRAIN_SEED' },
      { kind: 'arg', flag: '--seed' },
      { kind: 'constant', file: 'train.py', name: 'SEED' },
    ]);
    expect(found.map((f) => [f.at, f.value])).toEqual([['train.py:3', 7], ['cli.py:1', 1337], ['train.py:2', 42]]);
    expect(describeSeedSetting(found[0]!.setting)).toBe('the environment variable TRAIN_SEED');
  });

  it('reads the JavaScript forms too', () => {
    const found = findSeedSettings(files({ 'train.mjs': 'const SEED = Number(process.env.SEED ?? 42);\nconst RANDOM_SEED = 3;\n' }), () => true);
    expect(found.map((f) => f.setting)).toEqual([
      { kind: 'env', name: 'SEED' },
      { kind: 'constant', file: 'train.mjs', name: 'RANDOM_SEED' },
    ]);
    expect(found[0]!.value).toBe(42);
  });

  it('leaves out constants of files the harness may not set, indented ones, and names that are not seeds', () => {
    const text = 'SEED = 1\ndef f():\n    seed = 2\nLEARNING_RATE = 3\nN_SEEDS_TO_TRY = 4\n';
    expect(findSeedSettings(files({ 'prepare.py': text }), onlyTrain)).toEqual([]);
    expect(findSeedSettings(files({ 'train.py': text }), onlyTrain).map((f) => f.line)).toEqual(['SEED = 1', 'N_SEEDS_TO_TRY = 4']);
  });

  it('says where a seed is fixed by a literal when no setting exists', () => {
    expect(findFixedSeedCall(files({ 'model.py': 'x = 1', 'train.py': 'import torch\ntorch.manual_seed(42)\n' }))).toBe('train.py:2');
    expect(findFixedSeedCall(files({ 'train.py': 'torch.manual_seed(args.seed)\n' }))).toBeNull();
  });
});
