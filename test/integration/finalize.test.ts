// `finalize`: a run with several keeps becomes a clean branch from the start commit, one commit per kept
// change in order, the best commit's tree at the end, the metrics in the messages; the user's checkout
// and branch untouched. Real git, the real loop, the real CLI bundle.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { finalizeRun } from '../../src/core/finalize/finalize-run.js';
import { readRunRecord } from '../../src/core/journal/read.js';
import { startRun } from '../../src/core/loop/start-run.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { describeConfidence } from '../../src/shared/experiment.js';
import { cleanupTempDirs, git, scoredProject } from '../helpers/project.js';
import { scriptedProposer, setConst, type Step } from '../helpers/scripted-proposer.js';

afterEach(cleanupTempDirs);
beforeAll(buildCli, 60_000);

/** LR 0.02 (keep), HIDDEN 36 (keep), LR 0.01 (discard: worse), LR 0.04 (keep). */
async function runWithKeeps() {
  // One at a time (queueDepth 0): the steps edit adjacent lines, so a proposal made ahead of a keep would
  // conflict, be made again after the next step, and change the order this test reads its keeps in.
  const { dir } = scoredProject({ agent: { queueDepth: 0 } } as never);
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

  it('--min-confidence keeps only confident improvements, applies the later ones without the rest, and reports what it left out', async () => {
    const { dir, record } = await runWithConfidences([setConst('LEARNING_RATE', '0.02'), setConst('HIDDEN', '36'), setConst('LEARNING_RATE', '0.04')]);
    const before = userState(dir);
    const result = await finalizeRun({ projectDir: dir, tag: 'n', minConfidence: 2 });
    expect(result.commits.map((c) => c.id)).toEqual([1, 3]);
    expect(result.leftOut).toEqual([{ id: 2, description: 'HIDDEN → 36', reason: `#2 was kept at ${describeConfidence(record.experiments.get(2)!.confidence)}, below --min-confidence 2: left out.` }]);
    const log = git(dir, 'rev-list', '--reverse', `${record.startCommit}..autoresearch/n-final`).trim().split('\n');
    expect(log).toEqual(result.commits.map((c) => c.commit));
    // #1 as the loop measured it; #3's own change (LEARNING_RATE 0.02 → 0.04) on top, without #2's HIDDEN.
    expect(git(dir, 'rev-parse', `${log[0]}^{tree}`)).toBe(git(dir, 'rev-parse', `${record.experiments.get(1)!.commit}^{tree}`));
    const final = git(dir, 'show', `${log[1]}:train.mjs`);
    expect(final).toContain('const LEARNING_RATE = 0.04;');
    expect(final).toContain('const HIDDEN = 32;');
    expect(git(dir, 'diff', '--name-only', log[0]!, log[1]!).trim()).toBe('train.mjs');
    expect(git(dir, 'diff', log[0]!, log[1]!)).toMatch(/-const LEARNING_RATE = 0\.02;\n\+const LEARNING_RATE = 0\.04;/);
    const message = git(dir, 'log', '-1', '--format=%B', log[1]!);
    expect(message).toContain('applied without them');
    expect(message).toContain('Autoresearch-Min-Confidence: 2');
    expect(userState(dir)).toEqual(before);

    // Squashed: one commit with the same tree. A threshold no keep reaches is refused with the highest there is.
    const squashed = await finalizeRun({ projectDir: dir, tag: 'n', branch: 'review/sq', squash: true, minConfidence: 2 });
    expect(git(dir, 'rev-parse', 'review/sq^{tree}')).toBe(git(dir, 'rev-parse', `${log[1]}^{tree}`));
    expect(git(dir, 'log', '-1', '--format=%B', squashed.head)).toContain('Autoresearch-Experiments: 1, 3');
    const top = Math.max(...[1, 2, 3].map((id) => record.experiments.get(id)!.confidence!.z!));
    await expect(finalizeRun({ projectDir: dir, tag: 'n', branch: 'review/none', minConfidence: 50 })).rejects.toThrow(
      new RegExp(`No kept improvement of run n reaches --min-confidence 50 \\(the highest is ${top.toFixed(1)} standard errors\\)`),
    );
    // 0 keeps everything, exactly as without the option.
    const all = await finalizeRun({ projectDir: dir, tag: 'n', branch: 'review/all', minConfidence: 0 });
    expect(all.commits.map((c) => c.id)).toEqual([1, 2, 3]);
    expect(git(dir, 'rev-parse', 'review/all^{tree}')).toBe(git(dir, 'rev-parse', `${record.bestCommit}^{tree}`));

    // From the CLI: the left-out keep is printed; a bad value is one clear line.
    const cli = await runCli(['finalize', dir, '--tag', 'n', '--branch', 'cli/n', '--min-confidence', '2']);
    expect(cli.stderr).toBe('');
    expect(cli.code).toBe(0);
    expect(cli.stdout).toMatch(/Branch cli\/n from [0-9a-f]{7}: 2 commits/);
    expect(cli.stdout).toMatch(/left out: #2 was kept at \d\.\d SE: within the noise, below --min-confidence 2: left out\./);
    const bad = await runCli(['finalize', dir, '--tag', 'n', '--min-confidence', 'high']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--min-confidence must be a number of standard errors of at least 0, e\.g\. 2 \(got "high"\)/);
    expect(git(dir, 'rev-parse', '--verify', '--quiet', 'autoresearch/n-final').trim()).toBe(log[1]);
  }, 180_000);

  it('--min-confidence reports a confident keep that no longer applies without the one left out before it', async () => {
    const both: Step = async (ctx) => {
      await setConst('HIDDEN', '40')(ctx);
      await setConst('LEARNING_RATE', '0.04')(ctx);
      return { description: 'HIDDEN → 40 and LEARNING_RATE → 0.04' };
    };
    const { dir, record } = await runWithConfidences([setConst('LEARNING_RATE', '0.02'), setConst('HIDDEN', '36'), both]);
    expect(record.experiments.get(3)!.confidence!.z!).toBeGreaterThan(2);
    const result = await finalizeRun({ projectDir: dir, tag: 'n', minConfidence: 2 });
    expect(result.commits.map((c) => c.id)).toEqual([1]);
    expect(result.leftOut.map((l) => l.id)).toEqual([2, 3]);
    expect(result.leftOut[1]!.reason).toBe('#3 no longer applies without the improvements left out before it (train.mjs): left out.');
    expect(git(dir, 'rev-parse', 'autoresearch/n-final^{tree}')).toBe(git(dir, 'rev-parse', `${record.experiments.get(1)!.commit}^{tree}`));
  }, 120_000);
});

/**
 * A run whose baseline has noise (two runs 0.02 apart) and whose candidates measure exactly: under the classic
 * rule every better candidate is kept, and its recorded confidence is its gain over that noise. With the
 * scored trainer: LEARNING_RATE 0.02 gains 0.1 (about 5.8 standard errors), HIDDEN 36 gains 0.004 (0.2).
 */
async function runWithConfidences(steps: Step[]) {
  // One at a time (queueDepth 0), as in runWithKeeps: each step is meant to start from the keep before it.
  const { dir, state } = scoredProject({ acceptance: { rule: 'classic', baselineRuns: 2, confirmRuns: 0, minImprovement: 0 }, agent: { queueDepth: 0 } } as never, { 'train.mjs': JITTERED_TRAINER }, { state: true });
  const counter = path.join(state, 'runs');
  const handle = await startRun({
    projectDir: dir,
    tag: 'n',
    maxExperiments: steps.length,
    deps: { env: { ...process.env, RUN_COUNTER: counter }, nodePath: process.execPath, appVersion: 'test', createProposer: async () => scriptedProposer(steps) },
  });
  await handle.done;
  const record = await readRunRecord(dir, 'n');
  expect([...record.experiments.values()].map((e) => e.status)).toEqual(['keep', ...steps.map(() => 'keep')]);
  const z = (id: number) => record.experiments.get(id)!.confidence!.z!;
  expect(z(1)).toBeGreaterThan(2);
  expect(z(2)).toBeLessThan(2);
  return { dir, record };
}

const JITTERED_TRAINER = `import { existsSync, readFileSync, writeFileSync } from 'node:fs';
const LEARNING_RATE = 0.01;
// (a line between the two, so that a change to one merges without the other: git refuses adjacent changes)
const HIDDEN = 32;
// The first two runs (the baseline's) are 0.01 above and below the truth; every later run is exact.
const n = existsSync(process.env.RUN_COUNTER) ? Number(readFileSync(process.env.RUN_COUNTER, 'utf8')) : 0;
writeFileSync(process.env.RUN_COUNTER, String(n + 1));
const jitter = n === 0 ? 0.01 : n === 1 ? -0.01 : 0;
const loss = 1 + Math.abs(Math.log2(LEARNING_RATE / 0.08)) * 0.1 + Math.abs(HIDDEN - 40) * 0.001 + jitter;
console.log('val_bpb: ' + loss.toFixed(6));
`;
