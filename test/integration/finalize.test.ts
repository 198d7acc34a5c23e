// `finalize`: a run with several keeps becomes a clean branch from the start commit, one commit per kept
// change in order, the best commit's tree at the end, the metrics in the messages; the user's checkout
// and branch untouched. Real git, the real loop, the real CLI bundle.
import { readFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { finalizeRun } from '../../src/core/finalize/finalize-run.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);
beforeAll(buildCli, 60_000);

/** LR 0.02 (keep), HIDDEN 36 (keep), LR 0.01 (discard: worse), LR 0.04 (keep). */
async function runWithKeeps() {
  const { dir } = scoredProject();
  const steps = [setConst('LEARNING_RATE', '0.02'), setConst('HIDDEN', '36'), setConst('LEARNING_RATE', '0.005'), setConst('LEARNING_RATE', '0.04')];
  const handle = await startRun({
    projectDir: dir,
    tag: 't',
    maxExperiments: steps.length,
    deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => scriptedProposer(steps) },
  });
  await handle.done;
  const record = await readRunRecord(dir, 't');
  expect([...record.experiments.values()].map((e) => e.status)).toEqual(['keep', 'keep', 'keep', 'discard', 'keep']);
  return { dir, record };
}

const userState = (dir: string) => ({ head: git(dir, 'rev-parse', 'HEAD'), branch: git(dir, 'symbolic-ref', 'HEAD'), main: git(dir, 'rev-parse', 'main'), status: git(dir, 'status', '--porcelain') });

describe('finalize', () => {
  it('makes a branch with exactly the kept changes in order, the best tree, and the metrics in the messages', async () => {
    const { dir, record } = await runWithKeeps();
    const before = userState(dir);
    const result = await finalizeRun({ projectDir: dir, tag: 't' });
    expect(result.branch).toBe('autoresearch/t-final');
    expect(result.commits.map((c) => c.id)).toEqual([1, 2, 4]);
    expect(result.leftOut).toEqual([]);

    // The branch: start commit, then one commit per keep, oldest first.
    const log = git(dir, 'rev-list', '--reverse', `${record.startCommit}..autoresearch/t-final`).trim().split('\n');
    expect(log).toEqual(result.commits.map((c) => c.commit));
    expect(git(dir, 'rev-parse', `${log[0]}^`).trim()).toBe(record.startCommit);
    // Each commit's change is exactly the kept experiment's change.
    for (const [i, c] of result.commits.entries()) {
      const e = record.experiments.get(c.id)!;
      expect(git(dir, 'diff', `${log[i]}^`, log[i]!)).toBe(git(dir, 'diff', e.parentCommit, e.commit!));
    }
    // The tree is the best commit's.
    expect(git(dir, 'rev-parse', 'autoresearch/t-final^{tree}')).toBe(git(dir, 'rev-parse', `${record.bestCommit}^{tree}`));
    // Messages: description, metric before → after (with the change), the experiment id.
    const messages = log.map((c) => git(dir, 'log', '-1', '--format=%B', c));
    const e1 = record.experiments.get(1)!;
    expect(messages[0]).toMatch(/^LEARNING_RATE → 0\.02\n/);
    expect(messages[0]).toContain(`val_bpb: ${e1.bestBefore!.toFixed(6)} → ${e1.metric!.toFixed(6)} (-`);
    expect(messages[0]).toContain('better)');
    expect(messages[0]).toContain('Autoresearch-Experiment: 1');
    expect(messages[2]).toContain('Autoresearch-Experiment: 4');
    expect(messages.join('\n')).not.toContain('0.005');

    // The patch holds the same three commits.
    const patch = readFileSync(result.patchFile, 'utf8');
    expect(patch.match(/^From [0-9a-f]{40} /gm)).toHaveLength(3);
    expect(patch).toContain('+const LEARNING_RATE = 0.04;');

    // Nothing of the user's moved: HEAD, their branch, their files.
    expect(userState(dir)).toEqual(before);
    expect(git(dir, 'rev-parse', 'autoresearch/t').trim()).toBe(record.bestCommit);
  }, 120_000);

  it('squashes into one commit with the best tree and refuses to overwrite a branch', async () => {
    const { dir, record } = await runWithKeeps();
    const before = userState(dir);
    const result = await finalizeRun({ projectDir: dir, tag: 't', branch: 'review/lr', squash: true });
    expect(git(dir, 'rev-list', '--count', `${record.startCommit}..review/lr`).trim()).toBe('1');
    expect(git(dir, 'rev-parse', 'review/lr^{tree}')).toBe(git(dir, 'rev-parse', `${record.bestCommit}^{tree}`));
    const message = git(dir, 'log', '-1', '--format=%B', 'review/lr');
    expect(message).toMatch(/^Autoresearch run t: val_bpb \d\.\d{6} → \d\.\d{6} \(-/);
    for (const id of [1, 2, 4]) expect(message).toMatch(new RegExp(`^- #${id} `, 'm'));
    expect(message).toContain('Autoresearch-Experiments: 1, 2, 4');
    expect(result.commits).toHaveLength(1);
    await expect(finalizeRun({ projectDir: dir, tag: 't', branch: 'review/lr' })).rejects.toThrow(/already exists\. Pass another name with --branch/);
    await expect(finalizeRun({ projectDir: dir, tag: 't', branch: 'bad..name' })).rejects.toThrow(/not a valid branch name/);
    expect(userState(dir)).toEqual(before);
  }, 120_000);

  it('from the CLI: prints the commits and the patch; clear errors for a missing tag or a run without keeps', async () => {
    const { dir } = await runWithKeeps();
    const ok = await runCli(['finalize', dir, '--tag', 't', '--branch', 'final/t', '--patch', `${dir}/out.patch`]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/Branch final\/t from [0-9a-f]{7}: 3 commits/);
    expect(ok.stdout).toMatch(/#4 LEARNING_RATE → 0\.04/);
    expect(readFileSync(`${dir}/out.patch`, 'utf8')).toContain('Autoresearch-Experiment: 4');
    const noTag = await runCli(['finalize', dir]);
    expect(noTag.code).not.toBe(0);
    expect(noTag.stderr).toMatch(/Say which run to finalize with --tag \(runs here: t\)/);
    const unknown = await runCli(['finalize', dir, '--tag', 'nope']);
    expect(unknown.stderr).toMatch(/There is no run "nope"/);

    const { dir: dull } = scoredProject();
    const handle = await startRun({
      projectDir: dull,
      tag: 'd',
      maxExperiments: 1,
      deps: { env: process.env, nodePath: process.execPath, appVersion: 'test', createProposer: async () => scriptedProposer([setConst('LEARNING_RATE', '0.001')]) },
    });
    await handle.done;
    const none = await runCli(['finalize', dull, '--tag', 'd']);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/no kept improvement yet/);
  }, 180_000);
});
