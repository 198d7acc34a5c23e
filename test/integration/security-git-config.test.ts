// Git runs programs that a repository's config and attributes name: filters, textconv, external diff, merge
// drivers, gpg, credential helpers, the ssh command. A project folder (a tarball, a colleague's clone) and an
// agent's code (a trainer that runs `git init` in its writable folder) choose them, so the harness's git must run
// none. Each test performs the attack for real and first shows it armed: plain git, as the harness ran it
// before, does run the program (its marker appears); the harness's git leaves no marker.
import type { ProjectConfigInput } from '../../src/shared/config.js';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyChangeTree } from '../../src/core/git/apply-change.js';
import { dirtyTrackedFiles } from '../../src/core/git/dirty-files.js';
import { raw } from '../../src/core/git/git.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import { readProjectInfo } from '../../src/core/project/project-info.js';
import { createEnvSecretStore, createStudio, type Studio } from '../../src/core/studio/index.js';
import { makeGitRun } from '../fixtures/make-run.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, git, makeRepo, REPO_ROOT, SCORED_TRAINER, tempDir, writeConfig } from '../helpers/project.js';
import { linkTestTrust, trustForTest } from '../helpers/trust.js';

let studio: Studio | null = null;
beforeAll(buildCli);
afterEach(async () => {
  await studio?.dispose();
  studio = null;
  cleanupTempDirs();
});

/** The scored trainer, one baseline run, no confirmations: the attacks need a run, not a careful one. */
const QUICK_CONFIG = {
  run: { command: `"${process.execPath}" train.mjs` },
  files: { editable: ['train.mjs'], protected: ['prepare.mjs'] },
  metric: { name: 'val_bpb', direction: 'min' },
  budget: { seconds: 5, timeoutSeconds: 30, graceSeconds: 1 },
  acceptance: { rule: 'classic', baselineRuns: 1, confirmRuns: 0 },
} satisfies ProjectConfigInput;

/** A file only a program run outside any sandbox can create (the sandbox binds /var/tmp read-only). */
const markerPath = (name = 'ran.txt') => path.join(tempDir('ar-marker-'), name);
const ran = (marker: string) => (existsSync(marker) ? readFileSync(marker, 'utf8') : '');
/** A shell command that records `what` in `marker` and passes stdin through (a filter that still works). */
const record = (marker: string, what: string) => `echo ${what} >> '${marker}'; cat`;

/** Make every tracked file stat-dirty against the index, so git re-reads (and filters) each one. */
function staleIndex(dir: string, files: readonly string[]): void {
  const t = new Date(Date.now() + 60_000);
  for (const f of files) utimesSync(path.join(dir, f), t, t);
}

function configure(dir: string, entries: Record<string, string>): void {
  for (const [k, v] of Object.entries(entries)) git(dir, 'config', k, v);
}

describe('a nested repository an agent creates (monorepo project, sandbox as shipped)', () => {
  it("the harness's git never opens it: its clean filter does not run during a CLI run", async () => {
    const marker = markerPath();
    // The trainer, once: `git init` in its writable folder (packages/model of the worktree), track its files
    // there, then a clean filter in that repository's config and attributes (inside .git, so `git clean`
    // leaves them), and a new mtime on prepare.mjs (which the harness never rewrites), so that any `git status`
    // there must read it through the filter.
    const attack = `import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, utimesSync, writeFileSync } from 'node:fs';
if (!existsSync('.git')) {
  try {
    execFileSync('git', ['init', '-q']);
    execFileSync('git', ['add', 'train.mjs', 'prepare.mjs']);
    appendFileSync('.git/config', ${JSON.stringify(`[filter "evil"]\n\tclean = "${record(marker, 'filter')}"\n\trequired = true\n`)});
    mkdirSync('.git/info', { recursive: true });
    writeFileSync('.git/info/attributes', '* filter=evil\\n');
    const t = new Date(Date.now() + 60000);
    utimesSync('prepare.mjs', t, t);
    console.log('nested_repo: planted');
  } catch (e) {
    console.log('nested_repo: failed ' + e.message);
  }
}
`;
    const repo = makeRepo({
      'README.md': '# the monorepo\n',
      'packages/other/x.py': 'X = 1\n',
      'packages/model/train.mjs': attack + SCORED_TRAINER,
      'packages/model/prepare.mjs': '// evaluator: protected\n',
    });
    const dir = path.join(repo, 'packages', 'model');
    writeConfig(dir, QUICK_CONFIG);
    git(repo, 'add', '-A');
    git(repo, 'commit', '-q', '-m', 'setup');

    const run = await runCli(['run', dir, '--tag', 'nested', '--max-experiments', '3'], { timeoutMs: 240_000 });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    const log0 = readFileSync(path.join(runPaths(dir, 'nested').logsDir, '0.log'), 'utf8');
    expect(log0).toContain('nested_repo: planted');
    const rec = await readRunRecord(dir, 'nested');
    expect(rec.experiments.size).toBe(4);
    expect(ran(marker)).toBe('');

    // Armed: plain git in the worktree's project folder opens the agent's repository and runs its filter.
    const copy = path.join(dir, '.autoresearch', 'worktrees', 'slot-0', 'packages', 'model');
    expect(existsSync(path.join(copy, '.git', 'config'))).toBe(true);
    git(copy, 'status', '--porcelain');
    expect(ran(marker)).toContain('filter');
  }, 300_000);
});

describe('a project folder whose own git config names programs', () => {
  /** A project from a tarball: a stale index, `*.mjs` through two filters, commits signed with a planted gpg. */
  function hostileProject(): { dir: string; marker: string } {
    const marker = markerPath();
    const dir = makeRepo({ 'train.mjs': SCORED_TRAINER, 'prepare.mjs': '// evaluator: protected\n', 'program.md': '# program\n' });
    writeConfig(dir, QUICK_CONFIG);
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'config');
    const gpg = path.join(tempDir('ar-gpg-'), 'gpg');
    writeFileSync(gpg, `#!/bin/sh\necho gpg >> '${marker}'\nexit 1\n`, { mode: 0o755 });
    writeFileSync(path.join(dir, '.gitattributes'), '*.mjs filter=evil\n*.md filter=a=b\n');
    git(dir, 'add', '.gitattributes');
    git(dir, 'commit', '-q', '-m', 'attributes');
    configure(dir, {
      'filter.evil.clean': record(marker, 'clean'),
      'filter.evil.smudge': record(marker, 'smudge'),
      'filter.evil.required': 'true',
      // A driver name with '=' in it: `-c filter.a=b.process=` would set another key.
      'filter.a=b.process': `sh -c "echo process >> '${marker}'"`,
      'commit.gpgSign': 'true',
      'gpg.program': gpg,
    });
    staleIndex(dir, ['train.mjs', 'prepare.mjs', 'program.md']);
    // Trusted with its git programs listed (the trust panel shows them): even then the app's git runs none of them.
    trustForTest(dir);
    return { dir, marker };
  }

  it('opening it (dirtyTrackedFiles, project info, the app) and a full CLI run run none of them', async () => {
    const { dir, marker } = hostileProject();
    expect(await dirtyTrackedFiles(dir)).toEqual([]);
    const info = await readProjectInfo(dir);
    expect(info.isGit).toBe(true);
    studio = await createStudio({
      app: { version: 'test', host: 'serve', platform: process.platform },
      dataDir: linkTestTrust(tempDir('ar-data-')),
      appRoot: REPO_ROOT,
      secrets: createEnvSecretStore({}),
      env: { ...process.env, ANTHROPIC_API_KEY: '' },
    });
    const opened = await studio.api.openProject({ dir });
    expect(opened.dirtyFiles).toEqual([]);
    await studio.dispose();
    studio = null;
    expect(ran(marker)).toBe('');

    const run = await runCli(['run', dir, '--tag', 'tarball', '--max-experiments', '2'], { timeoutMs: 240_000 });
    expect(run.stderr).not.toMatch(/Error/);
    expect(run.code).toBe(0);
    const rec = await readRunRecord(dir, 'tarball');
    expect(rec.experiments.size).toBe(3);
    expect(ran(marker)).toBe('');

    // Armed: a plain commit calls the planted gpg, and plain git runs the filters.
    const commitError = (() => {
      try {
        // The process filter (which fails first) switched off here: this check is about gpg.
        const env = { ...process.env, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'filter.a=b.process', GIT_CONFIG_VALUE_0: '' };
        execFileSync('git', ['commit', '--allow-empty', '-q', '-m', 'signed?'], { cwd: dir, env, stdio: 'pipe' });
        return '';
      } catch (err) {
        return String((err as { stderr?: unknown }).stderr);
      }
    })();
    expect(commitError).toMatch(/gpg failed to sign/);
    expect(ran(marker)).toMatch(/gpg/);
    staleIndex(dir, ['train.mjs', 'program.md']);
    try {
      git(dir, 'status', '--porcelain');
    } catch {
      // the process filter does not speak git's protocol, so git gives up after starting it
    }
    expect(ran(marker)).toMatch(/clean/);
    expect(ran(marker)).toMatch(/process/);
  }, 300_000);

  it('the diff the UI shows runs no textconv, external diff or diff driver', async () => {
    const dir = tempDir('ar-diff-');
    await makeGitRun(dir, {
      tag: 'night',
      baseline: 1.0,
      baselineTrainPy: 'LR = 0.01\n',
      steps: [{ status: 'keep', metric: 0.9, description: 'LR up', trainPy: 'LR = 0.02\n' }],
    });
    const marker = markerPath();
    writeFileSync(path.join(dir, '.git', 'info', 'attributes'), '*.py diff=evil\n');
    configure(dir, {
      'diff.evil.textconv': `sh -c "echo textconv >> '${marker}'; cat \\"\\$0\\""`,
      'diff.evil.command': `sh -c "echo command >> '${marker}'"`,
      'diff.external': `sh -c "echo external >> '${marker}'"`,
    });
    studio = await createStudio({
      app: { version: 'test', host: 'serve', platform: process.platform },
      dataDir: linkTestTrust(tempDir('ar-data-')),
      appRoot: REPO_ROOT,
      secrets: createEnvSecretStore({}),
      env: { ...process.env, ANTHROPIC_API_KEY: '' },
    });
    await studio.api.openProject({ dir });
    const d = await studio.api.getDiff({ tag: 'night', id: 1, against: 'parent' });
    expect(JSON.stringify(d)).toContain('LR = 0.02');
    // A diff verb without the flags still gets them.
    expect(await raw(dir, ['log', '-p', '-1', '--format=%s', 'refs/autoresearch/night/1'])).toContain('+LR = 0.02');
    expect(ran(marker)).toBe('');

    // Armed: plain git diff runs the driver's command.
    git(dir, 'diff', 'refs/autoresearch/night/1~1', 'refs/autoresearch/night/1');
    expect(ran(marker)).not.toBe('');
  }, 120_000);

  it('a merge driver the repository names does not run when a change is carried over', async () => {
    const marker = markerPath();
    const dir = makeRepo({ 'train.py': 'a\nb\nc\n' });
    const base = git(dir, 'rev-parse', 'HEAD').trim();
    writeFileSync(path.join(dir, 'train.py'), 'A\nb\nc\n');
    git(dir, 'commit', '-qam', 'ours');
    const ours = git(dir, 'rev-parse', 'HEAD').trim();
    git(dir, 'checkout', '-q', '--detach', base);
    writeFileSync(path.join(dir, 'train.py'), 'a\nb\nC\n');
    git(dir, 'commit', '-qam', 'theirs');
    const theirs = git(dir, 'rev-parse', 'HEAD').trim();
    writeFileSync(path.join(dir, '.git', 'info', 'attributes'), '*.py merge=evil\n');
    configure(dir, { 'merge.evil.driver': `echo merge >> '${marker}'; cp %B %A` });

    // The driver is switched off (it would make a conflict, never a silent result); the program never runs.
    const applied = await applyChangeTree(dir, base, theirs, ours);
    expect('conflicts' in applied).toBe(true);
    expect(ran(marker)).toBe('');

    // Armed: plain git merge-tree runs it.
    git(dir, 'merge-tree', '--write-tree', ours, theirs);
    expect(ran(marker)).toBe('merge\n');
  });

  it('credential helpers, askpass and the ssh command the repository names never run', async () => {
    const marker = markerPath();
    const dir = makeRepo({ 'train.py': 'x = 1\n' });
    configure(dir, {
      'credential.helper': `!echo helper >> '${marker}'; true`,
      'core.askPass': path.join(dir, 'askpass.sh'),
      'core.sshCommand': `echo ssh >> '${marker}'; false`,
    });
    writeFileSync(path.join(dir, 'askpass.sh'), `#!/bin/sh\necho askpass >> '${marker}'\n`, { mode: 0o755 });
    // A server that asks for a password, so git reaches for credentials.
    const server = http.createServer((_req, res) => res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="x"' }).end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(raw(dir, ['ls-remote', `http://127.0.0.1:${port}/repo.git`])).rejects.toThrow();
      await expect(raw(dir, ['ls-remote', 'ssh://git@127.0.0.1:1/repo.git'])).rejects.toThrow();
      expect(ran(marker)).toBe('');

      // Armed: plain git (no terminal prompt either) calls the helper and the ssh command.
      // (Asynchronously: the server answering it lives in this process.)
      const env = { ...process.env, GIT_TERMINAL_PROMPT: '0' };
      for (const url of [`http://127.0.0.1:${port}/repo.git`, 'ssh://git@127.0.0.1:1/repo.git']) {
        await new Promise((resolve) => execFile('git', ['ls-remote', url], { cwd: dir, env, timeout: 60_000 }, resolve));
      }
      expect(ran(marker)).toMatch(/helper/);
      expect(ran(marker)).toMatch(/ssh/);
    } finally {
      server.close();
    }
  });

  it('a repository whose own config includes another file is refused with a line that says what to remove', async () => {
    const marker = markerPath();
    const dir = makeRepo({ 'train.py': 'x = 1\n' });
    const included = path.join(tempDir('ar-inc-'), 'extra.cfg');
    writeFileSync(included, `[filter "inc"]\n\tclean = "${record(marker, 'include')}"\n`);
    writeFileSync(path.join(dir, '.gitattributes'), '*.py filter=inc\n');
    git(dir, 'config', 'include.path', included);
    staleIndex(dir, ['train.py']);
    const err = await dirtyTrackedFiles(dir).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toMatch(/includes another file \(include\.path = .*extra\.cfg\).*git config --unset include\.path/);
    expect((err as Error).message).not.toContain('\n');
    // Opening the folder says the same (not "not a git repository").
    await expect(readProjectInfo(dir)).rejects.toThrow(/git config --unset include\.path/);
    expect(ran(marker)).toBe('');
    // Without the include the folder opens.
    git(dir, 'config', '--unset', 'include.path');
    expect(await dirtyTrackedFiles(dir)).toEqual([]);
    rmSync(included);
  });
});

describe("the user's own global config", () => {
  it("may include files and its filters run (Git LFS is one: the user's programs), unless the repository redefines them", async () => {
    const marker = markerPath();
    const home = tempDir('ar-home-');
    const included = path.join(home, 'extra.cfg');
    writeFileSync(included, `[filter "lfsish"]\n\tclean = "${record(marker, 'global')}"\n\tprocess = "${record(marker, 'global-process')}"\n`);
    const globalFile = path.join(home, 'gitconfig');
    writeFileSync(globalFile, `[include]\n\tpath = ${included}\n`);
    const dir = makeRepo({ 'data.bin': 'payload\n', '.gitattributes': '*.bin filter=lfsish\n' });
    staleIndex(dir, ['data.bin']);
    const before = process.env.GIT_CONFIG_GLOBAL;
    process.env.GIT_CONFIG_GLOBAL = globalFile;
    try {
      // The user's own filter runs in the harness as in plain git (a repository may select it, not change it).
      expect(await dirtyTrackedFiles(dir)).toEqual([]);
      expect(ran(marker)).toMatch(/global/);
      // The repository's config redefines it: the whole driver is off, the repository's command and the user's.
      rmSync(marker, { force: true });
      git(dir, 'config', 'filter.lfsish.clean', record(marker, 'repository'));
      git(dir, 'config', 'filter.lfsish.process', record(marker, 'repository-process'));
      staleIndex(dir, ['data.bin']);
      expect(await dirtyTrackedFiles(dir)).toEqual([]);
      expect(ran(marker)).toBe('');
      // Armed: plain git runs the repository's version.
      staleIndex(dir, ['data.bin']);
      await new Promise((resolve) => execFile('git', ['status', '--porcelain'], { cwd: dir, env: process.env }, resolve));
      expect(ran(marker)).toMatch(/repository/);
    } finally {
      if (before === undefined) delete process.env.GIT_CONFIG_GLOBAL;
      else process.env.GIT_CONFIG_GLOBAL = before;
    }
  });
});
