// Trust before anything runs, through the real CLI bundle: an untrusted project is refused with one line and
// nothing of it runs (its trainer would leave a marker); `trust --yes` lets it run; a change on disk to a
// command or a git filter in .git/config needs trust again. Each test has its own data folder for the approvals.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import { buildCli, CLI, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, git, makeRepo, TEST_TMP, trainerStateDir } from '../helpers/project.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

// Leaves a mark in its linked state folder each time it runs, then reports a metric.
const MARKING_TRAINER = `import { appendFileSync } from 'node:fs';
appendFileSync('state/ran', 'x\\n');
console.log('val_bpb: 1.0');
`;

const made: string[] = [];
afterEach(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A project whose config was written by someone else (plain files, no `init`): nothing trusts it. */
function foreignProject(): { dir: string; marker: string; env: NodeJS.ProcessEnv } {
  const dir = makeRepo({ 'train.mjs': MARKING_TRAINER, 'program.md': '# program\n' });
  const state = trainerStateDir(dir);
  const config = ProjectConfigSchema.parse({
    run: { command: `"${process.execPath}" train.mjs` },
    files: { editable: ['train.mjs'], linked: ['state'] },
    metric: { name: 'val_bpb', direction: 'min' },
    budget: { seconds: 5, timeoutSeconds: 20, graceSeconds: 1 },
    acceptance: { baselineRuns: 1 },
    // The trainer writes its linked state folder (linked inputs are read-only by default).
    sandbox: { readOnlyInputs: false },
  });
  mkdirSync(path.join(dir, '.autoresearch'), { recursive: true });
  writeFileSync(path.join(dir, '.autoresearch', 'config.json'), JSON.stringify(config, null, 2));
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'config');
  const data = mkdtempSync(path.join(TEST_TMP, 'ar-trust-data-'));
  made.push(data);
  return { dir, marker: path.join(state, 'ran'), env: { AUTORESEARCH_DATA_DIR: data } };
}

const run = (dir: string, env: NodeJS.ProcessEnv) => runCli(['run', dir, '--max-experiments', '1', '--tag', `t${Date.now()}`], { env });

/** `autoresearch trust DIR` with `answer` typed on its stdin. */
function trustAnswering(dir: string, env: NodeJS.ProcessEnv, answer: string): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'trust', dir], { env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stdout += d));
    child.on('close', (code) => resolve({ code, stdout }));
    child.stdin.end(answer);
  });
}

describe('autoresearch trust', () => {
  it('refuses to run an untrusted project with one line, runs nothing, and runs it after trust --yes', async () => {
    const { dir, marker, env } = foreignProject();
    const refused = await run(dir, env);
    expect(refused.code).toBe(3);
    const lines = refused.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`autoresearch trust ${dir}`);
    expect(existsSync(marker)).toBe(false);
    // Nothing was started either: no run folder, no branch.
    expect(existsSync(path.join(dir, '.autoresearch', 'runs'))).toBe(false);

    const shown = await runCli(['trust', dir, '--show'], { env });
    expect(shown.code).toBe(0);
    expect(shown.stdout).toContain('not trusted yet');
    expect(shown.stdout).toContain('run.command');
    expect(shown.stdout).toContain('train.mjs');

    const trusted = await runCli(['trust', dir, '--yes'], { env });
    expect(trusted.code).toBe(0);
    const ran = await run(dir, env);
    expect(ran.code, ran.stderr).toBe(0);
    expect(readFileSync(marker, 'utf8').length).toBeGreaterThan(0);
  });

  it('asks on stdin: anything but y leaves it untrusted, y trusts it', async () => {
    const { dir, marker, env } = foreignProject();
    const no = await trustAnswering(dir, env, 'n\n');
    expect(no.stdout).toContain('Trust these commands? [y/N]');
    expect(no.code).toBe(1);
    expect((await run(dir, env)).code).toBe(3);
    // No answer at all (stdin closed) is a no too.
    expect((await trustAnswering(dir, env, '')).code).toBe(1);
    const yes = await trustAnswering(dir, env, 'y\n');
    expect(yes.code).toBe(0);
    expect((await run(dir, env)).code).toBe(0);
    expect(existsSync(marker)).toBe(true);
  });

  it('a run.command edited on disk, and a git filter added to .git/config, each need trust again', async () => {
    const { dir, marker, env } = foreignProject();
    expect((await runCli(['trust', dir, '--yes'], { env })).code).toBe(0);

    const file = path.join(dir, '.autoresearch', 'config.json');
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as { run: { command: string } };
    cfg.run.command = `${cfg.run.command} --changed`;
    writeFileSync(file, JSON.stringify(cfg, null, 2));
    git(dir, 'commit', '-qam', 'someone changed the command');
    const changed = await run(dir, env);
    expect(changed.code).toBe(3);
    expect(changed.stderr).toMatch(/changed since you trusted them/);
    const shown = await runCli(['trust', dir, '--show'], { env });
    // The changed item is marked, the unchanged ones are not.
    expect(shown.stdout).toMatch(/^\* run\.command/m);
    expect(shown.stdout).toMatch(/^ {2}agent\.proposer/m);
    expect(existsSync(marker)).toBe(false);

    expect((await runCli(['trust', dir, '--yes'], { env })).code).toBe(0);
    git(dir, 'config', 'filter.evil.clean', 'touch /tmp/evil-filter-ran');
    const filtered = await run(dir, env);
    expect(filtered.code).toBe(3);
    const listed = await runCli(['trust', dir, '--show'], { env });
    expect(listed.stdout).toContain('filter.evil.clean');
    expect(listed.stdout).toContain('switched off by the app');
    expect(existsSync(marker)).toBe(false);

    // Revoking after a trust: refused again.
    expect((await runCli(['trust', dir, '--yes'], { env })).code).toBe(0);
    expect((await runCli(['trust', dir, '--revoke'], { env })).stdout).toContain('No longer trusted');
    expect((await run(dir, env)).code).toBe(3);
  });

  it('init trusts the config it writes; audit refuses an untrusted project', async () => {
    const dir = makeRepo({ 'train.mjs': MARKING_TRAINER });
    const data = mkdtempSync(path.join(TEST_TMP, 'ar-trust-data-'));
    made.push(data);
    const env = { AUTORESEARCH_DATA_DIR: data };
    const init = await runCli(['init', dir, '--run', 'node train.mjs', '--metric', 'val_bpb', '--goal', 'min', '--editable', 'train.mjs'], { env });
    expect(init.code, init.stderr).toBe(0);
    const shown = await runCli(['trust', dir, '--show'], { env });
    expect(shown.stdout).toMatch(/: trusted/);

    const { dir: foreign, env: otherEnv } = foreignProject();
    const audit = await runCli(['audit', foreign, '--tag', 'nope'], { env: otherEnv });
    expect(audit.code).toBe(3);
    expect(audit.stderr).toContain('autoresearch trust');
    // The ablation runs the trainer too.
    const ablate = await runCli(['ablate', foreign, '--tag', 'nope'], { env: otherEnv });
    expect(ablate.code).toBe(3);
    expect(ablate.stderr).toContain('autoresearch trust');
  });

  it('a held-out command added on disk needs trust again (it runs in the sandbox like the trainer)', async () => {
    const { dir, marker, env } = foreignProject();
    expect((await runCli(['trust', dir, '--yes'], { env })).code).toBe(0);
    const file = path.join(dir, '.autoresearch', 'config.json');
    const cfg = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    cfg.heldout = { command: 'node eval.mjs', metric: { name: 'test_loss', direction: 'min' } };
    writeFileSync(file, JSON.stringify(cfg, null, 2));
    const changed = await run(dir, env);
    expect(changed.code).toBe(3);
    const shown = await runCli(['trust', dir, '--show'], { env });
    expect(shown.stdout).toMatch(/^\* heldout\.command/m);
    expect(existsSync(marker)).toBe(false);
  });
});
