// Test projects: real git repositories in temp dirs, with a config written through the real schema.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ProjectConfigSchema, type ProjectConfig, type ProjectConfigInput } from '../../src/shared/config.js';
import { trustForTest } from './trust.js';

export const REPO_ROOT = path.resolve(__dirname, '..', '..');
export const TRAINERS = path.join(REPO_ROOT, 'test', 'fixtures', 'trainers');

export function git(dir: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

const made: string[] = [];

/**
 * Where tests make their projects and scratch folders: not /tmp, because the suite runs trainers sandboxed as a
 * user's run would, and the sandbox gives a trainer a private /tmp. Outside /tmp a trainer can still read what
 * its test writes for it (a release file, say); for writing back it has its worktree and linked inputs.
 */
export const TEST_TMP = existsSync('/var/tmp') ? '/var/tmp' : tmpdir();

export function tempDir(prefix = 'ar-test-'): string {
  const dir = mkdtempSync(path.join(TEST_TMP, prefix));
  made.push(dir);
  return dir;
}

export function cleanupTempDirs(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** A git repository with `files` committed (identity set locally, so CI needs no global config). */
export function makeRepo(files: Record<string, string>, opts: { commit?: boolean } = {}): string {
  const dir = tempDir();
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), content);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'Test');
  git(dir, 'config', 'user.email', 'test@example.com');
  if (opts.commit !== false) {
    git(dir, 'add', '-A');
    git(dir, 'commit', '-q', '-m', 'init');
  }
  return dir;
}

export function writeConfig(dir: string, input: ProjectConfigInput): ProjectConfig {
  const config = ProjectConfigSchema.parse(input);
  mkdirSync(path.join(dir, '.autoresearch'), { recursive: true });
  writeFileSync(path.join(dir, '.autoresearch', 'config.json'), JSON.stringify(config, null, 2));
  // The test wrote these commands, as a user running `autoresearch init` would: trusted (test/helpers/trust.ts).
  trustForTest(dir);
  return config;
}

/**
 * A tiny "trainer" in Node: reads its hyperparameters from the top of train.mjs, prints an autoresearch
 * summary whose val_bpb is a known function of them, so tests know which change should be kept.
 */
export const SCORED_TRAINER = `// train.mjs: the metric is a known function of the constants below (lower is better; best at LR = 0.08).
const LEARNING_RATE = 0.01;
const HIDDEN = 32;
const MODE = 0;
const lr = LEARNING_RATE;
const loss = 1 + Math.abs(Math.log2(lr / 0.08)) * 0.1 + Math.abs(HIDDEN - 40) * 0.001;
if (MODE === 1) { console.error('Traceback: boom'); process.exit(1); }
if (MODE === 2) { setInterval(() => {}, 1000); }
process.stdout.write('step 1 | loss: 9.9\\r');
console.log('---');
console.log('val_bpb:          ' + loss.toFixed(6));
console.log('peak_vram_mb:     2048.0');
`;

/**
 * A folder a test trainer may write between runs (a counter, a noise sequence it consumes), given to it as a
 * user's run would give one: a linked input (`files.linked`), kept out of git, writable inside the sandbox
 * where the config says `sandbox.readOnlyInputs: false` (scoredProject's `state` does).
 * Call before the config is written, and list `name` in `files.linked`.
 */
export function trainerStateDir(dir: string, name = 'state'): string {
  const state = path.join(dir, name);
  mkdirSync(state, { recursive: true });
  appendFileSync(path.join(dir, '.git', 'info', 'exclude'), `/${name}/\n`);
  return state;
}

/**
 * The scored project. `opts.state`: a writable state folder for the trainer (see trainerStateDir), linked as
 * `state`; its path is returned as `state`.
 */
export function scoredProject(extra: Partial<ProjectConfigInput> = {}, files: Record<string, string> = {}, opts: { state?: boolean } = {}): { dir: string; config: ProjectConfig; state: string } {
  const dir = makeRepo({
    'train.mjs': SCORED_TRAINER,
    'prepare.mjs': '// evaluator: protected\nexport const EVAL = 1;\n',
    'program.md': '# program\nImprove val_bpb.\n',
    ...files,
  });
  const config = writeConfig(dir, {
    run: { command: `"${process.execPath}" train.mjs` },
    files: { editable: ['train.mjs'], protected: ['prepare.mjs'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 5, timeoutSeconds: 20, graceSeconds: 1 },
    ...extra,
    // Linked inputs are read-only by default; the trainer's own state folder is one it must write.
    ...(opts.state ? { files: { ...(extra.files ?? { editable: ['train.mjs'], protected: ['prepare.mjs'] }), linked: [...(extra.files?.linked ?? []), 'state'] }, sandbox: { ...extra.sandbox, readOnlyInputs: false } } : {}),
  } as ProjectConfigInput);
  const state = opts.state ? trainerStateDir(dir) : '';
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'config');
  return { dir, config, state };
}
