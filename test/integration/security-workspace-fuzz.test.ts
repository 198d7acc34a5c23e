// 1,000 seeded hostile edit sequences against the restricted workspace and the diff guard, on a real git
// worktree, run the way the loop runs them: the proposer's operations (traversal, absolute paths, protected
// names in other cases, hidden folders, NUL, unicode look-alikes, huge and binary content), mixed with what a
// previous trainer could have planted on disk (symbolic links and hard links to files outside, into the linked
// inputs and into a cache; files under protected names, ignored files; a nested repository made with git init,
// its config naming a filter, a diff driver, fsmonitor and hooks, with a .gitattributes that selects them; a
// .git file pointing at the project's repository; a .gitattributes at the top selecting the filter, diff and
// merge drivers, signing and hooks that the repository's own .git/config and hooks name); then the guard; a
// commit and a clean when it passes, a reset when not. Every program those configs name would append to a
// marker file outside. After every sequence: not one byte outside the editable files has changed, in the
// project, in its .git hooks and config, in the linked inputs, in the cache or outside the project; no marker
// was written (no program ran); no secret was read; every commit changes editable files only.
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardDiff } from '../../src/core/agent/diff-guard.js';
import { createWorkspace, type Workspace } from '../../src/core/agent/workspace.js';
import { commitPaths } from '../../src/core/git/commit.js';
import { raw } from '../../src/core/git/git.js';
import { cleanWorktree, resetTo } from '../../src/core/git/reset-to.js';
import { addWorktree } from '../../src/core/git/worktree.js';
import { linkInputs } from '../../src/core/exec/worktrees.js';
import { protectedHashesAt } from '../../src/core/loop/protected-files.js';
import type { ProjectConfig } from '../../src/shared/config.js';
import { fixtureConfig, seededRandom } from '../fixtures/make-run.js';
import { git } from '../helpers/project.js';

const CASES = 1000;
const SECRET = 'OUTSIDE-SECRET-7f3e';

let base: string;
let project: string;
let outside: string;
let wt: string;
let start: string;
let config: ProjectConfig;
let ws: Workspace;
let protectedHashes: Map<string, string>;
let prepareBlob: string;
let marker: string;
let evil: string;
let cache: string;

/** Every `.git` below the worktree's top (links not followed): repositories a trainer made that are still there. */
function nestedGits(dir: string, rel = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(dir, rel))) {
    const r = rel ? `${rel}/${name}` : name;
    if (name.toLowerCase() === '.git' && rel) out.push(r);
    else if (name !== '.git' && lstatSync(path.join(dir, r)).isDirectory()) out.push(...nestedGits(dir, r));
  }
  return out;
}

/** A command line for git config: the hostile program, told which door it came through. */
const evilCommand = (door: string) => `sh ${evil} ${door}`;

/** What a trainer's `git init` in its worktree leaves: a repository whose config runs the hostile program. */
function plantNestedRepo(dir: string, tag: number): void {
  mkdirSync(dir, { recursive: true });
  git(dir, 'init', '-q');
  const cfg = path.join(dir, '.git', 'config');
  writeFileSync(
    cfg,
    `${readFileSync(cfg, 'utf8')}[core]\n\tfsmonitor = ${evilCommand('nested-fsmonitor')}\n\tpager = ${evilCommand('nested-pager')}\n` +
      `[filter "nested"]\n\tclean = ${evilCommand('nested-clean')}\n\tsmudge = ${evilCommand('nested-smudge')}\n\trequired = true\n` +
      `[diff "nested"]\n\ttextconv = ${evilCommand('nested-textconv')}\n\tcommand = ${evilCommand('nested-diff')}\n`,
  );
  for (const hook of ['pre-commit', 'post-checkout', 'post-commit', 'reference-transaction']) {
    writeFileSync(path.join(dir, '.git', 'hooks', hook), `#!/bin/sh\n${evilCommand(`nested-${hook}`)}\n`);
    chmodSync(path.join(dir, '.git', 'hooks', hook), 0o755);
  }
  writeFileSync(path.join(dir, '.gitattributes'), '* filter=nested diff=nested\n');
  writeFileSync(path.join(dir, 'touched.py'), `x = ${tag}\n`);
}

/** Every entry under `dir` (links not followed): path → type and content hash or link target. */
function snapshot(dir: string, skip: (rel: string) => boolean = () => false): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (rel: string) => {
    const abs = rel ? path.join(dir, rel) : dir;
    for (const name of readdirSync(abs)) {
      const r = rel ? `${rel}/${name}` : name;
      if (skip(r)) continue;
      const info = lstatSync(path.join(dir, r));
      if (info.isSymbolicLink()) out.set(r, `link:${readlinkSync(path.join(dir, r))}`);
      else if (info.isDirectory()) {
        out.set(r, 'dir');
        walk(r);
      } else out.set(r, `file:${info.mode}:${createHash('sha256').update(readFileSync(path.join(dir, r))).digest('hex')}`);
    }
  };
  walk('');
  return out;
}

const diffMaps = (a: Map<string, string>, b: Map<string, string>) =>
  [...new Set([...a.keys(), ...b.keys()])].filter((k) => a.get(k) !== b.get(k)).sort();

// The user's checkout and the repository's executable config: everything but the object store and the app's folder.
const projectSkip = (rel: string) =>
  rel === '.autoresearch' || rel.startsWith('.autoresearch/') || (rel.startsWith('.git/') && !/^\.git\/(hooks|config$|info)/.test(rel)) || rel === '.git';

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), 'ar-fuzz-'));
  project = path.join(base, 'project');
  outside = path.join(base, 'outside');
  mkdirSync(path.join(outside, 'dir'), { recursive: true });
  writeFileSync(path.join(outside, 'secret.txt'), `${SECRET}\n`);
  writeFileSync(path.join(outside, 'dir', 'id_ed25519'), `${SECRET} key\n`);
  // The hostile program every planted config names: it records that it ran, then passes its input through
  // (a filter that ran and changed nothing would otherwise go unnoticed).
  marker = path.join(outside, 'MARKER');
  evil = path.join(outside, 'evil.sh');
  writeFileSync(evil, `echo "$1" >> ${marker}\ncat\nexit 0\n`);
  // A cache the trainer may write (~/.cache/uv): uv hard-links from here into a .venv.
  cache = path.join(outside, 'cache', 'uv');
  mkdirSync(cache, { recursive: true });
  writeFileSync(path.join(cache, 'site.py'), 'import sys\n');
  mkdirSync(path.join(project, 'model'), { recursive: true });
  mkdirSync(path.join(project, 'data'), { recursive: true });
  writeFileSync(path.join(project, 'train.py'), 'LR = 0.01\nprint("val_bpb: 1.0")\n');
  writeFileSync(path.join(project, 'model', 'net.py'), 'DEPTH = 8\n');
  writeFileSync(path.join(project, 'prepare.py'), 'def evaluate():\n    return 1.0\n');
  writeFileSync(path.join(project, 'notes.md'), 'context for the agent\n');
  writeFileSync(path.join(project, '.gitignore'), 'data/\n*.pth\n__pycache__/\n.autoresearch/\n');
  writeFileSync(path.join(project, 'data', 'shard.bin'), 'tokens');
  git(project, 'init', '-q', '-b', 'main');
  git(project, 'config', 'user.name', 'Fuzz');
  git(project, 'config', 'user.email', 'fuzz@example.com');
  git(project, 'add', '-A');
  git(project, 'commit', '-q', '-m', 'start');
  start = git(project, 'rev-parse', 'HEAD').trim();
  // The project's own repository names programs too (a folder from a tarball): drivers a planted top-level
  // .gitattributes selects, signing, a pager, an editor, fsmonitor and hooks. The harness's git runs none.
  const doors = ['clean', 'smudge', 'textconv', 'diff', 'merge', 'gpg', 'pager', 'editor', 'fsmonitor', 'askpass', 'credential', 'sshcommand'];
  const [clean, smudge, textconv, diff, merge, gpg, pager, editor, fsmonitor, askpass, credential, ssh] = doors.map((d) => evilCommand(`top-${d}`));
  writeFileSync(
    path.join(project, '.git', 'config'),
    `${readFileSync(path.join(project, '.git', 'config'), 'utf8')}` +
      `[filter "evil"]\n\tclean = ${clean}\n\tsmudge = ${smudge}\n\trequired = true\n[diff "evil"]\n\ttextconv = ${textconv}\n\tcommand = ${diff}\n` +
      `[merge "evil"]\n\tdriver = ${merge}\n[commit]\n\tgpgSign = true\n[gpg]\n\tprogram = ${gpg}\n` +
      `[core]\n\tpager = ${pager}\n\teditor = ${editor}\n\tfsmonitor = ${fsmonitor}\n\taskPass = ${askpass}\n\tsshCommand = ${ssh}\n[credential]\n\thelper = ${credential}\n`,
  );
  for (const hook of ['pre-commit', 'post-commit', 'post-checkout', 'prepare-commit-msg', 'commit-msg', 'reference-transaction', 'post-index-change']) {
    writeFileSync(path.join(project, '.git', 'hooks', hook), `#!/bin/sh\n${evilCommand(`top-hook-${hook}`)}\n`);
    chmodSync(path.join(project, '.git', 'hooks', hook), 0o755);
  }
  prepareBlob = git(project, 'rev-parse', `${start}:prepare.py`).trim();
  config = fixtureConfig({ files: { editable: ['train.py', 'model/*.py'], protected: ['prepare.py'], context: ['notes.md'], linked: ['data'] } });
  wt = path.join(project, '.autoresearch', 'worktrees', 'slot-0');
  mkdirSync(path.dirname(wt), { recursive: true });
  await addWorktree(project, wt, start);
  await linkInputs(project, wt, ['data']);
  protectedHashes = await protectedHashesAt(project, start, config.files.protected);
  ws = createWorkspace(wt, project, { editable: config.files.editable, context: config.files.context, protected: config.files.protected });
}, 60_000);

afterAll(() => rmSync(base, { recursive: true, force: true }));

describe('workspace and diff guard under 1,000 seeded hostile edit sequences', () => {
  it('let no write out of the editable files and no secret in', async () => {
    const rel = (p: string) => path.relative(wt, p);
    const HOSTILE_PATHS = [
      'train.py', 'model/net.py', 'model/new.py', './train.py', 'model//net.py', 'train.py/', 'model', '', ' ',
      rel(path.join(outside, 'secret.txt')), '../../../../outside/secret.txt', '../train.py', 'model/../prepare.py', 'model/../../prepare.py',
      path.join(outside, 'secret.txt'), path.join(outside, 'dir', 'new.py'), path.join(project, 'prepare.py'), path.join(project, 'train.py'),
      path.join(wt, 'train.py'), path.join(project, '.autoresearch', 'worktrees', 'slot-1', 'train.py'), '/etc/passwd', '~/.bashrc', '/tmp/x.py',
      'prepare.py', 'PREPARE.PY', 'Prepare.py', 'prepare.PY', 'notes.md', 'NOTES.MD',
      '.git', '.git/config', '.GIT/config', '.Git/hooks/post-checkout.py', '.git/hooks/post-checkout', '.autoresearch/config.json', '.AUTORESEARCH/x.py',
      'data/shard.bin', 'data/new.py', '__pycache__/train.cpython-311.pyc', 'evil.pth', 'model/evil.pth',
      'tr\u0430in.py', 'ｔｒａｉｎ.py', 'train.py\u200b', 'train\u2024py', 'train.py\0.txt', 'train.py\0', '\\..\\outside\\secret.txt', 'model\\..\\..\\prepare.py',
      `model/${'a'.repeat(300)}.py`, 'model/sub/deep.py', 'link/secret.txt',
    ];
    const isEditable = picomatch([...config.files.editable], { dot: true });

    const violations: string[] = [];
    let commits = 0;
    let refusedOps = 0;
    let rejected = 0;
    const planted = new Map<string, number>();
    // Sequences after which a nested repository was still in the worktree (git clean -ffdx keeps a .git inside
    // a tracked folder): the harness's git must not open it, which the marker checks; counted to be seen.
    let nestedSurvived = 0;
    let head = start;
    const outsideBefore = snapshot(outside);
    const projectBefore = snapshot(project, projectSkip);

    for (let c = 0; c < CASES; c++) {
      const rand = seededRandom(10_000 + c);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
      const content = (): string => {
        const r = rand();
        if (r < 0.02) return 'x = 1\n'.repeat(600_000); // 3.6 MB
        if (r < 0.12) return Buffer.from(Array.from({ length: 256 }, () => Math.floor(rand() * 256))).toString('latin1');
        if (r < 0.2) return `LR = 0.0${c}\n\0\0binary\n`;
        return `LR = ${rand().toFixed(4)}\nprint("val_bpb: 1.0")\n`;
      };
      const log: string[] = [];
      const steps = 1 + Math.floor(rand() * 5);
      for (let s = 0; s < steps; s++) {
        const op = rand();
        const p = pick(HOSTILE_PATHS);
        try {
          if (op < 0.45) {
            log.push(`write ${JSON.stringify(p)}`);
            await ws.writeFile(p, content());
          } else if (op < 0.55) {
            log.push(`remove ${JSON.stringify(p)}`);
            await ws.removeFile(p);
          } else if (op < 0.7) {
            log.push(`read ${JSON.stringify(p)}`);
            const text = await ws.readFile(p);
            if (text.includes(SECRET)) violations.push(`case ${c}: read a secret through ${JSON.stringify(p)} (${log.join('; ')})`);
          } else {
            // What a trainer of an earlier experiment could have left on disk (it runs between proposals).
            const plant = pick([
              'symlink-file', 'symlink-dir', 'hardlink', 'protected-case', 'ignored', 'symlink-context',
              'nested-git', 'nested-git-editable', 'git-file', 'top-attributes', 'symlink-input', 'hardlink-input',
              'symlink-cache', 'hardlink-cache', 'symlink-dir-cache', 'relink-input',
            ] as const);
            log.push(`plant ${plant}`);
            planted.set(plant, (planted.get(plant) ?? 0) + 1);
            const at = (r: string) => path.join(wt, r);
            if (plant === 'symlink-file') {
              rmSync(at('train.py'), { force: true });
              symlinkSync(path.join(outside, 'secret.txt'), at('train.py'));
            } else if (plant === 'symlink-dir') {
              rmSync(at('model'), { recursive: true, force: true });
              symlinkSync(path.join(outside, 'dir'), at('model'));
            } else if (plant === 'hardlink') {
              rmSync(at('model/net.py'), { force: true });
              mkdirSync(at('model'), { recursive: true });
              if (!lstatSync(at('model')).isSymbolicLink()) linkSync(path.join(outside, 'secret.txt'), at('model/net.py'));
            } else if (plant === 'protected-case') {
              writeFileSync(at('PREPARE.PY'), 'def evaluate():\n    return 0.0\n');
            } else if (plant === 'ignored') {
              writeFileSync(at('evil.pth'), 'import os\n');
            } else if (plant === 'nested-git') {
              plantNestedRepo(at(pick(['pkg', 'pkg/deeper', '__pycache__'])), c);
            } else if (plant === 'nested-git-editable') {
              // Inside the editable folder, where the guard must still look and commit.
              if (!lstatSync(at('model'), { throwIfNoEntry: false })?.isSymbolicLink()) plantNestedRepo(at('model'), c);
            } else if (plant === 'git-file') {
              // A .git file sends git to the user's own repository (or a repository made next to it).
              mkdirSync(at('pkg'), { recursive: true });
              writeFileSync(at('pkg/.git'), `gitdir: ${path.join(project, '.git')}\n`);
              writeFileSync(at('pkg/x.py'), 'x = 1\n');
            } else if (plant === 'top-attributes') {
              writeFileSync(at('.gitattributes'), '* filter=evil diff=evil merge=evil\n*.py filter=evil diff=evil\n');
            } else if (plant === 'symlink-input' || plant === 'symlink-cache') {
              rmSync(at('train.py'), { recursive: true, force: true });
              symlinkSync(plant === 'symlink-input' ? path.join(project, 'data', 'shard.bin') : path.join(cache, 'site.py'), at('train.py'));
            } else if (plant === 'hardlink-input' || plant === 'hardlink-cache') {
              if (!lstatSync(at('model'), { throwIfNoEntry: false })?.isSymbolicLink()) {
                mkdirSync(at('model'), { recursive: true });
                rmSync(at('model/net.py'), { force: true });
                linkSync(plant === 'hardlink-input' ? path.join(project, 'data', 'shard.bin') : path.join(cache, 'site.py'), at('model/net.py'));
              }
            } else if (plant === 'symlink-dir-cache') {
              rmSync(at('model'), { recursive: true, force: true });
              symlinkSync(cache, at('model'));
            } else if (plant === 'relink-input') {
              // The linked input, which the harness's clean keeps, now leads into the cache.
              rmSync(at('data'), { recursive: true, force: true });
              symlinkSync(path.dirname(cache), at('data'));
            } else {
              rmSync(at('notes.md'), { force: true });
              symlinkSync(path.join(outside, 'dir', 'id_ed25519'), at('notes.md'));
            }
          }
        } catch (err) {
          refusedOps += 1;
          if (!(err instanceof Error)) throw err;
        }
      }

      // The next sequence starts from what this one leaves: the new commit (cleaned), or the parent (reset).
      const parent = head;
      const check = await guardDiff({ worktree: wt, config, protectedHashes });
      if (check.ok) {
        const commit = await commitPaths(wt, check.changedFiles, `fuzz ${c}`);
        await cleanWorktree(wt, config.files.linked);
        commits += 1;
        head = commit;
        const changed = (await raw(wt, ['diff', '--raw', '--no-renames', '-z', parent, commit])).split('\0').filter(Boolean);
        for (let i = 0; i < changed.length; i += 2) {
          const [meta, file] = [changed[i]!, changed[i + 1]!];
          const newMode = meta.split(' ')[1];
          if (!isEditable(file)) violations.push(`case ${c}: committed ${file}, which is not editable (${log.join('; ')})`);
          if (newMode === '120000' || newMode === '160000') violations.push(`case ${c}: committed ${file} as a link (${log.join('; ')})`);
        }
        if ((await raw(wt, ['rev-parse', `${commit}:prepare.py`])).trim() !== prepareBlob) violations.push(`case ${c}: the protected file changed`);
        const show = await raw(wt, ['show', '--format=', '-p', commit]);
        if (show.includes(SECRET)) violations.push(`case ${c}: a secret was committed (${log.join('; ')})`);
      } else {
        rejected += 1;
        await resetTo(wt, parent, config.files.linked);
      }

      if (nestedGits(wt).length) nestedSurvived += 1;
      const outsideNow = snapshot(outside);
      const outsideDiff = diffMaps(outsideBefore, outsideNow);
      if (outsideDiff.length) violations.push(`case ${c}: outside the project changed: ${outsideDiff.join(', ')} (${log.join('; ')})`);
      const projectDiff = diffMaps(projectBefore, snapshot(project, projectSkip));
      if (projectDiff.length) violations.push(`case ${c}: the user's checkout or .git changed: ${projectDiff.join(', ')} (${log.join('; ')})`);
      if (existsSync(marker)) {
        violations.push(`case ${c}: a program the repository names ran: ${readFileSync(marker, 'utf8').trim().split('\n').join(', ')} (${log.join('; ')})`);
        rmSync(marker);
      }
      if (violations.length > 20) break;
    }

    expect(violations).toEqual([]);
    // The fuzz exercised both sides: plenty of refusals, and real commits that passed the guard.
    expect(refusedOps).toBeGreaterThan(CASES);
    expect(commits).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
    // Each planted state came up often enough to meet the guard, the commit, the clean and the reset.
    for (const kind of ['nested-git', 'nested-git-editable', 'git-file', 'top-attributes', 'symlink-input', 'hardlink-input', 'symlink-cache', 'hardlink-cache', 'symlink-dir-cache', 'relink-input']) {
      expect(planted.get(kind) ?? 0, kind).toBeGreaterThan(10);
    }
    console.log(`fuzz: ${CASES} sequences, ${commits} committed, ${rejected} rejected, ${refusedOps} operations refused, 0 writes outside the editable files, 0 programs run; a nested .git survived the clean after ${nestedSurvived}; planted ${[...planted].map(([k, n]) => `${k} ${n}`).join(', ')}`);
    // About 3 CPU minutes (git processes included); 15 wall minutes were measured on 2 cores at a load average of
    // 25 to 31, so the limit leaves room for a shared machine.
  }, 1_800_000);
});
