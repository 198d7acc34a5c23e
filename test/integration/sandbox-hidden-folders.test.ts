// The sandbox hides folders of the home directory that hold secrets, and the app's own folders are among them
// (~/.autoresearch-studio, where `npm start` puts the demo; ~/.config/Autoresearch Studio, the desktop's userData,
// where "Try the demo" copies it). A project that lives inside any hidden folder must still run: the sandbox
// empties the folder and binds the project back over it. Each hidden folder gets a project and a real baseline,
// run by the real CLI with the sandbox as shipped (on wherever bubblewrap works).
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findBwrap, HOME_SECRETS } from '../../src/core/exec/sandbox.js';
import { runPaths } from '../../src/core/project/paths.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { git, REPO_ROOT, SCORED_TRAINER, writeConfig } from '../helpers/project.js';
import { trustForTest } from '../helpers/trust.js';

const bwrap = await findBwrap();
if (!bwrap && process.env.CI === 'true') throw new Error('bubblewrap (bwrap) is missing or cannot create namespaces; .ci/run installs it.');
const describeSandbox = bwrap ? describe : describe.skip;

// Not under /tmp: the sandbox's private /tmp would hide the project for another reason than the one tested here.
let home = '';
beforeAll(() => {
  if (bwrap) buildCli();
  home = mkdtempSync(path.join(existsSync('/var/tmp') ? '/var/tmp' : REPO_ROOT, 'ar-hidden-home-'));
});
afterAll(() => rmSync(home, { recursive: true, force: true }));

// Hidden entries that are folders can hold a project; the others (.netrc, .npmrc, ...) are single files.
const FOLDERS = HOME_SECRETS.filter((s) => !/^\.(netrc|git-credentials|npmrc|pypirc|claude\.json)$/.test(s));

function projectIn(folder: string, name = 'project'): string {
  const dir = path.join(home, folder, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'train.mjs'), SCORED_TRAINER);
  writeFileSync(path.join(dir, 'prepare.mjs'), '// evaluator: protected\nexport const EVAL = 1;\n');
  writeFileSync(path.join(dir, 'program.md'), '# program\nImprove val_bpb.\n');
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  writeConfig(dir, {
    run: { command: `"${process.execPath}" train.mjs` },
    files: { editable: ['train.mjs'], protected: ['prepare.mjs'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 5, timeoutSeconds: 30, graceSeconds: 1 },
    // One baseline run: this is about where the project lives, not about noise.
    acceptance: { baselineRuns: 1 },
  });
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'init');
  return dir;
}

describeSandbox('a project inside a folder the sandbox hides', () => {
  it('includes the app folders where the demo is put', () => {
    expect(FOLDERS).toContain('.autoresearch-studio');
    expect(FOLDERS).toContain('.config/Autoresearch Studio');
  });

  it('runs the baseline of a project in each of them, and a secret beside it stays hidden', async () => {
    // All at once (a few at a time): each is a real CLI run, and most of its time is process start-up.
    const results: { folder: string; code: number | null; out: string; log: string; tsv: string }[] = [];
    const queue = [...FOLDERS];
    const worker = async () => {
      for (let folder = queue.shift(); folder !== undefined; folder = queue.shift()) {
        const dir = projectIn(folder);
        writeFileSync(path.join(home, folder, 'secret.txt'), 'SIBLINGSECRET\n');
        // The CLI reads its approvals from the data folder of the HOME it is given.
        trustForTest(dir, path.join(home, '.autoresearch-studio'));
        const run = await runCli(['run', dir, '--tag', 'hidden', '--max-experiments', '1'], { env: { HOME: home }, timeoutMs: 240_000 });
        const p = runPaths(dir, 'hidden');
        const read = (f: string) => (existsSync(f) ? readFileSync(f, 'utf8') : '');
        results.push({ folder, code: run.code, out: run.stdout + run.stderr, log: read(path.join(p.logsDir, '0.log')), tsv: read(p.results) });
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
    expect(results.map((r) => r.folder).sort()).toEqual([...FOLDERS].sort());
    for (const r of results) {
      expect(r.code, `~/${r.folder}: ${r.out}`).toBe(0);
      expect(r.out, r.folder).not.toMatch(/sandbox/i); // sandboxed: no "no sandbox" warning
      expect(r.log, r.folder).toMatch(/^val_bpb:\s+1\.\d+/m);
      expect(r.tsv.trim().split('\n')[1], r.folder).toMatch(/\tkeep\t/);
    }
  }, 600_000);

  it('keeps the rest of such a folder hidden from the trainer', async () => {
    const dir = projectIn('.autoresearch-studio', 'peek');
    writeFileSync(path.join(home, '.autoresearch-studio', 'secret.txt'), 'SIBLINGSECRET\n');
    const peek = `import { existsSync } from 'node:fs';\nconsole.log('sibling ' + (existsSync(${JSON.stringify(path.join(home, '.autoresearch-studio', 'secret.txt'))}) ? 1 : 0));\n`;
    writeFileSync(path.join(dir, 'train.mjs'), peek + SCORED_TRAINER);
    git(dir, 'commit', '-q', '-am', 'peek');
    trustForTest(dir, path.join(home, '.autoresearch-studio'));
    const run = await runCli(['run', dir, '--tag', 'peek', '--max-experiments', '1'], { env: { HOME: home }, timeoutMs: 120_000 });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const log = readFileSync(path.join(runPaths(dir, 'peek').logsDir, '0.log'), 'utf8');
    expect(log).toMatch(/^sibling 0$/m);
  }, 180_000);
});
