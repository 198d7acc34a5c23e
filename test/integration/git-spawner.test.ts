// The git spawner (src/core/git/spawner.ts): git runs in a small helper process that the app starts once.
// Real helper, real git, real kills: answers match their commands under concurrency, binary and long output
// come back byte for byte, a helper killed mid-command fails that command with a GitError that says so and
// the next command starts a new one, the helper dies with its app and never keeps it alive, and a helper
// that cannot start leaves git to the direct execFile.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { GitError, raw, rawBuffer, rawWithIndex } from '../../src/core/git/git.js';
import { configureSpawner, spawnerExec, spawnerFellBack, spawnerPid, type ExecRequest } from '../../src/core/git/spawner.js';
import { pidRunning, waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, makeRepo, REPO_ROOT, tempDir } from '../helpers/project.js';

/** Stand-in apps still running when a test fails (one the helper wrongly kept alive, say). */
const apps: ChildProcess[] = [];

afterAll(() => {
  for (const app of apps) if (app.exitCode === null && app.signalCode === null) app.kill('SIGKILL');
  configureSpawner({ nodePath: process.execPath });
  cleanupTempDirs();
});

/** What a direct execFile gives, to compare the helper's answer with. */
function directExec(file: string, args: string[], req: ExecRequest): Promise<{ err: (Error & { code?: unknown }) | null; stdout: string | Buffer; stderr: string }> {
  return new Promise((resolve) => execFile(file, args, req, (err, stdout, stderr) => resolve({ err, stdout, stderr: String(stderr) })));
}

/** Whether a process whose parent is `pid` runs a command line containing `text` (Linux /proc). */
function childRuns(pid: number, text: string): boolean {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== pid) continue;
      if (readFileSync(`/proc/${name}/cmdline`, 'latin1').split('\0').join(' ').includes(text)) return true;
    } catch {
      // Gone meanwhile.
    }
  }
  return false;
}

/** A helper that serves commands: until it is ready they run directly, which is not what these tests are about. */
async function readyHelper(dir: string): Promise<number> {
  await raw(dir, ['rev-parse', 'HEAD']);
  expect(await waitUntil(() => spawnerPid() !== undefined)).toBe(true);
  return spawnerPid()!;
}

async function killHelper(): Promise<void> {
  const pid = spawnerPid();
  if (pid === undefined) return;
  process.kill(pid, 'SIGKILL');
  expect(await waitUntil(() => spawnerPid() === undefined)).toBe(true);
}

describe('git through the spawner', () => {
  it('answers many commands in flight at once, each with its own output, from one helper', async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.txt`, `content of file ${i}\n`.repeat(i + 1)]));
    const dir = makeRepo(files);
    const pid = await readyHelper(dir);
    const outs = await Promise.all(Object.keys(files).map((f) => raw(dir, ['cat-file', 'blob', `HEAD:${f}`])));
    expect(outs).toEqual(Object.values(files));
    expect(spawnerPid()).toBe(pid);
    expect(pid).not.toBe(process.pid);
    // Failures come back as failures, in the same crowd.
    const mixed = await Promise.allSettled([raw(dir, ['cat-file', 'blob', 'HEAD:missing.txt']), raw(dir, ['rev-parse', 'HEAD'])]);
    expect(mixed[0]!.status).toBe('rejected');
    expect((mixed[0] as PromiseRejectedResult).reason).toBeInstanceOf(GitError);
    expect((mixed[1] as PromiseFulfilledResult<string>).value.trim()).toBe(git(dir, 'rev-parse', 'HEAD').trim());
    expect(spawnerPid()).toBe(pid);
  });

  it('returns binary and long output byte for byte (past the helper’s 4 MB answer pieces)', async () => {
    const bytes = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => i)), randomBytes(9 * 1024 * 1024)]);
    const text = 'zażółć gęślą jaźń – 😀 line\n'.repeat(200_000); // > 4 M characters, multi-byte throughout
    const dir = makeRepo({ 'text.txt': text });
    writeFileSync(path.join(dir, 'blob.bin'), bytes);
    git(dir, 'add', 'blob.bin');
    git(dir, 'commit', '-q', '-m', 'binary');
    await readyHelper(dir);
    expect((await rawBuffer(dir, ['cat-file', 'blob', 'HEAD:blob.bin'])).equals(bytes)).toBe(true);
    expect(await raw(dir, ['cat-file', 'blob', 'HEAD:text.txt'])).toBe(text);
  });

  it('passes env and cwd as given, and reports errors (exit code, missing program, output limit) as execFile does', async () => {
    const dir = makeRepo({ 'a.txt': 'a\n' });
    await readyHelper(dir);
    const index = path.join(tempDir(), 'index');
    await rawWithIndex(dir, ['read-tree', 'HEAD'], index);
    expect(existsSync(index)).toBe(true);
    const base: ExecRequest = { cwd: dir, env: process.env, encoding: 'utf8', maxBuffer: 1024 * 1024 };
    const cases: Array<[string, string[], ExecRequest]> = [
      ['git', ['rev-parse', '--show-toplevel'], base],
      ['git', ['cat-file', 'blob', 'HEAD:nope'], base],
      ['git', ['status'], { ...base, env: { ...process.env, PATH: '/nonexistent' } }],
      ['no-such-program-for-the-spawner', [], base],
      ['git', ['cat-file', 'blob', 'HEAD:a.txt'], { ...base, maxBuffer: 1 }],
      ['git', ['cat-file', 'blob', 'HEAD:a.txt'], { ...base, encoding: 'buffer' }],
    ];
    for (const [file, args, req] of cases) {
      const want = await directExec(file, args, req);
      const got = await spawnerExec(file, args, req);
      expect({ code: (got.err as { code?: unknown } | null)?.code, stdout: got.stdout, stderr: got.stderr }).toEqual({ code: want.err?.code, stdout: want.stdout, stderr: want.stderr });
      expect(got.err?.message).toBe(want.err?.message);
    }
  });

  it('fails a command whose helper is killed mid-run with a GitError that says so; the next command gets a new helper', async () => {
    const dir = makeRepo({ 'a.txt': 'a\n' });
    const first = await readyHelper(dir);
    // cat-file --batch waits for its stdin, which the helper holds open: in flight until the helper dies.
    const inFlight = raw(dir, ['cat-file', '--batch']);
    expect(await waitUntil(() => childRuns(first, 'cat-file --batch'))).toBe(true);
    process.kill(first, 'SIGKILL');
    const err = await inFlight.then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(GitError);
    expect((err as GitError).message).toMatch(/git cat-file --batch failed: the helper process that runs git for the app stopped \(killed by SIGKILL\) while this command ran/);
    expect((await raw(dir, ['rev-parse', 'HEAD'])).trim()).toBe(git(dir, 'rev-parse', 'HEAD').trim());
    expect(await waitUntil(() => spawnerPid() !== undefined)).toBe(true);
    expect(spawnerPid()).not.toBe(first);
    expect(pidRunning(first)).toBe(false);
  });

  it('falls back to running git directly when the helper cannot start or dies before it is ready', async () => {
    const dir = makeRepo({ 'a.txt': 'a\n' });
    const head = git(dir, 'rev-parse', 'HEAD').trim();
    for (const nodePath of [path.join(tempDir(), 'no-node-here'), '/bin/false']) {
      configureSpawner({ nodePath });
      await killHelper();
      const outs = await Promise.all([raw(dir, ['rev-parse', 'HEAD']), raw(dir, ['rev-parse', 'HEAD'])]);
      expect(outs.map((o) => o.trim())).toEqual([head, head]);
      expect(await waitUntil(() => spawnerFellBack())).toBe(true);
      expect((await raw(dir, ['rev-parse', 'HEAD'])).trim()).toBe(head);
      expect(spawnerPid()).toBeUndefined();
    }
    configureSpawner({ nodePath: process.execPath });
    expect(spawnerFellBack()).toBe(false);
    expect(await readyHelper(dir)).toBeGreaterThan(0);
  });
});

describe('the helper and its app', () => {
  // A stand-in app: a plain Node program that runs one git command through the spawner, prints the helper's
  // pid, and then either finishes (the helper must not keep it alive) or waits to be killed.
  async function bundleApp(): Promise<string> {
    const dir = tempDir();
    const entry = path.join(dir, 'app.ts');
    writeFileSync(
      entry,
      `import { raw } from ${JSON.stringify(path.join(REPO_ROOT, 'src/core/git/git.ts'))};
import { spawnerPid } from ${JSON.stringify(path.join(REPO_ROOT, 'src/core/git/spawner.ts'))};
const [repo, mode] = process.argv.slice(2);
const head = (await raw(repo!, ['rev-parse', 'HEAD'])).trim();
// That command ran directly while the helper started; the next ones go to it once it is ready.
while (spawnerPid() === undefined) await new Promise((r) => setTimeout(r, 20));
await raw(repo!, ['rev-parse', 'HEAD']);
process.stdout.write(JSON.stringify({ head, helper: spawnerPid() }) + '\\n');
if (mode === 'wait') setInterval(() => {}, 1 << 30);
`,
    );
    const outfile = path.join(dir, 'app.mjs');
    await build({ entryPoints: [entry], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', logLevel: 'warning' });
    return outfile;
  }

  function startApp(app: string, repo: string, mode: 'wait' | 'finish') {
    const child = spawn(process.execPath, [app, repo, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
    apps.push(child);
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const first = new Promise<{ head: string; helper: number }>((resolve, reject) => {
      let out = '';
      child.stdout!.setEncoding('utf8');
      child.stdout!.on('data', (d: string) => {
        out += d;
        if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]!) as { head: string; helper: number });
      });
      child.once('exit', (code) => reject(new Error(`the stand-in app exited (${code}) before it answered`)));
    });
    return { child, exited, first };
  }

  it('exits with its app (kill -9), and never keeps a finished app alive', async () => {
    const app = await bundleApp();
    const repo = makeRepo({ 'a.txt': 'a\n' });
    const head = git(repo, 'rev-parse', 'HEAD').trim();

    const killed = startApp(app, repo, 'wait');
    const answer = await killed.first;
    expect(answer.head).toBe(head);
    expect(pidRunning(answer.helper)).toBe(true);
    killed.child.kill('SIGKILL');
    await killed.exited;
    expect(await waitUntil(() => !pidRunning(answer.helper), 10_000)).toBe(true);

    const done = startApp(app, repo, 'finish');
    const second = await done.first;
    expect(second.head).toBe(head);
    // The app's event loop has nothing left to do once its command answered: it exits by itself, cleanly.
    expect(await done.exited).toBe(0);
    expect(await waitUntil(() => !pidRunning(second.helper), 10_000)).toBe(true);
  });
});
