// Mistakes a new user makes get one line that says what to do, never a stack trace, and leave nothing
// behind: read-only folders and journals, tags git refuses, misspelt config keys, an editable glob that
// matches nothing, and what `status` says about a run whose process was killed.
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readRunRecord } from '../../src/core/journal/read.js';
import { projectPaths, runPaths } from '../../src/core/project/paths.js';
import { buildCli, CLI, runCli, spawnCli, type CliResult } from '../helpers/cli.js';
import { killHard, waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, makeRepo, scoredProject } from '../helpers/project.js';

beforeAll(buildCli);
afterEach(cleanupTempDirs);

/**
 * Runs the CLI as a user whom file modes bind. Tests often run as root, which ignores them; there the CLI
 * runs without the capabilities that bypass file permissions (setpriv), so a 0555 folder is read-only to it.
 */
function runCliBoundByModes(args: string[]): Promise<CliResult> {
  const asRoot = process.getuid?.() === 0;
  const argv = asRoot ? ['setpriv', '--bounding-set', '-dac_override,-dac_read_search,-fowner', process.execPath, CLI, ...args] : [process.execPath, CLI, ...args];
  return new Promise((resolve) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** One line (plus its newline), no stack frames. */
const expectOneLine = (text: string) => {
  expect(text.trimEnd().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/^\s+at /m);
};

describe('read-only folders and journals', () => {
  it('init in a read-only folder says what to do', async () => {
    const dir = makeRepo({ 'bench.py': 'N = 10\n' });
    chmodSync(dir, 0o555);
    try {
      const r = await runCliBoundByModes(['init', dir, '--run', 'python3 bench.py', '--metric', 'ms', '--goal', 'min', '--editable', 'bench.py']);
      expect(r.code).not.toBe(0);
      expectOneLine(r.stderr);
      expect(r.stderr).toMatch(/cannot create the folder .*\.autoresearch \(permission denied\).*make .* writable/);
      expect(existsSync(path.join(dir, '.autoresearch'))).toBe(false);
    } finally {
      chmodSync(dir, 0o755);
    }
  });

  it('run in a read-only project folder says what to do (run.lock cannot be written)', async () => {
    const { dir } = scoredProject();
    const state = path.join(dir, '.autoresearch');
    chmodSync(state, 0o555);
    try {
      const r = await runCliBoundByModes(['run', dir, '--tag', 'ro', '--max-experiments', '1']);
      expect(r.code).not.toBe(0);
      expectOneLine(r.stderr);
      expect(r.stderr).toMatch(/cannot write .*run\.lock \(permission denied\)/);
      expect(existsSync(runPaths(dir, 'ro').dir)).toBe(false);
    } finally {
      chmodSync(state, 0o755);
    }
  });

  it('resuming with a read-only journal says what to do and changes nothing', async () => {
    const { dir } = scoredProject();
    expect((await runCli(['run', dir, '--tag', 'rj', '--max-experiments', '1'])).code).toBe(0);
    const journal = runPaths(dir, 'rj').journal;
    const before = readFileSync(journal, 'utf8');
    chmodSync(journal, 0o444);
    try {
      const r = await runCliBoundByModes(['run', dir, '--tag', 'rj', '--max-experiments', '2']);
      expect(r.code).not.toBe(0);
      expectOneLine(r.stderr);
      expect(r.stderr).toMatch(/cannot write .*journal\.jsonl \(permission denied\)/);
      expect(readFileSync(journal, 'utf8')).toBe(before);
      expect(existsSync(projectPaths(dir).lockFile)).toBe(false);
    } finally {
      chmodSync(journal, 0o644);
    }
  });
});

describe('tags', () => {
  it.each(['x.lock', 'a..b', 'foo.'])('refuses the tag %s before writing anything', async (tag) => {
    const { dir } = scoredProject();
    const r = await runCli(['run', dir, '--tag', tag]);
    expect(r.code).toBe(2);
    expectOneLine(r.stderr);
    expect(r.stderr).toMatch(/is not a valid tag.*e\.g\. nov24/);
    expect(existsSync(projectPaths(dir).runsDir) ? readdirSync(projectPaths(dir).runsDir) : []).toEqual([]);
    expect(git(dir, 'branch', '--list', 'autoresearch/*')).toBe('');
  });
});

describe('config mistakes are refused before the run', () => {
  it('an unknown key is refused with "did you mean"', async () => {
    const { dir } = scoredProject();
    const file = projectPaths(dir).config;
    const cfg = JSON.parse(readFileSync(file, 'utf8'));
    cfg.run.comand = 'python3 other.py';
    cfg.budget.secs = 1;
    writeFileSync(file, JSON.stringify(cfg));
    git(dir, 'commit', '-qam', 'typo');
    const r = await runCli(['run', dir, '--tag', 'typo']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Unknown setting "run\.comand" — did you mean "run\.command"\?/);
    expect(r.stderr).toMatch(/Unknown setting "budget\.secs" — did you mean "budget\.seconds"\?/);
    expect(existsSync(runPaths(dir, 'typo').dir)).toBe(false);
  });

  it('an editable glob that matches no committed file is refused before the baseline', async () => {
    const { dir } = scoredProject({ files: { editable: ['trian.mjs'], protected: ['prepare.mjs'] } });
    const r = await runCli(['run', dir, '--tag', 'glob']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/editable pattern "trian\.mjs" matches no committed file.*committed files include: .*train\.mjs/);
    expect(existsSync(runPaths(dir, 'glob').dir)).toBe(false);

    // A file that exists but was never committed gets its own advice.
    writeFileSync(path.join(dir, 'trian.mjs'), 'const A = 1;\n');
    const untracked = await runCli(['run', dir, '--tag', 'glob']);
    expect(untracked.stderr).toMatch(/matches only files that are not committed \(trian\.mjs\).*git add trian\.mjs/);
  });
});

describe('small ones', () => {
  it('after kill -9, status says interrupted and how to resume, not "[stopped]" and "1 running"', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': 'setInterval(() => {}, 1000);\n' });
    const child = spawnCli(['run', dir, '--tag', 'dead']);
    expect(await waitUntil(() => existsSync(runPaths(dir, 'dead').journal) && readFileSync(runPaths(dir, 'dead').journal, 'utf8').includes('process-start'), 30_000)).toBe(true);
    child.kill('SIGKILL');
    await new Promise((r) => child.once('close', r));
    const status = await runCli(['status', dir]);
    expect(status.stdout).toMatch(/dead {2}\[baseline interrupted — resume with: autoresearch run .* --tag dead \(it keeps the repeats it finished\)\]/);
    expect(status.stdout).not.toMatch(/\[stopped\]|running/);
    expect(status.stdout).toMatch(/1 interrupted/);
    killHard([...(await readRunRecord(dir, 'dead')).openProcesses.values()].map((p) => p.pgid));
  }, 90_000);

  it('a crash that printed nothing does not end with a dangling "Last output:"', async () => {
    const { dir } = scoredProject({}, { 'train.mjs': 'process.exit(3);\n' });
    const r = await runCli(['run', dir, '--tag', 'quiet']);
    expect(r.code).toBe(1);
    const rec = await readRunRecord(dir, 'quiet');
    const error = rec.experiments.get(0)!.error!;
    expect(error).toMatch(/exited with code 3\. It printed nothing\./);
    expect(error).not.toMatch(/Last output:\s*$/);
    expect(r.stdout + r.stderr).not.toMatch(/Last output:\s*$/m);
  }, 60_000);
});
