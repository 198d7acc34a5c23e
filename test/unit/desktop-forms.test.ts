// The desktop UI's pure logic: the setup form's draft ⇄ config conversion, pattern matching for the file
// picker, program.md mentions, run-control reasons, and hash routes.
import { describeAcceptanceCost, describeAcceptanceRule } from '../../src/shared/acceptance-text.js';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LiveRun, ProjectInfo } from '../../src/shared/api.js';
import { parseConfig, type ProjectConfig } from '../../src/shared/config.js';
import { emptySlot, errorsAt, fromDraft, mergeErrors, patch, toDraft } from '../../src/renderer/setup/draft.js';
import { isGlob, matchesAny } from '../../src/renderer/setup/glob.js';
import { mentionedFiles, mentionedForEditing, notEditable } from '../../src/renderer/program/mentions.js';
import { runControls } from '../../src/renderer/app/run-readiness.js';
import { parseRoute, routeHref, type Route } from '../../src/renderer/app/router.js';

async function demoConfig(): Promise<ProjectConfig> {
  const raw = JSON.parse(await readFile(path.resolve('resources/demo/.autoresearch/config.json'), 'utf8'));
  const parsed = parseConfig(raw);
  if (!parsed.ok) throw new Error('the demo config should be valid');
  return parsed.config;
}

describe('setup draft', () => {
  it('round-trips a saved config unchanged', async () => {
    const config = await demoConfig();
    const { config: back, errors } = fromDraft(toDraft(config));
    expect(errors).toEqual([]);
    const reparsed = parseConfig(back);
    expect(reparsed.ok && reparsed.config).toEqual(config);
  });

  it('round-trips Slurm and SSH slots, and saves a local slot without an executor', async () => {
    const base = await demoConfig();
    const input = {
      ...base,
      slots: [
        { env: { A: '1' } },
        { env: {}, executor: { kind: 'slurm', partition: 'gpu', account: 'lab', qos: 'normal', constraint: 'a100', gpus: 2, extraArgs: ['--mem=32G', '--cpus-per-task=8'] } },
        { env: {}, executor: { kind: 'ssh', host: 'me@box', port: 2222, remoteDir: '/srv/ar', linked: { data: '/scratch/data' }, options: ['StrictHostKeyChecking=accept-new'] } },
      ],
    };
    const parsed = parseConfig(input);
    expect(parsed.ok).toBe(true);
    const config = (parsed as { config: ProjectConfig }).config;
    const d = toDraft(config);
    expect(d.slots.map((s) => s.kind)).toEqual(['local', 'slurm', 'ssh']);
    expect(d.slots[1]!.slurm).toEqual({ partition: 'gpu', account: 'lab', qos: 'normal', constraint: 'a100', gpus: '2', extraArgs: '--mem=32G\n--cpus-per-task=8' });
    const { config: back, errors } = fromDraft(d);
    expect(errors).toEqual([]);
    const reparsed = parseConfig(back);
    expect(reparsed.ok && reparsed.config.slots).toEqual(config.slots);
    expect((back as { slots: object[] }).slots[0]).toEqual({ env: { A: '1' } });
    // Switching a slot to Slurm and back keeps what was typed, and saves only the chosen kind.
    const switched = { ...d, slots: d.slots.map((s, i) => (i === 1 ? { ...s, kind: 'local' as const } : s)) };
    expect((fromDraft(switched).config as { slots: object[] }).slots[1]).toEqual({ env: {} });
    expect(switched.slots[1]!.slurm.partition).toBe('gpu');
  });

  it('says clearly what is wrong with a Slurm slot', async () => {
    const base = await demoConfig();
    const d = toDraft(base);
    const slot = { ...d.slots[0]!, kind: 'slurm' as const, slurm: { ...d.slots[0]!.slurm, partition: 'gpu nodes', gpus: 'two', extraArgs: '--mem=8G\nmem 8G\n--output=x.log' } };
    const { config, errors } = fromDraft({ ...d, slots: [slot] });
    expect(errors).toEqual([{ path: 'slots.0.executor.gpus', message: '"two" is not a number' }]);
    const parsed = parseConfig(config);
    expect(parsed.ok).toBe(false);
    const messages = Object.fromEntries((parsed as { errors: readonly { path: string; message: string }[] }).errors.map((e) => [e.path, e.message]));
    expect(messages['slots.0.executor.partition']).toBe('A Slurm partition name has no spaces or special characters, e.g. gpu');
    expect(messages['slots.0.executor.extraArgs.1']).toBe('Write each extra option as an sbatch option, one per line, e.g. --mem=32G');
    expect(messages['slots.0.executor.extraArgs.2']).toBe("--output is set by the app (it follows the job's output and working folder); remove it");
    const negative = parseConfig({ ...base, slots: [{ executor: { kind: 'slurm', gpus: -1 } }] });
    expect(!negative.ok && negative.errors).toEqual([{ path: 'slots.0.executor.gpus', message: 'GPUs cannot be negative; 0 asks for none' }]);
  });

  it('keeps the approval setting: its mode and the line threshold of "large"', () => {
    const base = { run: { command: 'x' }, files: { editable: ['train.py'] }, metric: { name: 'val_bpb', direction: 'min' as const }, budget: { seconds: 300 } };
    const d = toDraft({ ...base, approval: { mode: 'large', overLines: 120 } });
    expect(d.approval).toEqual({ mode: 'large', overLines: '120' });
    const back = parseConfig(fromDraft(d).config);
    expect(back.ok && back.config.approval).toEqual({ mode: 'large', overLines: 120 });
    expect(toDraft(base).approval).toEqual({ mode: 'off', overLines: '50' });
    const zero = parseConfig(fromDraft(patch(d, 'approval', { overLines: '0' })).config);
    expect(zero.ok ? [] : zero.errors).toEqual([{ path: 'approval.overLines', message: 'The line threshold is at least 1' }]);
    expect(fromDraft(patch(d, 'approval', { overLines: 'many' })).errors).toEqual([{ path: 'approval.overLines', message: '"many" is not a number' }]);
  });

  it('fills defaults around a partial suggestion', () => {
    const d = toDraft({ run: { command: 'uv run train.py' }, files: { editable: ['train.py'] }, metric: { name: 'val_bpb', direction: 'min' }, budget: { seconds: 300 } });
    // The noise-aware rule is the default, with the baseline repeated to measure the noise.
    expect(d.acceptance.rule).toBe('noise-aware');
    expect(d.acceptance.falseKeepRate).toBe('0.02');
    expect(d.acceptance.baselineRuns).toBe('3');
    expect(d.stop.maxConsecutiveFailures).toBe('8');
    expect(d.agent.proposer).toBe('mutation');
    expect(d.slots).toEqual([emptySlot()]);
    expect(d.slots[0]!.kind).toBe('local');
    expect(d.budget.timeoutSeconds).toBe('');
    const r = parseConfig(fromDraft(d).config);
    expect(r.ok).toBe(true);
    if (r.ok) expect(r.config.budget.timeoutSeconds).toBeNull();
  });

  it('explains the acceptance rule in one sentence, with the GPU cost it adds', async () => {
    const d = toDraft(await demoConfig());
    expect(describeAcceptanceRule({ rule: 'noise-aware', falseKeepRate: 0.02, confirmRuns: 4 })).toMatch(/^Noise-aware: .*above the noise .*2 % false-keep rate; .*up to 4 more runs/);
    expect(describeAcceptanceCost({ rule: 'noise-aware', baselineRuns: 3, confirmRuns: 4 }, 300)).toBe('GPU cost: about 1.4× the trainer runs of the classic rule (about 7 min per candidate instead of 5 min), plus 2 extra baseline runs (10 min).');
    expect(describeAcceptanceCost({ rule: 'classic', baselineRuns: 1, confirmRuns: 0 }, 300)).toBe('GPU cost: one run per candidate, nothing extra.');
    const classic = patch(d, 'acceptance', { rule: 'classic' });
    const r = parseConfig(fromDraft(classic).config);
    expect(r.ok && r.config.acceptance.rule).toBe('classic');
  });

  it('reports text that is not a number at the field it came from', () => {
    const d = patch(patch(toDraft(null), 'budget', { seconds: 'soon', graceSeconds: '' }), 'stop', { maxHours: '1e', target: '' });
    const { config, errors } = fromDraft(d);
    expect(errors).toEqual([
      { path: 'budget.seconds', message: '"soon" is not a number' },
      { path: 'budget.graceSeconds', message: 'Enter a number' },
      { path: 'stop.maxHours', message: '"1e" is not a number' },
    ]);
    expect((config as any).stop.target).toBeNull();
  });

  it('parses NAME=value lines and points at a bad line', () => {
    const d = patch(toDraft(null), 'run', { env: 'A=1\n# a comment\n\nB = two words\nnot a pair\n9X=1' });
    const { config, errors } = fromDraft(d);
    expect((config as any).run.env).toEqual({ A: '1', B: 'two words' });
    expect(errorsAt(errors, 'run.env').map((e) => e.message)).toEqual(['Line 5: write NAME=value, e.g. CUDA_VISIBLE_DEVICES=0', 'Line 6: write NAME=value, e.g. CUDA_VISIBLE_DEVICES=0']);
  });

  it('builds each metric extraction form', () => {
    const base = toDraft(null);
    expect((fromDraft(patch(base, 'metric', { extractKind: 'regex', pattern: 'loss=([0-9.]+)' })).config as any).metric.extract).toEqual({ kind: 'regex', pattern: 'loss=([0-9.]+)' });
    expect((fromDraft(patch(base, 'metric', { extractKind: 'json', jsonFile: 'r.json', jsonKey: 'a.b' })).config as any).metric.extract).toEqual({ kind: 'json', file: 'r.json', key: 'a.b' });
    expect((fromDraft(patch(base, 'metric', { secondary: ' a, ,b ' })).config as any).metric.secondary).toEqual(['a', 'b']);
    expect((fromDraft(patch(base, 'metric', { memoryMb: '  ' })).config as any).metric.memoryMb).toBeNull();
  });

  it('prefers the form’s own message over the schema’s for the same field, and finds errors under a path', () => {
    const merged = mergeErrors([{ path: 'budget.seconds', message: 'Enter a number' }], [
      { path: 'budget.seconds', message: 'Invalid input: expected number, received undefined' },
      { path: 'metric.name', message: 'Name the metric' },
    ]);
    expect(merged).toEqual([
      { path: 'budget.seconds', message: 'Enter a number' },
      { path: 'metric.name', message: 'Name the metric' },
    ]);
    expect(errorsAt([{ path: 'files.editable.0', message: 'x' }, { path: 'files.editableX', message: 'y' }], 'files.editable')).toEqual([{ path: 'files.editable.0', message: 'x' }]);
  });
});

describe('file patterns and program.md mentions', () => {
  it('matches like the engine (picomatch, dot files)', () => {
    expect(matchesAny('data/corpus.txt', ['data/**'])).toBe('data/**');
    expect(matchesAny('data/corpus.txt', ['data'])).toBeNull();
    expect(matchesAny('.env', ['*'])).toBe('*');
    expect(matchesAny('src/a/b.py', ['src/*.py'])).toBeNull();
    expect(matchesAny('src/a/b.py', ['src/**/*.py'])).toBe('src/**/*.py');
    expect(isGlob('train.py')).toBe(false);
    expect(isGlob('data/**')).toBe(true);
  });

  it('finds project files named in program.md and flags the ones the agent may not edit', () => {
    const files = ['train.py', 'prepare.py', 'src/model/attn.py', 'a/util.py', 'b/util.py', 'program.md'];
    const text = 'Edit only `train.py`. prepare.py is read-only. See attn.py and util.py, not missing.py; trainXpy. Read program.md.';
    const mentioned = mentionedFiles(text, files);
    expect(mentioned).toEqual(['prepare.py', 'program.md', 'src/model/attn.py', 'train.py']);
    expect(notEditable(mentioned, ['train.py'])).toEqual(['prepare.py', 'src/model/attn.py']);
    expect(notEditable(mentioned, ['**/*.py'])).toEqual([]);
    expect(notEditable(['train.py'], [])).toEqual(['train.py']);
  });

  it('does not warn about files program.md itself declares off limits', () => {
    const files = ['train.py', 'prepare.py', 'eval.py', 'data/x.csv'];
    const text = 'Edit only `train.py`. prepare.py is read-only.\nNever touch data/x.csv! Also tune eval.py.';
    expect(mentionedForEditing(text, files)).toEqual(['eval.py', 'train.py']);
    expect(notEditable(mentionedForEditing(text, files), ['train.py'])).toEqual(['eval.py']);
  });
});

describe('run controls', () => {
  const project = (over: Partial<ProjectInfo> = {}): ProjectInfo =>
    ({ dir: '/p', name: 'p', isGit: true, layout: 'generic', config: {} as ProjectConfig, configErrors: [], suggestedConfig: {} as never, hasProgram: true, branch: 'main', head: 'abc', dirtyFiles: [], ...over }) as ProjectInfo;
  const live = (state: LiveRun['state']): LiveRun => ({ tag: 't', state, budgetSeconds: 1, timeoutSeconds: 2, slots: [], stopConditions: [] });

  it('explains why a run cannot start', () => {
    expect(runControls(null, null, true).start).toBe('Open a project first');
    expect(runControls(project({ isGit: false }), null, true).start).toMatch(/not a git repository/);
    expect(runControls(project({ config: null }), null, true).start).toBe('Save the setup first');
    expect(runControls(project({ dirtyFiles: ['a.py', 'b.py', 'c.py', 'd.py'] }), null, true).start).toBe('Commit or discard the uncommitted changes first (a.py, b.py, c.py, …)');
    expect(runControls(project(), null, false).start).toMatch(/Not connected/);
    expect(runControls(project(), null, true).start).toBeNull();
    expect(runControls(project(), live('running'), true).start).toBe('A run is already live');
  });

  it('enables pause, resume, stop and steer by run state', () => {
    const running = runControls(project(), live('running'), true);
    expect([running.pause, running.resume, running.stop, running.steer]).toEqual([null, 'The run is not paused', null, null]);
    const paused = runControls(project(), live('paused'), true);
    expect([paused.pause, paused.resume]).toEqual(['The run is paused', null]);
    const stopping = runControls(project(), live('stopping'), true);
    expect(stopping.stop).toBe('The run is already stopping');
    expect(stopping.steer).toBe('The run is stopping');
    const none = runControls(project(), null, true);
    expect(none.steer).toMatch(/start one first/);
  });
});

describe('hash routes', () => {
  it('round-trips every route and keeps odd tags intact', () => {
    const routes: Route[] = [
      { view: 'start' },
      { view: 'setup' },
      { view: 'program' },
      { view: 'run' },
      { view: 'history' },
      { view: 'history', tag: 'nov24' },
      { view: 'experiment', tag: 'nov24', id: 12 },
      { view: 'compare', tags: ['a.1', 'b_2'] },
      { view: 'reports' },
      { view: 'reports', tag: 'x-y' },
    ];
    for (const r of routes) expect(parseRoute(routeHref(r))).toEqual(r);
    expect(routeHref({ view: 'experiment', tag: 'nov24', id: 3 })).toBe('#/history/nov24/3');
    expect(routeHref({ view: 'compare', tags: ['a', 'b'] })).toBe('#/compare/a,b');
  });

  it('sends anything unknown to the start screen', () => {
    expect(parseRoute('')).toEqual({ view: 'start' });
    expect(parseRoute('#/nope')).toEqual({ view: 'start' });
    expect(parseRoute('#/history/%E0%A4%A')).toEqual({ view: 'history', tag: '%E0%A4%A' });
  });
});
