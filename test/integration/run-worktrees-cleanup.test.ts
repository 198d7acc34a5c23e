// Issue 21 item 5: a run cleans up what it made. The slot worktrees it created and no experiment ran in are
// removed when it ends (git forgets them too); the ones its experiments ran in stay, and so does a worktree an
// earlier run left.
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

it('a run with more slots than experiments removes the slot worktrees it made and never used', async () => {
  const { dir } = scoredProject();
  const worktrees = path.join(dir, '.autoresearch', 'worktrees');
  // An earlier run's worktree in a slot this run will not use: not this run's to remove.
  git(dir, 'worktree', 'add', '-q', '--detach', path.join(worktrees, 'slot-5'), 'HEAD');

  const run = await runCli(['run', dir, '--tag', 'w', '--slots', '6', '--max-experiments', '1']);
  // Nothing but the fixed-seed trainer's "noise unknown" warning (issue #22) on stderr.
  expect(run.stderr.split('\n').filter((l) => l && !l.startsWith('warning: Noise unknown'))).toEqual([]);
  expect(run.code).toBe(0);

  const rec = await readRunRecord(dir, 'w');
  const used = new Set([...rec.experiments.values()].map((e) => e.slot));
  expect(used.size).toBeGreaterThan(0);
  expect(used.size).toBeLessThan(5);
  const left = readdirSync(worktrees).filter((n) => n.startsWith('slot-')).sort();
  expect(left).toEqual([...[...used].map((s) => `slot-${s}`), ...(used.has(5) ? [] : ['slot-5'])].sort());
  // git's own list agrees: no entry for a removed folder is left to prune by hand.
  const listed = git(dir, 'worktree', 'list', '--porcelain')
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => path.basename(l.slice('worktree '.length)))
    .filter((n) => n.startsWith('slot-'))
    .sort();
  expect(listed).toEqual(left);
  for (const s of used) expect(existsSync(path.join(worktrees, `slot-${s}`, 'train.mjs'))).toBe(true);
}, 180_000);
