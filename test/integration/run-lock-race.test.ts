// One run per project, whatever starts at once: ten processes taking the run lock together (one tag or ten,
// with no lock, a stale one, or a stale one whose first claimer died) get exactly one owner, and the others
// a RunLockedError; ten CLI starts at once run exactly one loop and refuse the rest with one line, writing
// nothing for them. The lock function runs in real child processes (bundled from the source with esbuild).
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJournalEvents } from '../../src/core/journal/read.js';
import { projectPaths, runPaths } from '../../src/core/project/paths.js';
import { buildCli, CLI } from '../helpers/cli.js';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, REPO_ROOT, scoredProject, tempDir } from '../helpers/project.js';

let lockModule = '';
beforeAll(async () => {
  buildCli();
  lockModule = path.join(tempDir('ar-lockmod-'), 'run-lock.mjs');
  await build({ entryPoints: [path.join(REPO_ROOT, 'src/core/project/run-lock.ts')], bundle: true, platform: 'node', format: 'esm', outfile: lockModule, logLevel: 'silent' });
});
afterAll(cleanupTempDirs);

/**
 * A lock taker that lives through all repetitions (ten process starts per repetition would make the test slow
 * on a busy machine): `take TAG GO_AT` takes the lock at GO_AT, so the ten line up, and answers won/refused;
 * `release` lets a won lock go.
 */
const TAKER = `
const m = await import(process.env.LOCK_MODULE);
const readline = await import('node:readline');
for await (const line of readline.createInterface({ input: process.stdin })) {
  const [cmd, tag, goAt] = line.split(' ');
  if (cmd === 'release') {
    await m.releaseLock(process.env.PROJECT);
    process.stdout.write('released\\n');
    continue;
  }
  while (Date.now() < Number(goAt)) await new Promise((r) => setTimeout(r, 1));
  try {
    const { previous } = await m.acquireLock(process.env.PROJECT, tag);
    process.stdout.write('won ' + JSON.stringify(previous) + '\\n');
  } catch (e) {
    process.stdout.write((e.name === 'RunLockedError' ? 'refused ' : 'error ') + e.message.replace(/\\n/g, ' ') + '\\n');
  }
}
`;

/** The pid of a process that has exited: a lock naming it is stale. */
const deadPid = () => spawnSync('true').pid!;

interface Taker {
  send(line: string): void;
  /** The next line it answers. */
  next(): Promise<string>;
  end(): void;
}

function startTaker(project: string): Taker {
  const child = spawn(process.execPath, ['--input-type=module', '-e', TAKER], { env: { ...process.env, LOCK_MODULE: lockModule, PROJECT: project }, stdio: ['pipe', 'pipe', 'inherit'] });
  let buffer = '';
  const lines: string[] = [];
  child.stdout.on('data', (d) => {
    buffer += d;
    const parts = buffer.split('\n');
    buffer = parts.pop()!;
    lines.push(...parts);
  });
  return {
    send: (line) => child.stdin.write(line + '\n'),
    next: async () => {
      expect(await waitUntil(() => lines.length > 0, 60_000)).toBe(true);
      return lines.shift()!;
    },
    end: () => child.stdin.end(),
  };
}

describe('the run lock under simultaneous starts', () => {
  it('ten processes at once, twenty times: exactly one owner, the others refused; a stale lock is taken over once', async () => {
    const project = tempDir('ar-lock-');
    const app = path.join(project, '.autoresearch');
    mkdirSync(app, { recursive: true });
    const lockFile = projectPaths(project).lockFile;
    const takers = Array.from({ length: 10 }, () => startTaker(project));
    try {
      for (let rep = 0; rep < 20; rep++) {
        const kind = rep % 4;
        const same = kind < 2;
        const tags = Array.from({ length: 10 }, (_, i) => (same ? 'one' : `t${i}`));
        let stale: { tag: string } | null = null;
        if (kind >= 1) {
          stale = { tag: `dead${rep}` };
          const text = JSON.stringify({ pid: deadPid(), host: hostname(), tag: stale.tag, startedAt: new Date().toISOString() }) + '\n';
          writeFileSync(lockFile, text);
          if (kind === 3) {
            // A start that claimed this stale lock and died before replacing it: the next claim number is used.
            const id = createHash('sha256').update(text).digest('hex').slice(0, 16);
            writeFileSync(`${lockFile}.takeover-${id}-0`, JSON.stringify({ pid: deadPid(), host: hostname(), tag: 'x', startedAt: '' }) + '\n');
          }
        }
        const goAt = Date.now() + 200;
        takers.forEach((t, i) => t.send(`take ${tags[i]} ${goAt}`));
        const results = await Promise.all(takers.map((t) => t.next()));
        const won = results.filter((r) => r.startsWith('won '));
        const refused = results.filter((r) => r.startsWith('refused '));
        expect(won, `repetition ${rep}: ${JSON.stringify(results)}`).toHaveLength(1);
        expect(refused, `repetition ${rep}: ${JSON.stringify(results)}`).toHaveLength(9);
        for (const r of refused) expect(r).toMatch(/^refused The run "(one|t\d)" is already running in this project \(process \d+ on .*\)\. Stop it first/);
        // The stale lock's run is handed to the one that took it over, to repair.
        expect(JSON.parse(won[0]!.slice(4)) as { tag: string } | null).toEqual(stale ? expect.objectContaining(stale) : null);
        const owner = takers[results.indexOf(won[0]!)]!;
        owner.send('release');
        expect(await owner.next()).toBe('released');
        // Released, and nothing left over: no claims, no half-made lock files.
        expect(readdirSync(app)).toEqual([]);
      }
    } finally {
      for (const t of takers) t.end();
    }
  }, 240_000);
});

/** A trainer that waits for the test to open its gate (a linked folder the sandbox lets it read). */
const GATED_TRAINER = `import { existsSync } from 'node:fs';
const LEARNING_RATE = 0.01;
while (!existsSync('gate/open')) await new Promise((r) => setTimeout(r, 20));
console.log('val_bpb: ' + (1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1).toFixed(6));
`;

interface CliRun {
  readonly code: Promise<number | null>;
  out: string;
  err: string;
}

function startCli(args: string[]): CliRun {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const run: CliRun = { code: new Promise((r) => child.once('close', r)), out: '', err: '' };
  child.stdout.on('data', (d) => (run.out += d));
  child.stderr.on('data', (d) => (run.err += d));
  return run;
}

describe('ten CLI starts at once', () => {
  it.each([
    ['one tag (a new run over a stale lock, then its resume)', true],
    ['ten tags', false],
  ])('%s: one runs, the others refuse with one line and write nothing', async (_name, same) => {
    const { dir } = scoredProject({ files: { editable: ['train.mjs'], linked: ['gate'] } }, { 'train.mjs': GATED_TRAINER });
    const gate = path.join(dir, 'gate');
    mkdirSync(gate);
    writeFileSync(projectPaths(dir).lockFile, JSON.stringify({ pid: deadPid(), host: hostname(), tag: 'one', startedAt: new Date().toISOString() }) + '\n');
    // One tag: a new run, then its resume; ten tags: once (ten CLI starts take a while on a busy machine).
    for (let rep = 0; rep < (same ? 2 : 1); rep++) {
      rmSync(path.join(gate, 'open'), { force: true });
      const tags = Array.from({ length: 10 }, (_, i) => (same ? 'one' : `r${rep}t${i}`));
      const runs = tags.map((tag) => startCli(['run', dir, '--tag', tag, '--max-experiments', String(rep + 1)]));
      // The nine that lose answer while the winner's baseline waits at the gate.
      const settled = runs.map(() => false);
      runs.forEach((r, i) => void r.code.then(() => (settled[i] = true)));
      expect(await waitUntil(() => settled.filter(Boolean).length >= 9, 90_000)).toBe(true);
      writeFileSync(path.join(gate, 'open'), '');
      const codes = await Promise.all(runs.map((r) => r.code));
      expect(codes.filter((c) => c === 0), JSON.stringify(runs.map((r) => r.err))).toHaveLength(1);
      const winner = runs[codes.indexOf(0)]!;
      expect(winner.out).toMatch(same && rep === 1 ? /Resuming run one/ : /^Run \S+ on branch/);
      for (const [i, r] of runs.entries()) {
        if (r === winner) continue;
        expect(codes[i]).not.toBe(0);
        expect(r.out).toBe('');
        expect(r.err).toMatch(/^autoresearch run: The run "\S+" is already running in this project \(process \d+ on .*\)\. Stop it first.*\n$/);
        if (!same) {
          // Refused before writing anything: no run folder, no branch.
          expect(existsSync(runPaths(dir, tags[i]!).dir)).toBe(false);
          expect(git(dir, 'branch', '--list', `autoresearch/${tags[i]}`).trim()).toBe('');
        }
      }
      // One loop ran: one opening in the journal for this repetition.
      const tag = tags[codes.indexOf(0)]!;
      const openings = (await readJournalEvents(runPaths(dir, tag).journal)).events.filter((e) => e.type === 'run-start' || e.type === 'run-resume');
      expect(openings).toHaveLength(same ? rep + 1 : 1);
      expect(existsSync(projectPaths(dir).lockFile)).toBe(false);
    }
  }, 240_000);
});
