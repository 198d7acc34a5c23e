// A project in a subfolder of a monorepo (packages/model/ of a repository with other packages and a root
// README), through the real CLI and real git: worktrees are of the whole repository, the command runs in the
// subfolder, globs and reported paths are the subfolder's, and the user's checkout is never touched.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { guardDiff } from '../../src/core/agent/diff-guard.js';
import { createWorkspace } from '../../src/core/agent/workspace.js';
import { findBwrap } from '../../src/core/exec/sandbox.js';
import { applyChangeTree } from '../../src/core/git/apply-change.js';
import { carryOnto } from '../../src/core/git/carry-change.js';
import { createSshExecutor } from '../../src/core/exec/ssh-executor.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { readProjectInfo } from '../../src/core/project/project-info.js';
import type { Studio } from '../../src/core/studio/index.js';
import { testStudio } from '../helpers/studio.js';
import { changedProtectedFiles, protectedHashesAt } from '../../src/core/loop/protected-files.js';
import { prepareWorktree } from '../../src/core/exec/worktrees.js';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, git, makeRepo, tempDir } from '../helpers/project.js';
import { trustForTest } from '../helpers/trust.js';

let studio: Studio | null = null;
beforeAll(buildCli);
afterEach(async () => {
  await studio?.dispose();
  studio = null;
  cleanupTempDirs();
});

// The trainer imports a file from another folder of the repository: it runs only if the worktree holds the
// whole repository and the command's working directory is the subfolder's copy.
const TRAINER = `import { OFFSET } from '../../shared/offset.mjs';
const LEARNING_RATE = 0.01;
const loss = OFFSET + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1;
console.log('val_bpb: ' + loss.toFixed(6));
`;

/** A trainer that tries to write into another package and the repository's README, and says whether it could. */
const WRITER = `import { writeFileSync } from 'node:fs';
import { OFFSET } from '../../shared/offset.mjs';
const attempt = (file, text) => {
  try {
    writeFileSync(file, text);
    return 'yes';
  } catch {
    return 'no';
  }
};
console.log('wrote ../other/x.py: ' + attempt('../other/x.py', 'X = 666\\n'));
console.log('wrote ../../README.md: ' + attempt('../../README.md', 'planted'));
const LEARNING_RATE = 0.01;
console.log('val_bpb: ' + (OFFSET + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;

const bwrap = await findBwrap();

function monorepo(): { repo: string; dir: string } {
  const repo = makeRepo({
    'README.md': '# the monorepo\n',
    'shared/offset.mjs': 'export const OFFSET = 1;\n',
    'packages/other/x.py': 'X = 1\n',
    'packages/other/train.mjs': 'const LEARNING_RATE = 0.5;\n',
    'packages/model/train.mjs': TRAINER,
    'packages/model/prepare.mjs': '// evaluator: protected\n',
  });
  return { repo, dir: path.join(repo, 'packages', 'model') };
}

/** What `autoresearch init` writes, then the user commits it (as they would to share the setup). */
async function initProject(repo: string, dir: string, edit: (cfg: Record<string, any>) => void = () => undefined): Promise<void> {
  const init = await runCli(['init', dir, '--run', `"${process.execPath}" train.mjs`, '--metric', 'val_bpb', '--goal', 'min', '--editable', 'train.mjs', '--protected', 'prepare.mjs', '--budget', '5', '--timeout', '30']);
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  const cfgFile = path.join(dir, '.autoresearch', 'config.json');
  const cfg = JSON.parse(readFileSync(cfgFile, 'utf8'));
  // The classic rule with one baseline run: the trainer is deterministic, and the test is about paths.
  cfg.acceptance = { ...cfg.acceptance, rule: 'classic', baselineRuns: 1, confirmRuns: 0 };
  edit(cfg);
  writeFileSync(cfgFile, JSON.stringify(cfg, null, 2));
  trustForTest(dir); // the test wrote these commands
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'autoresearch setup');
  expect(git(repo, 'status', '--porcelain')).toBe('');
}

describe('a project in a subfolder of a monorepo', () => {
  it('init and run 3 experiments from packages/model/: checkout untouched, keeps touch only the subfolder, paths as the subfolder sees them', async () => {
    const { repo, dir } = monorepo();
    await initProject(repo, dir);
    const head = git(repo, 'rev-parse', 'HEAD').trim();

    const run = await runCli(['run', dir, '--tag', 'mono', '--max-experiments', '3'], { timeoutMs: 200_000 });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);

    // The records live in the subfolder; the branch is the repository's.
    const rows = readFileSync(path.join(dir, '.autoresearch', 'runs', 'mono', 'results.tsv'), 'utf8').trimEnd().split('\n');
    expect(rows).toHaveLength(5); // header, baseline, 3 candidates
    const rec = await readRunRecord(dir, 'mono');
    expect(rec.experiments.get(0)!.metric).toBeCloseTo(1.3, 6); // OFFSET from ../../shared was read
    const keeps = [...rec.experiments.values()].filter((e) => e.kind === 'candidate' && e.status === 'keep');
    expect(keeps.length).toBeGreaterThan(0);
    expect(git(repo, 'rev-parse', 'autoresearch/mono').trim()).toBe(rec.bestCommit);
    // Recorded changed files are the subfolder's own paths.
    for (const k of keeps) expect(k.changedFiles).toEqual(['train.mjs']);

    // The user's checkout: same commit, same branch, nothing modified or untracked (runs and worktrees excluded).
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(git(repo, 'rev-parse', 'HEAD').trim()).toBe(head);
    expect(git(repo, 'symbolic-ref', '--short', 'HEAD').trim()).toBe('main');
    expect(readFileSync(path.join(dir, 'train.mjs'), 'utf8')).toBe(TRAINER);

    // The kept commits touch only files under packages/model/.
    const touched = git(repo, 'diff', '--name-only', head, rec.bestCommit!).trim().split('\n');
    expect(touched).toEqual(['packages/model/train.mjs']);
    // The slot's worktree is a checkout of the whole repository.
    const slot = path.join(dir, '.autoresearch', 'worktrees', 'slot-0');
    expect(readFileSync(path.join(slot, 'README.md'), 'utf8')).toBe('# the monorepo\n');

    // The report shows the diff as the user sees it from the subfolder.
    const out = path.join(tempDir(), 'report.md');
    const rep = await runCli(['report', dir, '--tag', 'mono', '--format', 'md', '--out', out]);
    expect(rep.code).toBe(0);
    const report = readFileSync(out, 'utf8');
    expect(report).toContain('diff --git a/train.mjs b/train.mjs');
    expect(report).not.toContain('packages/model/train.mjs');

    // The app opens the subfolder, and its History diff reads the same paths.
    ({ studio } = await testStudio());
    const project = await studio.api.openProject({ dir });
    expect(project.isGit).toBe(true);
    expect(project.repoSubfolder).toBe('packages/model');
    expect(project.dirtyFiles).toEqual([]);
    const d = await studio.api.getDiff({ tag: 'mono', id: keeps[0]!.id, against: 'parent' });
    expect(d.diff).toContain('--- a/train.mjs');
    expect(d.diff).not.toContain('packages/model');
    expect(d.files.map((f) => f.path)).toEqual(['train.mjs']);
  }, 240_000);

  it('a change outside the subfolder is refused by the guard, and the user\'s checkout stays clean', async () => {
    const { repo, dir } = monorepo();
    // An agent CLI with full file access (the sandbox off, so nothing but the guard stands in its way) edits its
    // own file and one in another package.
    const agent = `sed -i 's/0.01/0.02/' train.mjs && printf 'X = 2\\n' > ../other/x.py`;
    await initProject(repo, dir, (cfg) => {
      cfg.agent = { ...cfg.agent, proposer: 'command', command: agent };
    });
    const run = await runCli(['run', dir, '--tag', 'out', '--max-experiments', '1'], { timeoutMs: 120_000, env: { AUTORESEARCH_SANDBOX: 'off' } });
    expect(run.code).toBe(0);
    const rec = await readRunRecord(dir, 'out');
    const e = rec.experiments.get(1)!;
    expect(e.status).toBe('rejected');
    expect(e.error).toMatch(/outside the editable ones \(train\.mjs\): \.\.\/other\/x\.py/);
    expect(e.commit).toBeNull();
    expect(git(repo, 'status', '--porcelain')).toBe('');
    expect(readFileSync(path.join(repo, 'packages', 'other', 'x.py'), 'utf8')).toBe('X = 1\n');
    expect(git(repo, 'rev-parse', 'autoresearch/out').trim()).toBe(git(repo, 'rev-parse', 'HEAD').trim());
  }, 150_000);

  it('the workspace, the diff guard and the protected-file check confine the agent and the trainer to the subfolder', async () => {
    const { repo, dir } = monorepo();
    const head = git(repo, 'rev-parse', 'HEAD').trim();
    const { path: copy } = await prepareWorktree(dir, 0, head, []);
    expect(copy).toBe(path.join(dir, '.autoresearch', 'worktrees', 'slot-0', 'packages', 'model'));
    const config = ProjectConfigSchema.parse({ run: { command: 'true' }, budget: { seconds: 5 }, metric: { name: 'val_bpb', direction: 'min' }, files: { editable: ['train.mjs', '**/*.py'], protected: ['prepare.mjs'] } });

    // The workspace refuses a path that leaves the subfolder, even one an editable glob could match.
    const ws = createWorkspace(copy, dir, config.files);
    await expect(ws.writeFile('../other/x.py', 'X = 3\n')).rejects.toThrow(/"\.\."/);
    await expect(ws.writeFile(path.join(repo, 'packages', 'other', 'x.py'), 'X = 3\n')).rejects.toThrow(/outside the project/);

    // A change made around it (an agent CLI, a trainer) is seen and refused by the guard.
    const hashes = await protectedHashesAt(dir, head, config.files.protected);
    expect([...hashes.keys()]).toEqual(['prepare.mjs']);
    writeFileSync(path.join(copy, '..', 'other', 'x.py'), 'X = 3\n');
    const check = await guardDiff({ worktree: copy, config, protectedHashes: hashes });
    expect(check.ok).toBe(false);
    if (!check.ok) {
      expect(check.reason).toMatch(/outside the editable ones/);
      expect(check.changedFiles).toEqual(['../other/x.py']);
    }
    // After a run, anything changed outside the subfolder counts as tampering with protected files.
    writeFileSync(path.join(copy, '..', '..', 'README.md'), 'changed\n');
    expect(await changedProtectedFiles(copy, hashes)).toEqual(['../../README.md', '../other/x.py']);
    writeFileSync(path.join(copy, 'prepare.mjs'), 'tampered\n');
    expect((await changedProtectedFiles(copy, hashes))[0]).toBe('prepare.mjs');

    // Reset puts the whole worktree back, not just the subfolder.
    await prepareWorktree(dir, 0, head, []);
    expect(git(path.join(dir, '.autoresearch', 'worktrees', 'slot-0'), 'status', '--porcelain')).toBe('');
    expect(git(repo, 'status', '--porcelain')).toBe('?? packages/model/.autoresearch/\n'); // excluded once a run starts
  });

  // Under /tmp on purpose: the sandbox's /tmp is private, so the rest of the worktree must be bound into it.
  it.skipIf(!bwrap)('under the sandbox the trainer reads the rest of the repository but cannot write outside the subfolder', async () => {
    const { repo, dir } = monorepo();
    writeFileSync(path.join(dir, 'train.mjs'), WRITER);
    git(repo, 'commit', '-q', '-am', 'a trainer that writes outside its folder');
    await initProject(repo, dir);
    const run = await runCli(['run', dir, '--tag', 'sb', '--max-experiments', '1'], { timeoutMs: 120_000, env: { AUTORESEARCH_SANDBOX: 'on' } });
    expect(run.code).toBe(0);
    const rec = await readRunRecord(dir, 'sb');
    expect(rec.experiments.get(0)!.status).toBe('keep');
    expect(rec.experiments.get(0)!.metric).toBeCloseTo(1.3, 6);
    const log = readFileSync(runPaths(dir, 'sb').abs(rec.experiments.get(0)!.logPath!), 'utf8');
    expect(log).toContain('wrote ../other/x.py: no');
    expect(log).toContain('wrote ../../README.md: no');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  }, 150_000);

  it('without the sandbox a trainer that writes outside the subfolder is rejected as tampering, naming the file', async () => {
    const { repo, dir } = monorepo();
    writeFileSync(path.join(dir, 'train.mjs'), WRITER);
    git(repo, 'commit', '-q', '-am', 'a trainer that writes outside its folder');
    await initProject(repo, dir);
    await runCli(['run', dir, '--tag', 'nosb', '--max-experiments', '1'], { timeoutMs: 120_000, env: { AUTORESEARCH_SANDBOX: 'off' } });
    const rec = await readRunRecord(dir, 'nosb');
    const baseline = rec.experiments.get(0)!;
    expect(baseline.status).toBe('rejected');
    expect(baseline.error).toMatch(/changed protected files: \.\.\/\.\.\/README\.md, \.\.\/other\/x\.py\./);
    // The write landed in the slot's copy of the repository, never in the user's checkout, and was undone.
    expect(readFileSync(path.join(repo, 'packages', 'other', 'x.py'), 'utf8')).toBe('X = 1\n');
    expect(readFileSync(path.join(dir, '.autoresearch', 'worktrees', 'slot-0', 'packages', 'other', 'x.py'), 'utf8')).toBe('X = 1\n');
    expect(git(repo, 'status', '--porcelain')).toBe('');
  }, 150_000);

  it('merge conflicts (carrying a change, finalize applying one) name files as the subfolder sees them', async () => {
    const { repo, dir } = monorepo();
    const base = git(repo, 'rev-parse', 'HEAD').trim();
    const commitWith = (lr: string) => {
      git(repo, 'checkout', '-q', '--detach', base);
      writeFileSync(path.join(dir, 'train.mjs'), TRAINER.replace('0.01', lr));
      git(repo, 'commit', '-q', '-am', `lr ${lr}`);
      return git(repo, 'rev-parse', 'HEAD').trim();
    };
    const a = commitWith('0.02');
    const b = commitWith('0.04');
    git(repo, 'checkout', '-q', 'main');
    expect(await carryOnto(dir, b, a, 'carry')).toEqual({ conflicts: ['train.mjs'] });
    expect(await applyChangeTree(dir, base, b, a)).toEqual({ conflicts: ['train.mjs'] });
    expect(git(repo, 'status', '--porcelain')).toBe('');
  });

  it('an SSH slot refuses a project in a subfolder with a clear message, before reaching the host', async () => {
    const { repo, dir } = monorepo();
    const ssh = createSshExecutor({ projectDir: dir, linked: [], env: process.env, slot: 0, settings: { kind: 'ssh', host: 'nobody@127.0.0.1', port: 1, remoteDir: '/srv/ar', linked: {}, options: [] } });
    await expect(ssh.prepareWorkspace(0, git(repo, 'rev-parse', 'HEAD').trim())).rejects.toThrow(
      'SSH slots cannot run a project in a subfolder of its repository yet (this one is packages/model/). Use local or Slurm slots for it, or make the repository\'s top folder the project.',
    );
  });

  it('the dirty-tree check looks only at the subfolder, and says so', async () => {
    const { repo, dir } = monorepo();
    await initProject(repo, dir);
    writeFileSync(path.join(repo, 'packages', 'other', 'x.py'), 'X = 9\n');
    expect((await readProjectInfo(dir)).dirtyFiles).toEqual([]);
    writeFileSync(path.join(dir, 'train.mjs'), TRAINER + '// edited\n');
    expect((await readProjectInfo(dir)).dirtyFiles).toEqual(['train.mjs']);
    const run = await runCli(['run', dir, '--tag', 'dirty', '--max-experiments', '1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/The project folder \(packages\/model\/ of its repository; changes elsewhere in the repository are not checked\) has uncommitted changes to tracked files: train\.mjs\./);
    expect(existsSync(runPaths(dir, 'dirty').journal)).toBe(false);
  });
});
