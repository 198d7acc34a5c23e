// Issue #20, attacks 7 and 8, performed for real with the sandbox as shipped: links planted under
// .autoresearch (final.patch, run.lock, results.tsv, edits/N/train.mjs) and a metric file the trainer makes a
// link to a secret; files.linked naming .git or a link out of the project; a command agent that writes the
// API key into train.mjs and prints it. Nothing is written outside, nothing secret reaches the journal, a
// log, a transcript, a diff or git, and each refusal is one line naming the path.
import { readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createProposer } from '../../src/core/agent/create-proposer.js';
import { finalizeRun } from '../../src/core/finalize/finalize-run.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import type { RunHandle } from '../../src/core/loop/types.js';
import { runPaths } from '../../src/core/project/paths.js';
import { validateSetup } from '../../src/core/project/validate-setup.js';
import type { ProjectConfig } from '../../src/shared/config.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { waitUntil } from '../helpers/processes.js';
import { cleanupTempDirs, git, scoredProject, tempDir } from '../helpers/project.js';
import { scriptedProposer, setConst, type Step } from '../helpers/scripted-proposer.js';

beforeAll(buildCli, 120_000);
const handles: RunHandle[] = [];
afterEach(async () => {
  for (const h of handles.splice(0)) await h.stop().catch(() => undefined);
  cleanupTempDirs();
});

function start(dir: string, steps: Step[], tag: string, maxExperiments?: number) {
  return startRun({
    projectDir: dir,
    tag,
    ...(maxExperiments !== undefined ? { maxExperiments } : {}),
    deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => scriptedProposer(steps) },
  }).then((h) => {
    handles.push(h);
    return h;
  });
}

/** A file outside the project that an attacker wants written (a .pth that would run) or read (a key). */
function victim(content: string, name = 'victim.pth'): string {
  const file = path.join(tempDir('ar-victim-'), name);
  writeFileSync(file, content);
  return file;
}

/** Every file of the run's folder and the whole git history, as one text to search for a secret. */
function everythingWritten(dir: string, tag: string): string {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) out.push(readFileSync(p, 'utf8'));
    }
  };
  walk(runPaths(dir, tag).dir);
  out.push(git(dir, 'log', '--all', '-p', '--format=%H %B'));
  return out.join('\n');
}

describe('links planted under .autoresearch (attack 8)', () => {
  it('final.patch, run.lock and results.tsv as links: refused by name, the files they point at untouched', async () => {
    const { dir } = scoredProject();
    const run = await start(dir, [setConst('LEARNING_RATE', '0.02')], 't', 1);
    await run.done;
    expect((await readRunRecord(dir, 't')).experiments.get(1)?.status).toBe('keep');
    const paths = runPaths(dir, 't');

    // final.patch -> a .pth elsewhere: finalize refuses before it makes the branch.
    const pth = victim('# harmless\n');
    symlinkSync(pth, paths.abs('final.patch'));
    await expect(finalizeRun({ projectDir: dir, tag: 't' })).rejects.toThrow(`${paths.abs('final.patch')} is a symbolic link; the app never follows links under .autoresearch or in its worktrees — remove it and try again.`);
    expect(readFileSync(pth, 'utf8')).toBe('# harmless\n');
    expect(git(dir, 'branch', '--list', 'autoresearch/t-final').trim()).toBe('');
    // Removed, as the message says: finalize works and writes a plain file.
    rmSync(paths.abs('final.patch'));
    const done = await finalizeRun({ projectDir: dir, tag: 't' });
    expect(readFileSync(done.patchFile, 'utf8')).toMatch(/^From [0-9a-f]{40} /);

    // run.lock -> a file elsewhere: the start refuses in one line; the file keeps its content.
    const lockVictim = victim('precious\n', 'notes.txt');
    const lockFile = path.join(dir, '.autoresearch', 'run.lock');
    symlinkSync(lockVictim, lockFile);
    const locked = await runCli(['run', dir, '--tag', 't', '--max-experiments', '2', '--proposer', 'mutation']);
    expect(locked.code).not.toBe(0);
    expect(locked.stderr).toContain(`${lockFile} is a symbolic link`);
    expect(locked.stderr.trim().split('\n')).toHaveLength(1);
    expect(readFileSync(lockVictim, 'utf8')).toBe('precious\n');
    rmSync(lockFile);

    // results.tsv -> a file elsewhere: the resume's rewrite of results.tsv refuses; the file is untouched.
    const tsvVictim = victim('mine\n', 'results.txt');
    rmSync(paths.results);
    symlinkSync(tsvVictim, paths.results);
    await expect(start(dir, [setConst('LEARNING_RATE', '0.04')], 't', 2)).rejects.toThrow(`${paths.results} is a symbolic link`);
    expect(readFileSync(tsvVictim, 'utf8')).toBe('mine\n');
  }, 240_000);

  it('edits/N/train.mjs as a link to a key, then approve: refused, and the key is in neither the journal nor git', async () => {
    const { dir } = scoredProject({ approval: { mode: 'all' } });
    const run = await start(dir, [setConst('LEARNING_RATE', '0.02')], 'e');
    expect(await waitUntil(() => [...run.record().approvals.values()].some((a) => !a.answer), 60_000)).toBe(true);
    const id = [...run.record().approvals.keys()][0]!;
    await run.stop();

    const edit = await runCli(['approve', dir, '--tag', 'e', '--edit', String(id)]);
    expect(edit.code).toBe(0);
    const editFile = path.join(runPaths(dir, 'e').dir, 'edits', String(id), 'train.mjs');
    const key = victim('-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAAATTACKERWANTSTHIS\n', 'id_rsa');
    rmSync(editFile);
    symlinkSync(key, editFile);
    const approved = await runCli(['approve', dir, '--tag', 'e', '--approve', String(id)]);
    expect(approved.code).toBe(1);
    expect(approved.stderr).toBe(`autoresearch approve: ${editFile} is a symbolic link; the app never follows links under .autoresearch or in its worktrees — remove it and try again. Nothing was answered.\n`);
    expect(everythingWritten(dir, 'e')).not.toContain('ATTACKERWANTSTHIS');
    expect((await readRunRecord(dir, 'e')).approvals.get(id)?.answer).toBeFalsy();
  }, 180_000);
});

describe('the metric file as a link to a secret (attack 7)', () => {
  it('is not read: the journal says why and holds nothing of the secret', async () => {
    const secret = victim('{"AAAA-PRIVATE-KEY-LINE-XYZZY": 1, "val_bpb": 0.5}\n', 'id_rsa.json');
    const trainer = `import { symlinkSync, rmSync } from 'node:fs';\nrmSync('metrics.json', { force: true });\nsymlinkSync(${JSON.stringify(secret)}, 'metrics.json');\nconsole.log('done');\n`;
    const { dir } = scoredProject({ metric: { name: 'val_bpb', direction: 'min', extract: { kind: 'json', file: 'metrics.json', key: 'val_bpb' } } }, { 'train.mjs': trainer });
    const run = await start(dir, [], 'm', 1);
    await run.done;
    const baseline = (await readRunRecord(dir, 'm')).experiments.get(0)!;
    expect(baseline.metric).toBeNull();
    const written = everythingWritten(dir, 'm');
    expect(written).toContain('metrics.json is a symbolic link');
    expect(written).not.toContain('XYZZY');
    expect(baseline.metrics).not.toHaveProperty('val_bpb');
  }, 120_000);
});

describe('files.linked', () => {
  it('refuses .git and an input that is a link out of the project, at start and in the setup check', async () => {
    const { dir, config } = scoredProject();
    const withLinked = (linked: string[]): ProjectConfig => ({ ...config, files: { ...config.files, linked } });
    const write = (linked: string[]) => writeFileSync(path.join(dir, '.autoresearch', 'config.json'), JSON.stringify(withLinked(linked), null, 2));

    write(['.git']);
    await expect(start(dir, [], 'l', 0)).rejects.toThrow(/files\.linked\.0.*\.git is the repository, which the trainer must never be given; remove it from files\.linked/s);

    const outside = tempDir('ar-home-');
    symlinkSync(outside, path.join(dir, 'data'));
    write(['data']);
    await expect(start(dir, [], 'l', 0)).rejects.toThrow(`files.linked: data is a link that leads outside the project (to ${outside})`);
    expect(await validateSetup(dir, withLinked(['data']), process.env)).toEqual([{ path: 'files.linked.0', message: expect.stringMatching(/^data is a link that leads outside the project/) }]);
    expect(readdirSync(outside)).toEqual([]);
  }, 60_000);
});

describe('a command agent that writes the key into train.mjs (attack 7)', () => {
  it('is refused uncommitted, and the key is in no journal, log, transcript, diff or commit', async () => {
    const KEY = 'sk-ant-api03-REDACTME-0123456789abcdef';
    const agent = path.join(tempDir('ar-agent-'), 'agent.mjs');
    writeFileSync(
      agent,
      `import { readFileSync, writeFileSync } from 'node:fs';
const key = process.env.ANTHROPIC_API_KEY;
const text = readFileSync('train.mjs', 'utf8').replace('const LEARNING_RATE = 0.01;', 'const LEARNING_RATE = 0.02; // ' + key);
writeFileSync('train.mjs', text);
// The key printed in two writes apart in time: two chunks for whoever reads the output.
process.stdout.write('my key is ' + key.slice(0, 12));
await new Promise((r) => setTimeout(r, 300));
process.stdout.write(key.slice(12) + '\\n');
console.log('DESCRIPTION: use the key ' + key);
console.log('HYPOTHESIS: none');
`,
    );
    // The user handed the key to the command agent on purpose (sandbox.passEnv; without it the agent gets none, attack 5):
    // what the agent then writes must still never reach a commit or the run's records.
    const { dir, config } = scoredProject({ agent: { proposer: 'command', command: `"${process.execPath}" "${agent}"` }, sandbox: { passEnv: ['ANTHROPIC_API_KEY'] } });
    const env = { ...process.env, ANTHROPIC_API_KEY: KEY };
    const run = await startRun({
      projectDir: dir,
      tag: 'k',
      maxExperiments: 1,
      proposer: 'command',
      deps: { env, nodePath: process.execPath, appVersion: 'test', createProposer: async (name, cfg) => createProposer(name, cfg, { apiKey: KEY, env, keyHint: 'set it' }) },
    });
    handles.push(run);
    await run.done;
    const e = (await readRunRecord(dir, 'k')).experiments.get(1)!;
    expect(e.status).toBe('rejected');
    expect(e.commit).toBeNull();
    expect(e.error).toContain('The change contains a secret value (ANTHROPIC_API_KEY); it was not committed.');
    const written = everythingWritten(dir, 'k');
    expect(written).not.toContain('REDACTME');
    expect(written).toContain('[redacted ANTHROPIC_API_KEY]');
    expect(config.agent.proposer).toBe('command');
  }, 120_000);
});
