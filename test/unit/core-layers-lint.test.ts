// The layers inside src/core are enforced by lint (eslint.config.js, CORE_LAYERS): an import that runs back up
// a layer, or sideways to a sibling of the same layer, is an error; one that runs down is not. Every folder of
// src/core has its place on the ladder, so a new folder cannot slip past the rule.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { CORE_LAYERS } from '../../eslint.config.js';
import { REPO_ROOT } from '../helpers/project.js';

const eslint = new ESLint({ cwd: REPO_ROOT });
const errorsOf = async (file: string, code: string) => {
  const [result] = await eslint.lintText(code, { filePath: path.join(REPO_ROOT, file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
};

describe('layers inside core', () => {
  it('places every folder of src/core on the ladder', () => {
    const folders = readdirSync(path.join(REPO_ROOT, 'src', 'core'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
    expect(CORE_LAYERS.flat().sort()).toEqual(folders.sort());
  });

  it('refuses an upward import (exec -> loop), a sideways one (journal -> gpu), and one from a subfolder (agent/claude -> loop)', async () => {
    expect(await errorsOf('src/core/exec/probe.ts', "import { startRun } from '../loop/start-run.js';\nexport const x = startRun;\n")).toEqual([
      expect.stringMatching(/core\/exec may not import core\/loop/),
    ]);
    expect(await errorsOf('src/core/journal/probe.ts', "import { queryGpus } from '../gpu/query-gpus.js';\nexport const x = queryGpus;\n")).toEqual([
      expect.stringMatching(/core\/journal may not import core\/gpu/),
    ]);
    expect(await errorsOf('src/core/agent/claude/probe.ts', "import { startRun } from '../../loop/start-run.js';\nexport const x = startRun;\n")).toEqual([
      expect.stringMatching(/core\/agent may not import core\/loop/),
    ]);
  });

  it('keeps util the lowest layer: it imports nothing of core, and every layer may import it', async () => {
    expect(CORE_LAYERS[0]).toEqual(['util']);
    expect(await errorsOf('src/core/util/probe.ts', "import { median } from '../stats/median.js';\nexport const x = median;\n")).toEqual([
      expect.stringMatching(/core\/util may not import core\/stats/),
    ]);
    expect(await errorsOf('src/core/stats/probe.ts', "import { Mutex } from '../util/mutex.js';\nexport const x = Mutex;\n")).toEqual([]);
  });

  it('allows a downward import (loop -> exec) and one inside the folder', async () => {
    expect(await errorsOf('src/core/loop/probe.ts', "import { runCommand } from '../exec/run-command.js';\nimport { decide } from './decide.js';\nexport const x = [runCommand, decide];\n")).toEqual([]);
  });
});
