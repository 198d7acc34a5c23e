// The script that makes an SSH host's bare repository, run as the host runs it (`sh -s`, here on this machine):
// the slots of one host, or two apps, may create it at the same moment, and concurrent `git init`s of one folder
// fail on each other's files ("cannot copy ... File exists", "could not lock config file"). CI saw the first of
// these once in two SSH slots' start. Eight at once, ten times over: every one ends well with one bare repository.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureRepoScript } from '../../src/core/exec/ssh-scripts.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ar-repo-race-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs `script` with `sh -s` in `count` shells at once: all are started before any gets its script. */
async function runTogether(script: string, count: number): Promise<{ code: number | null; stdout: string; stderr: string }[]> {
  const children = Array.from({ length: count }, () => spawn('sh', ['-s'], { stdio: ['pipe', 'pipe', 'pipe'] }));
  const ends = children.map(
    (child) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (d) => (stdout += d));
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      }),
  );
  await Promise.all(children.map((child) => new Promise((resolve) => child.once('spawn', resolve))));
  for (const child of children) child.stdin.end(script);
  return Promise.all(ends);
}

describe('the SSH host repository made by several at once', () => {
  it('eight concurrent first uses of one folder all succeed, ten times, and leave one bare repository', async () => {
    for (let round = 0; round < 10; round++) {
      const root = path.join(tmp, `host-${round}`);
      const results = await runTogether(ensureRepoScript(root), 8);
      expect(results.map((r) => [r.code, r.stdout.trim(), r.stderr.trim()])).toEqual(Array.from({ length: 8 }, () => [0, 'ok', '']));
      const repo = path.join(root, 'repo.git');
      expect(execFileSync('git', ['--git-dir', repo, 'config', 'core.bare'], { encoding: 'utf8' }).trim()).toBe('true');
      expect(execFileSync('git', ['--git-dir', repo, 'fsck', '--no-progress'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })).toBe('');
    }
  }, 120_000);

  it('a file where the repository should be fails with git\'s own words after a few tries, not silently', async () => {
    const root = path.join(tmp, 'blocked');
    mkdirSync(root);
    writeFileSync(path.join(root, 'repo.git'), 'not a repository\n');
    const [r] = await runTogether(ensureRepoScript(root), 1);
    expect(r!.code).toBe(1);
    expect(r!.stdout).toBe('');
    expect(r!.stderr).toMatch(/repo\.git/);
  }, 30_000);
});
