import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { launchWithSeed, seedsFor, seedVaries } from '../../src/core/project/seed-launch.js';

let dir = '';
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = '';
});

describe('launchWithSeed', () => {
  it('sets an environment variable or appends a flag, and leaves the command alone without a setting', async () => {
    expect((await launchWithSeed({ kind: 'env', name: 'SEED' }, 'python train.py', 7, '/nowhere')).env).toEqual({ SEED: '7' });
    expect((await launchWithSeed({ kind: 'arg', flag: '--seed' }, 'python train.py', 7, '/nowhere')).command).toBe('python train.py --seed 7');
    const none = await launchWithSeed({ kind: 'none' }, 'python train.py', 7, '/nowhere');
    expect(none.command).toBe('python train.py');
    expect(none.env).toEqual({});
    expect((await launchWithSeed(null, 'x', 3, '/nowhere')).env).toEqual({});
  });

  it('rewrites a constant for the run and puts the file back byte for byte', async () => {
    dir = await mkdtemp(join(tmpdir(), 'seed-launch-'));
    const text = 'import torch\nSEED = 42  # fixed\ntorch.manual_seed(SEED)\n';
    await writeFile(join(dir, 'train.py'), text);
    const launch = await launchWithSeed({ kind: 'constant', file: 'train.py', name: 'SEED' }, 'python train.py', 5, dir);
    expect(await readFile(join(dir, 'train.py'), 'utf8')).toBe('import torch\nSEED = 5  # fixed\ntorch.manual_seed(SEED)\n');
    await launch.restore();
    expect(await readFile(join(dir, 'train.py'), 'utf8')).toBe(text);
  });

  it('says which constant it could not find instead of running one seed as if it were several', async () => {
    dir = await mkdtemp(join(tmpdir(), 'seed-launch-'));
    await writeFile(join(dir, 'train.py'), 'torch.manual_seed(42)\n');
    await expect(launchWithSeed({ kind: 'constant', file: 'train.py', name: 'SEED' }, 'python train.py', 5, dir)).rejects.toThrow(/no line "SEED = <number>".*Setup/);
  });
});

describe('seeds', () => {
  it('lists consecutive seeds and says which settings vary', () => {
    expect(seedsFor(3, 10)).toEqual([10, 11, 12]);
    expect(seedVaries({ kind: 'none' })).toBe(false);
    expect(seedVaries(null)).toBe(false);
    expect(seedVaries({ kind: 'env', name: 'SEED' })).toBe(true);
  });
});
