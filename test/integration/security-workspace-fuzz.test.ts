// 1,000 seeded hostile edit sequences against the restricted workspace and the diff guard, on a real git
// worktree, run the way the loop runs them: the proposer's operations (traversal, absolute paths, protected
// names in other cases, hidden folders, NUL, unicode look-alikes, huge and binary content), mixed with what a
// previous trainer could have planted on disk (symbolic links and hard links to files outside, files under
// protected names, ignored files); then the guard; a commit and a clean when it passes, a reset when not.
// After every sequence: not one byte outside the editable files has changed, in the project, in its .git
// hooks and config, or outside the project; no secret was read; every commit changes editable files only.
import { createHash } from 'node:crypto';
import { linkSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
            const plant = pick(['symlink-file', 'symlink-dir', 'hardlink', 'protected-case', 'ignored', 'symlink-context'] as const);
            log.push(`plant ${plant}`);
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

      const outsideNow = snapshot(outside);
      const outsideDiff = diffMaps(outsideBefore, outsideNow);
      if (outsideDiff.length) violations.push(`case ${c}: outside the project changed: ${outsideDiff.join(', ')} (${log.join('; ')})`);
      const projectDiff = diffMaps(projectBefore, snapshot(project, projectSkip));
      if (projectDiff.length) violations.push(`case ${c}: the user's checkout or .git changed: ${projectDiff.join(', ')} (${log.join('; ')})`);
      if (violations.length > 20) break;
    }

    expect(violations).toEqual([]);
    // The fuzz exercised both sides: plenty of refusals, and real commits that passed the guard.
    expect(refusedOps).toBeGreaterThan(CASES);
    expect(commits).toBeGreaterThan(100);
    expect(rejected).toBeGreaterThan(100);
    console.log(`fuzz: ${CASES} sequences, ${commits} committed, ${rejected} rejected, ${refusedOps} operations refused, 0 writes outside the editable files`);
  }, 900_000);
});
