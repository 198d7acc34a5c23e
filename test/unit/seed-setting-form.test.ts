// The seed setting through Setup's draft (saving the form must keep what init or the user chose, issue #22)
// and detectProjectSeed over a real repository: which files it reads and what it proposes.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { detectProjectSeed } from '../../src/core/project/detect-seed.js';
import { parseConfig, type SeedConfig } from '../../src/shared/config.js';
import { describeSeed } from '../../src/shared/seed-words.js';
import { fromDraft, toDraft } from '../../src/renderer/setup/draft.js';
import { cleanupTempDirs, makeRepo } from '../helpers/project.js';

afterEach(cleanupTempDirs);

const BASE = { run: { command: 'python3 train.py' }, files: { editable: ['train.py'] }, metric: { name: 'loss', direction: 'min' as const }, budget: { seconds: 10 } };

describe("Setup's draft keeps the seed setting", () => {
  it.each<SeedConfig | null>([null, { kind: 'env', name: 'SEED' }, { kind: 'arg', flag: '--seed' }, { kind: 'constant', file: 'train.py', name: 'SEED' }, { kind: 'none' }])('%j survives the form', (seed) => {
    const parsed = parseConfig(fromDraft(toDraft({ ...BASE, seed })).config);
    expect(parsed.ok && parsed.config.seed).toEqual(seed);
  });

  it("a malformed setting gets the schema's message at its field", () => {
    const draft = toDraft(BASE);
    const parsed = parseConfig(fromDraft({ ...draft, seed: { ...draft.seed, kind: 'env', name: '1 SEED' } }).config);
    expect(parsed.ok ? [] : parsed.errors).toEqual([{ path: 'seed.name', message: 'An environment variable name, e.g. SEED' }]);
  });

  it('says each setting in words', () => {
    expect([null, { kind: 'arg', flag: '--seed' }, { kind: 'none' }].map((s) => describeSeed(s as SeedConfig | null))).toEqual([
      'not decided yet',
      'the command-line flag --seed',
      'none (the seed cannot be varied)',
    ]);
  });
});

describe('detectProjectSeed', () => {
  it("reads the editable and context files and the command's script; a constant only in an editable file", async () => {
    const dir = makeRepo({
      'train.py': 'SEED = 3\n',
      'run.py': "import os\nseed = os.environ.get('RUN_SEED', '5')\n",
      'notes.md': 'SEED = 9\n',
      'other.py': "import os\nos.environ.get('OTHER_SEED')\n",
    });
    const found = await detectProjectSeed(dir, { editable: ['train.py'], context: ['notes.md'], command: 'python3 ./run.py --fast' });
    expect(found.findings.map((f) => [f.setting, f.at, f.value])).toEqual([
      [{ kind: 'env', name: 'RUN_SEED' }, 'run.py:2', 5],
      [{ kind: 'constant', file: 'train.py', name: 'SEED' }, 'train.py:1', 3],
    ]);
    expect([...found.scanned].sort()).toEqual(['notes.md', 'run.py', 'train.py']);
    expect(found.fixed).toBeNull();
  });

  it('a seed fixed in a call, with nothing to set it: where and at what value', async () => {
    const dir = makeRepo({ 'train.py': 'import torch\ntorch.manual_seed(1234)\n' });
    const found = await detectProjectSeed(dir, { editable: ['*.py'], context: [] });
    expect(found.findings).toEqual([]);
    expect(found.fixed).toEqual({ at: 'train.py:2', value: 1234, line: 'torch.manual_seed(1234)' });
  });

  it('never reads outside the project, nor a file too large to be code', async () => {
    const dir = makeRepo({ 'train.py': 'x = 1\n' });
    writeFileSync(path.join(dir, 'big.py'), `SEED = 1\n${'#'.repeat(2 * 1024 * 1024)}\n`);
    const found = await detectProjectSeed(dir, { editable: ['*.py'], context: [], command: 'python3 ../outside.py' });
    expect(found.scanned).toEqual(['train.py']);
  });
});
