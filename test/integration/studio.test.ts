import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StudioEvent } from '../../src/shared/api.js';
import { createEnvSecretStore, createStudio, type Studio } from '../../src/core/studio/index.js';
import { runPaths } from '../../src/core/project/paths.js';
import { cleanupTempDirs, REPO_ROOT, tempDir } from '../helpers/project.js';
import { linkTestTrust } from '../helpers/trust.js';

let studio: Studio | null = null;
afterEach(async () => {
  await studio?.dispose();
  studio = null;
  cleanupTempDirs();
});

async function makeStudio() {
  const dataDir = linkTestTrust(tempDir('ar-data-'));
  studio = await createStudio({
    app: { version: 'test', host: 'serve', platform: process.platform },
    dataDir,
    appRoot: REPO_ROOT,
    secrets: createEnvSecretStore({}),
    env: { ...process.env, ANTHROPIC_API_KEY: '' },
  });
  const events: StudioEvent[] = [];
  studio.onEvent((e) => events.push(e));
  return { studio, events, dataDir };
}

const waitFor = async (check: () => boolean, ms = 60_000) => {
  const t0 = Date.now();
  while (!check()) {
    if (Date.now() - t0 > ms) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
};

describe('Studio: the Api over the engine', () => {
  it('opens the demo, validates and saves the config, runs experiments and serves their details', async () => {
    const { studio, events } = await makeStudio();
    const project = await studio.api.createDemo({});
    expect(project.isGit).toBe(true);
    expect(project.config?.metric.name).toBe('val_bpb');

    // Invalid config: explained by field.
    const bad = await studio.api.saveConfig({ config: { ...project.config, metric: { ...project.config!.metric, name: '' } } });
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.find((e) => e.path === 'metric.name')?.message).toMatch(/Name the metric/);

    // The demo trains a fixed 5,000 steps (about a second here); its time cap is only a cap, set well above that
    // so a loaded machine still logs every step line the curve test below reads (a 1 s cap left one line in CI).
    const fast = { ...project.config!, budget: { seconds: 30, timeoutSeconds: 90, graceSeconds: 1 } };
    const saved = await studio.api.saveConfig({ config: fast });
    expect(saved.ok).toBe(true);

    const { tag } = await studio.api.startRun({ tag: 'ui', maxExperiments: 2 });
    await waitFor(() => events.some((e) => e.type === 'notice' && /Run ui stopped/.test(e.message)), 120_000);

    const detail = await studio.api.getRun({ tag });
    expect(detail.experiments.map((e) => e.id)).toEqual([0, 1, 2]);
    expect(detail.state).toBe('stopped');
    expect(detail.stopReason).toBe('max-experiments');
    expect(detail.experimentsTotal).toBe(3);
    // Pages of experiments, for runs too large to send in one message.
    const page = await studio.api.getRun({ tag, offset: 1, limit: 1 });
    expect(page.experiments.map((e) => e.id)).toEqual([1]);
    expect(page).toMatchObject({ experimentsOffset: 1, experimentsTotal: 3, best: detail.best });
    // Events carried every experiment's end and batched output, with increasing seq.
    const ends = events.filter((e) => e.type === 'experiment' && e.experiment.status !== 'running');
    expect(new Set(ends.map((e) => (e.type === 'experiment' ? e.experiment.id : -1)))).toEqual(new Set([0, 1, 2]));
    expect(events.some((e) => e.type === 'log' && e.text.includes('val_bpb'))).toBe(true);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    // eventsSince returns what a reconnecting client missed.
    const missed = await studio.api.eventsSince({ seq: seqs[seqs.length - 5]! });
    expect(missed.complete).toBe(true);
    expect(missed.events.map((e) => e.seq)).toEqual(seqs.slice(-4));

    // Diff against the parent shows the mutated constant; the log reads by lines.
    const diff = await studio.api.getDiff({ tag, id: 1, against: 'parent' });
    expect(diff.diff).toMatch(/^-const [A-Z_]+ = /m);
    // One changed line per mutated constant (the proposer may change one or two: "A 1 → 2, B 3 → 4").
    const mutated = detail.experiments[1]!.description.split(', ').length;
    expect(diff.files).toEqual([expect.objectContaining({ path: 'train.mjs', additions: mutated, deletions: mutated })]);
    const info = await studio.api.logInfo({ tag, id: 0 });
    expect(info.lines).toBeGreaterThan(3);
    const tail = await studio.api.readLogLines({ tag, id: 0, start: Math.max(0, info.lines - 8), count: 8 });
    expect(tail.lines.join('\n')).toMatch(/val_bpb:\s+\d/);
    // \r progress lines are collapsed to what a terminal shows.
    expect(tail.lines.every((l) => !l.includes('\r'))).toBe(true);

    // The metric test works on the last experiment's log and on pasted text.
    const tested = await studio.api.testMetric({ metric: fast.metric });
    expect(tested.value).toBeGreaterThan(0);
    const pasted = await studio.api.testMetric({ metric: fast.metric, text: 'loss: 3\n' });
    expect(pasted.value).toBeNull();
    expect(pasted.error).toMatch(/val_bpb/);
    // So does early stopping's pattern test: the demo's \r progress lines are points of its curve, step → loss.
    const curve = await studio.api.testCurve({ pattern: 'step (\\d+) .*loss: ([0-9.]+)' });
    expect(curve).toMatchObject({ axis: 'step', error: null });
    expect(curve.matchedLines).toBeGreaterThan(5);
    expect(curve.points.map(([x]) => x)).toEqual([...curve.points.map(([x]) => x)].sort((a, b) => a - b));
    expect(curve.points[0]![0]).toBe(200);
    expect(curve.points.every(([, v]) => v > 0 && v < 10)).toBe(true);
    expect(await studio.api.testCurve({ pattern: 'step (\\d+) .*val_loss: ([0-9.]+)' })).toMatchObject({ points: [], matchedLines: 0, error: expect.stringMatching(/matched no line/) });
    expect(await studio.api.testCurve({ pattern: '(step) (\\d+) (x)', text: 'step 1 x' })).toMatchObject({ points: [], error: expect.stringMatching(/3 capture groups/) });
    expect(await studio.api.testCurve({ pattern: 'loss ([0-9.]+', text: 'loss 1' })).toMatchObject({ points: [], error: expect.any(String) });
    // A last log that cannot be read says so, rather than "the metric was not found".
    const lastLog = path.join(runPaths(project.dir, tag).dir, detail.experiments.at(-1)!.logPath!);
    renameSync(lastLog, `${lastLog}.aside`);
    mkdirSync(lastLog);
    expect(await studio.api.testMetric({ metric: fast.metric })).toMatchObject({ value: null, error: expect.stringMatching(/^Cannot read the last experiment's log \(EISDIR.*Paste some output/) });
    expect(await studio.api.testCurve({ pattern: 'loss: ([0-9.]+)' })).toMatchObject({ points: [], error: expect.stringMatching(/^Cannot read the last experiment's log \(EISDIR.*to test the pattern/) });
    rmSync(lastLog, { recursive: true });
    renameSync(`${lastLog}.aside`, lastLog);

    const files = await studio.api.listFiles({});
    expect(files.files.map((f) => f.path)).toEqual(expect.arrayContaining(['train.mjs', 'prepare.mjs', 'data', 'data/corpus.txt']));

    const report = await studio.api.exportReport({ tag, format: 'md' });
    expect(report.content).toMatch(/val\\?_bpb/);
    expect(readFileSync(report.path, 'utf8')).toBe(report.content);
    // The preview renders the same report as HTML and writes nothing beside the exported file.
    const reports = path.dirname(report.path);
    const before = readdirSync(reports).sort();
    const preview = await studio.api.previewReport({ tag });
    expect(preview.content).toMatch(/^<!doctype html>/i);
    expect(preview.content).toContain(tag);
    expect(readdirSync(reports).sort()).toEqual(before);
    await expect(studio.api.previewReport({ tag: 'nosuchrun' })).rejects.toThrow(/nosuchrun/);
  });

  it('pauses, steers and stops a live run; the stop kills the experiment and records it as interrupted', async () => {
    const { studio, events } = await makeStudio();
    const project = await studio.api.createDemo({});
    await studio.api.saveConfig({ config: { ...project.config!, budget: { seconds: 30, timeoutSeconds: 60, graceSeconds: 1 } } });
    const { tag } = await studio.api.startRun({ tag: 'live' });
    await waitFor(() => events.some((e) => e.type === 'log' && e.id === 0));
    const snap = await studio.api.snapshot({});
    expect(snap.live?.slots[0]?.phase).toBe('running');
    expect(snap.live?.slots[0]?.experimentId).toBe(0);
    await studio.api.steer({ note: 'try a larger learning rate' });
    await studio.api.stopRun({});
    await waitFor(() => events.some((e) => e.type === "notice" && /Run live stopped/.test(e.message)));
    const detail = await studio.api.getRun({ tag });
    expect(detail.experiments[0]!.status).toBe('interrupted');
    expect(detail.steering.map((s) => s.note)).toEqual(['try a larger learning rate']);
    expect(detail.stopReason).toBe('user');
    const journal = readFileSync(runPaths(project.dir, tag).journal, 'utf8');
    expect(journal).toContain('"type":"process-end"');
    await expect(studio.api.steer({ note: 'x' })).rejects.toThrow(/No run is live/);
  });

  it('says what to do when no project is open or a path does not exist', async () => {
    const { studio } = await makeStudio();
    await expect(studio.api.listFiles({})).rejects.toThrow(/Open a project first/);
    await expect(studio.api.openProject({ dir: path.join(tempDir(), 'missing') })).rejects.toThrow(/does not exist/);
  });
});
