// A proposal worktree's commit is written by the harness (fast-commit.ts, loose-object.ts) and its refs moved by
// one long-lived `git update-ref --stdin` (ref-writer.ts). What matters is that git sees exactly what
// `git commit -- <paths>` and `git update-ref` would have made: the same tree for the same files (nested,
// added, deleted, executable), the base as parent, the cleaned message, the user's identity, objects that pass
// `git fsck --strict`; and that every case it does not handle is left to git (null), never half done.
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { cleanMessage, commitOnBase, restoreBase } from '../../src/core/git/fast-commit.js';
import { objectId, writeLooseObjects } from '../../src/core/git/loose-object.js';
import { moveRef } from '../../src/core/git/ref-writer.js';
import { cleanupTempDirs, git as gitOut, makeRepo, tempDir } from '../helpers/project.js';

const git = (dir: string, ...args: string[]) => gitOut(dir, ...args).trim();
const REPO_ROOT = path.resolve(__dirname, '..', '..');

afterAll(() => cleanupTempDirs());

/** A repository with a linked worktree (as a proposal worktree is) at HEAD, detached. */
function repoWithWorktree(files: Record<string, string>): { repo: string; wt: string; base: string } {
  const repo = makeRepo(files);
  const wt = path.join(tempDir(), 'p0');
  git(repo, 'worktree', 'add', '-q', '--detach', wt, 'HEAD');
  return { repo, wt, base: git(repo, 'rev-parse', 'HEAD') };
}

/** What git itself commits for the same edit and message (`git commit -m <message> -- <paths>` in another worktree): its tree and message. */
function gitsOwnCommit(repo: string, base: string, edit: (dir: string) => void, paths: string[], message: string): { tree: string; message: string } {
  const copy = path.join(tempDir(), 'copy');
  git(repo, 'worktree', 'add', '-q', '--detach', copy, base);
  edit(copy);
  git(copy, 'add', '-A', '--', ...paths);
  git(copy, 'commit', '-q', '-m', message, '--', ...paths);
  return { tree: git(copy, 'rev-parse', 'HEAD^{tree}'), message: gitOut(copy, 'log', '-1', '--format=%B', 'HEAD') };
}

describe('loose objects', () => {
  it('are named as git names them and read back by git', async () => {
    const { repo } = repoWithWorktree({ 'a.txt': 'a\n' });
    const body = Buffer.from('hello\0binary\n');
    const [id] = await writeLooseObjects(path.join(repo, '.git', 'objects'), [{ type: 'blob', body }]);
    writeFileSync(path.join(repo, 'probe.bin'), body);
    expect(id).toBe(git(repo, 'hash-object', 'probe.bin'));
    expect(id).toBe(objectId('blob', body));
    expect(execFileSync('git', ['cat-file', 'blob', id!], { cwd: repo })).toEqual(body);
    // Written again: the object there is kept, no temporary file is left beside it.
    expect(await writeLooseObjects(path.join(repo, '.git', 'objects'), [{ type: 'blob', body }])).toEqual([id]);
    expect(execFileSync('ls', [path.join(repo, '.git', 'objects', id!.slice(0, 2))], { encoding: 'utf8' }).trim()).toBe(id!.slice(2));
  });
});

describe('commitOnBase', () => {
  it('commits nested, added, deleted and executable files as git commit would, without moving HEAD', async () => {
    const { repo, wt, base } = repoWithWorktree({ 'train.py': 'LR = 1\n', 'model/net.py': 'DIM = 4\n', 'model/old.py': 'x\n', 'gone/only.py': 'y\n', 'z.txt': 'z\n' });
    const edit = (dir: string) => {
      writeFileSync(path.join(dir, 'train.py'), 'LR = 2\n');
      writeFileSync(path.join(dir, 'model', 'net.py'), 'DIM = 8\n');
      unlinkSync(path.join(dir, 'model', 'old.py'));
      rmSync(path.join(dir, 'gone'), { recursive: true });
      mkdirSync(path.join(dir, 'new', 'deep'), { recursive: true });
      writeFileSync(path.join(dir, 'new', 'deep', 'layer.py'), 'ACT = "gelu"\n');
      writeFileSync(path.join(dir, 'run.sh'), 'echo hi\n');
      chmodSync(path.join(dir, 'run.sh'), 0o755);
      // A file named so that git's order differs from a plain sort (a folder compares as "model/").
      writeFileSync(path.join(dir, 'model.py'), 'M = 1\n');
    };
    const paths = ['gone/only.py', 'model.py', 'model/net.py', 'model/old.py', 'new/deep/layer.py', 'run.sh', 'train.py'];
    edit(wt);
    const message = '\n  exp 7: LR 2   \n\n\n\nWhy: faster.  \n# not a comment here\n\n';
    const made = await commitOnBase(wt, base, paths, message);
    expect(made).not.toBeNull();
    const commit = made!.commit;
    const own = gitsOwnCommit(repo, base, edit, paths, message);
    expect(git(repo, 'rev-parse', `${commit}^{tree}`)).toBe(own.tree);
    expect(gitOut(repo, 'log', '-1', '--format=%B', commit)).toBe(own.message);
    expect(git(repo, 'rev-parse', `${commit}^`)).toBe(base);
    expect(git(repo, 'log', '-1', '--format=%an <%ae>|%cn <%ce>', commit)).toBe('Test <test@example.com>|Test <test@example.com>');
    expect(Math.abs(Number(git(repo, 'log', '-1', '--format=%ct', commit)) - Date.now() / 1000)).toBeLessThan(120);
    expect(() => git(repo, 'fsck', '--strict', '--no-dangling')).not.toThrow();
    // The worktree: HEAD still at the base, the added files gone again (a forced checkout of the base restores the rest).
    expect(git(wt, 'rev-parse', 'HEAD')).toBe(base);
    expect([...made!.added].sort()).toEqual(['model.py', 'new/deep/layer.py', 'run.sh']);
    expect(existsSync(path.join(wt, 'new'))).toBe(false);
    expect(existsSync(path.join(wt, 'run.sh'))).toBe(false);
    git(wt, 'checkout', '-q', '--force', base);
    expect(git(wt, 'status', '--porcelain', '--ignored')).toBe('');
    expect(readFileSync(path.join(wt, 'train.py'), 'utf8')).toBe('LR = 1\n');
  });

  it('commits in a monorepo project folder: its paths are the folder\'s, the tree the repository\'s', async () => {
    const { repo, wt, base } = repoWithWorktree({ 'packages/model/train.py': 'LR = 1\n', 'packages/other/x.py': 'x\n', 'README': 'r\n' });
    const project = path.join(wt, 'packages', 'model');
    const edit = (dir: string) => {
      writeFileSync(path.join(dir, 'packages', 'model', 'train.py'), 'LR = 2\n');
      writeFileSync(path.join(dir, 'packages', 'model', 'extra.py'), 'E = 1\n');
    };
    edit(wt);
    const made = await commitOnBase(project, base, ['extra.py', 'train.py'], 'm');
    expect(made).not.toBeNull();
    const own = gitsOwnCommit(repo, base, edit, ['packages/model/extra.py', 'packages/model/train.py'], 'm');
    expect(git(repo, 'rev-parse', `${made!.commit}^{tree}`)).toBe(own.tree);
    expect(existsSync(path.join(project, 'extra.py'))).toBe(false);
  });

  it('puts the changed files back as the base holds them, as a forced checkout would', async () => {
    const { wt, base } = repoWithWorktree({ 'train.py': 'LR = 1\n', 'run.sh': 'echo\n', 'gone/only.py': 'y\n', 'keep.py': 'k\n' });
    chmodSync(path.join(wt, 'run.sh'), 0o755);
    git(wt, 'add', 'run.sh');
    git(wt, 'commit', '-q', '-m', 'exec');
    const at = git(wt, 'rev-parse', 'HEAD');
    writeFileSync(path.join(wt, 'train.py'), 'LR = 2\nMORE = 1\n');
    chmodSync(path.join(wt, 'run.sh'), 0o644);
    rmSync(path.join(wt, 'gone'), { recursive: true });
    mkdirSync(path.join(wt, 'new'));
    writeFileSync(path.join(wt, 'new', 'x.py'), 'x\n');
    const paths = ['gone/only.py', 'new/x.py', 'run.sh', 'train.py'];
    const made = await commitOnBase(wt, at, paths, 'm');
    expect(made).not.toBeNull();
    await restoreBase(wt, at, paths);
    expect(git(wt, 'status', '--porcelain', '--ignored', '--untracked-files=all')).toBe('');
    expect(readFileSync(path.join(wt, 'train.py'), 'utf8')).toBe('LR = 1\n');
    expect(readFileSync(path.join(wt, 'gone', 'only.py'), 'utf8')).toBe('y\n');
    expect(existsSync(path.join(wt, 'new'))).toBe(false);
    expect(git(wt, 'ls-files', '-s', 'run.sh').split(' ')[0]).toBe('100755');
    // A folder where the base has a file: not a case for it (the caller checks out instead).
    rmSync(path.join(wt, 'keep.py'));
    mkdirSync(path.join(wt, 'keep.py'));
    await expect(restoreBase(wt, at, ['keep.py'])).rejects.toThrow(/not a file/);
    void base;
  });

  it('cleans a message as git commit -m does', () => {
    expect(cleanMessage('\n\n a  \t\n\n\nb\n \n')).toBe(' a\n\nb\n');
    expect(cleanMessage('   \n\t\n')).toBe('');
  });

  it('leaves to git what it does not handle, and touches nothing then', async () => {
    const { wt, base } = repoWithWorktree({ 'train.py': 'LR = 1\n', 'lib/a.py': 'a\n' });
    // A link where a file was.
    unlinkSync(path.join(wt, 'train.py'));
    symlinkSync('/etc/passwd', path.join(wt, 'train.py'));
    expect(await commitOnBase(wt, base, ['train.py'], 'm')).toBeNull();
    // A folder named as a file path, and a path that climbs out.
    expect(await commitOnBase(wt, base, ['lib'], 'm')).toBeNull();
    expect(await commitOnBase(wt, base, ['../x.py'], 'm')).toBeNull();
    // A file inside what the base holds as a file.
    writeFileSync(path.join(wt, 'new.py'), 'n\n');
    expect(await commitOnBase(wt, base, ['train.py/inner.py'], 'm')).toBeNull();
    expect(existsSync(path.join(wt, 'new.py'))).toBe(true);
    // A date fixed in the environment is git's to read.
    const { wt: wt2, base: base2 } = repoWithWorktree({ 'train.py': 'LR = 1\n' });
    writeFileSync(path.join(wt2, 'train.py'), 'LR = 5\n');
    process.env.GIT_COMMITTER_DATE = '2005-04-07T22:13:13';
    try {
      expect(await commitOnBase(wt2, base2, ['train.py'], 'm')).toBeNull();
    } finally {
      delete process.env.GIT_COMMITTER_DATE;
    }
    expect(await commitOnBase(wt2, base2, ['train.py'], 'm')).not.toBeNull();
  });

  it('leaves a SHA-256 repository to git', async () => {
    const repo = tempDir();
    git(repo, 'init', '-q', '--object-format=sha256', '-b', 'main');
    writeFileSync(path.join(repo, 'train.py'), 'LR = 1\n');
    git(repo, 'add', '-A');
    git(repo, '-c', 'user.name=T', '-c', 'user.email=t@e', 'commit', '-q', '-m', 'init');
    writeFileSync(path.join(repo, 'train.py'), 'LR = 2\n');
    expect(await commitOnBase(repo, git(repo, 'rev-parse', 'HEAD'), ['train.py'], 'm')).toBeNull();
  });
});

describe('moveRef', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((f) => f()));

  it('moves many refs through one git process, and a refused one still by git', async () => {
    const { repo, base } = repoWithWorktree({ 'a.txt': 'a\n' });
    git(repo, 'commit', '-q', '--allow-empty', '-m', 'second');
    const second = git(repo, 'rev-parse', 'HEAD');
    for (let i = 0; i < 20; i++) await moveRef(repo, `refs/autoresearch/t/${i}`, i % 2 ? second : base);
    expect(git(repo, 'rev-parse', 'refs/autoresearch/t/7')).toBe(second);
    expect(git(repo, 'rev-parse', 'refs/autoresearch/t/8')).toBe(base);
    const writers = () => execFileSync('pgrep', ['-f', '-c', 'update-ref --stdin'], { encoding: 'utf8' }).trim();
    expect(Number(writers())).toBeGreaterThanOrEqual(1);
    // Held by another git for a moment: the long-lived process gives up on it, the plain update-ref waits it out.
    const lock = path.join(repo, '.git', 'refs', 'autoresearch', 't', '3.lock');
    writeFileSync(lock, '');
    setTimeout(() => unlinkSync(lock), 150);
    await moveRef(repo, 'refs/autoresearch/t/3', base);
    expect(git(repo, 'rev-parse', 'refs/autoresearch/t/3')).toBe(base);
    // Held for good by another git: refused, and that lock is not this process's to remove.
    const held = path.join(repo, '.git', 'refs', 'autoresearch', 't', '6.lock');
    writeFileSync(held, '');
    await expect(moveRef(repo, 'refs/autoresearch/t/6', second)).rejects.toThrow(/update-ref/);
    expect(existsSync(held)).toBe(true);
    unlinkSync(held);
    // No such commit: git's own error, and the next ref moves again.
    await expect(moveRef(repo, 'refs/autoresearch/t/4', 'f'.repeat(40))).rejects.toThrow(/update-ref/);
    await moveRef(repo, 'refs/autoresearch/t/4', second);
    expect(git(repo, 'rev-parse', 'refs/autoresearch/t/4')).toBe(second);
  });

  it('never keeps a finished app alive', async () => {
    const repo = makeRepo({ 'a.txt': 'a\n' });
    const dir = tempDir();
    const entry = path.join(dir, 'app.ts');
    writeFileSync(
      entry,
      `import { moveRef } from ${JSON.stringify(path.join(REPO_ROOT, 'src/core/git/ref-writer.ts'))};
await moveRef(process.argv[2]!, 'refs/autoresearch/t/1', process.argv[3]!);
process.stdout.write('moved\\n');
`,
    );
    const outfile = path.join(dir, 'app.mjs');
    await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
    const head = git(repo, 'rev-parse', 'HEAD');
    const child = spawn(process.execPath, [outfile, repo, head], { stdio: ['ignore', 'pipe', 'inherit'] });
    cleanups.push(() => child.kill('SIGKILL'));
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    // It exits on its own (the writer's idle time is two minutes; the app does not wait for it).
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(out).toBe('moved\n');
    expect(code).toBe(0);
    expect(git(repo, 'rev-parse', 'refs/autoresearch/t/1')).toBe(head);
  }, 60_000);
});
