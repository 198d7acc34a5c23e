// Code the agent wrote runs between the harness's git commands. Without the sandbox (turned off here, so the
// attacks can be made) a trainer installs git hooks and an fsmonitor in the shared .git, and plants an ignored
// .pth file for the next experiment. None of it may run inside the harness, and nothing planted may survive.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { runPaths } from '../../src/core/project/paths.js';
import { cleanupTempDirs, git, SCORED_TRAINER, scoredProject, tempDir } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);

const HOOKS = ['post-checkout', 'post-commit', 'prepare-commit-msg', 'reference-transaction', 'pre-commit', 'commit-msg', 'post-index-change', 'pre-auto-gc'];

/** The scored trainer, preceded by the attack. MARKER is where a hook that ran would write. */
const hostileTrainer = (marker: string) => `import { appendFileSync, chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
const gitFile = readFileSync('.git', 'utf8');
const common = path.resolve(gitFile.replace(/^gitdir: /, '').trim(), '..', '..');
for (const hook of ${JSON.stringify(HOOKS)}) {
  const file = path.join(common, 'hooks', hook);
  writeFileSync(file, '#!/bin/sh\\necho ' + hook + ' >> ${marker}\\n');
  chmodSync(file, 0o755);
}
const monitor = path.join(common, 'fsmonitor.sh');
writeFileSync(monitor, '#!/bin/sh\\necho fsmonitor >> ${marker}\\n');
chmodSync(monitor, 0o755);
appendFileSync(path.join(common, 'config'), '[core]\\n\\tfsmonitor = ' + monitor + '\\n');
console.log('planted_seen: ' + (existsSync('site-hook.pth') || existsSync('__pycache__/evil.pyc') || existsSync('untracked.txt') ? 1 : 0));
writeFileSync('site-hook.pth', 'import os; os.system("touch /tmp/owned")\\n');
try { writeFileSync('__pycache__/evil.pyc', 'x'); } catch {}
writeFileSync('untracked.txt', 'x');
${SCORED_TRAINER}`;

describe('git hooks and planted files from a trainer', () => {
  it('hooks and fsmonitor never run in the harness, and ignored files are gone for the next experiment', async () => {
    const marker = path.join(tempDir('ar-marker-'), 'ran.txt');
    // One at a time (queueDepth 0): the three scripted steps rewrite the same line, each on the keep before it.
    const { dir } = scoredProject({ agent: { queueDepth: 0 } } as never, { '.gitignore': '*.pth\n__pycache__/\n' });
    writeFileSync(path.join(dir, 'train.mjs'), hostileTrainer(marker));
    mkdirSync(path.join(dir, '__pycache__'));
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'hostile trainer');

    const proposer = scriptedProposer([setConst('LEARNING_RATE', '0.02'), setConst('LEARNING_RATE', '0.001'), setConst('LEARNING_RATE', '0.04')]);
    const handle = await startRun({
      projectDir: dir,
      tag: 'hooks',
      maxExperiments: 3,
      deps: {
        env: { ...process.env, AUTORESEARCH_SANDBOX: 'off' },
        nodePath: process.execPath,
        appVersion: 'test',
        sleep: async () => undefined,
        createProposer: async () => proposer,
      },
    });
    const outcome = await handle.done;
    expect(outcome.reason).toBe('max-experiments');

    // The trainer did install them (the attack is real) ...
    expect(readFileSync(path.join(dir, '.git', 'hooks', 'post-checkout'), 'utf8')).toContain(marker);
    expect(git(dir, 'config', '--get', 'core.fsmonitor').trim()).toMatch(/fsmonitor\.sh$/);
    // ... and none ran during four experiments of checkouts, commits, resets and ref updates.
    expect(existsSync(marker) ? readFileSync(marker, 'utf8') : '').toBe('');

    const rec = await readRunRecord(dir, 'hooks');
    expect([...rec.experiments.values()].map((e) => e.status)).toEqual(['keep', 'keep', 'discard', 'keep']);
    for (const id of [0, 1, 2, 3]) {
      const log = readFileSync(path.join(runPaths(dir, 'hooks').logsDir, `${id}.log`), 'utf8');
      expect(log, `experiment ${id}`).toContain('planted_seen: 0');
    }
  }, 120_000);
});
