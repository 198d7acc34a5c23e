// Reports from a real run: a real git repository, a journal written with the app's own writer, and the
// kept improvements' diffs read back from git.
import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RunNotFoundError } from '../../src/core/journal/read.js';
import { exportRunReport, renderRunReport } from '../../src/core/report/export.js';
import { loadReportFromProject } from '../../src/core/report/load-project.js';
import { buildReportModel } from '../../src/core/report/model.js';
import { runPaths } from '../../src/core/project/paths.js';
import { makeExperiment, makeGitRun, writeRunJournal, type GitRun } from '../fixtures/make-run.js';

const BASE = 'lr = 0.1\ndepth = 8\nseed = 42\n';
const NOW = () => new Date('2026-03-09T08:00:00.000Z');

let root: string;
let project: string;
let run: GitRun;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ar-report-project-'));
  project = path.join(root, 'nanochat');
  run = await makeGitRun(project, {
    tag: 'mar8',
    baseline: 0.9979,
    baselineTrainPy: BASE,
    noiseValues: [0.9979, 0.9985, 0.9973],
    steps: [
      { status: 'keep', metric: 0.986, description: 'raise lr to 0.2', trainPy: 'lr = 0.2\ndepth = 8\nseed = 42\n' },
      { status: 'discard', metric: 0.99, description: 'depth 9 (too slow)', trainPy: 'lr = 0.2\ndepth = 9\nseed = 42\n' },
      { status: 'crash', metric: null, description: 'typo <script>alert(1)</script>', trainPy: 'lr = 0.2\ndepth = 8\nseed = 42\nbroken(\n' },
      { status: 'keep', metric: 0.981, description: 'depth 10', trainPy: 'lr = 0.2\ndepth = 10\nseed = 42\n' },
      { status: 'rejected', metric: null, description: 'edited prepare.py', trainPy: null },
    ],
  });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('loadReportFromProject', () => {
  it('reads the run from the journal and each kept diff from git, against its parent', async () => {
    const input = await loadReportFromProject(project, 'mar8', { now: NOW });
    const model = buildReportModel(input);
    expect(model.source).toMatchObject({ kind: 'project', tag: 'mar8', branch: 'autoresearch/mar8', projectName: 'nanochat', proposer: 'mutation' });
    expect(model.figures).toMatchObject({ baseline: 0.9979, best: 0.981, bestId: 4, experiments: 6, keepRows: 3, keptImprovements: 2, failures: 2 });
    expect(model.improvements.map((k) => k.id)).toEqual([1, 4]);

    const [lr, depth] = model.improvements;
    expect(lr!.diff).toContain('-lr = 0.1');
    expect(lr!.diff).toContain('+lr = 0.2');
    expect(lr!.diff).not.toMatch(/^[-+]depth/m);
    // The second keep is diffed against the first keep's commit, not the baseline.
    expect(depth!.parentCommit).toBe(run.experiments[1]!.commit);
    expect(depth!.diff).toContain('-depth = 8');
    expect(depth!.diff).toContain('+depth = 10');
    expect(depth!.diff).not.toMatch(/^[-+]lr/m);
    expect(model.warnings).toEqual([]);
    // The noise floor from the baseline repeats (sample std of 0.9979, 0.9985, 0.9973 = 0.0006).
    expect(model.noiseFloor).toBeCloseTo(0.0006, 9);
  });

  it('exports HTML with the kept diffs (and no discarded one) into .autoresearch/reports/<tag>.html', async () => {
    const written = await exportRunReport(project, 'mar8', 'html', { now: NOW, appVersion: '9.9.9' });
    expect(written.path).toBe(path.join(project, '.autoresearch', 'reports', 'mar8.html'));
    expect(written.fileName).toBe('mar8.html');
    expect(await readFile(written.path, 'utf8')).toBe(written.content);
    const html = written.content;
    expect(html).toContain('<span class="dd">-lr = 0.1</span>');
    expect(html).toContain('<span class="da">+depth = 10</span>');
    expect(html).not.toContain('+depth = 9');
    expect(html).not.toContain('<script>');
    expect(html).toContain('typo &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/https?:\/\//);
    expect(html).toContain('<h1>nanochat · mar8</h1>');
    expect(html).toContain('Autoresearch Studio 9.9.9');
    expect(html).toContain('<rect class="pc-band"');
  });

  it('exports Markdown with the kept diffs in diff fences', async () => {
    const written = await exportRunReport(project, 'mar8', 'md', { now: NOW });
    expect(written.fileName).toBe('mar8.md');
    const text = await readFile(written.path, 'utf8');
    expect(text).toMatch(/### #1 raise lr to 0\.2\n\nval\\_bpb \*\*0\.986000\*\* -0\.011900 \(-1\.19 %\) better · from 0\.997900 · commit `[0-9a-f]{7}` · train\.py\n\n```diff\ndiff --git a\/train\.py b\/train\.py\n/);
    expect(text).toContain('-depth = 8\n+depth = 10\n');
    expect(text).toContain('| Kept | 2 (baseline not counted) |');
  });

  it('says which diff could not be read instead of failing the report', async () => {
    const dir = path.join(root, 'gone');
    const gitRun = await makeGitRun(dir, {
      tag: 't1',
      baseline: 1,
      baselineTrainPy: BASE,
      steps: [{ status: 'keep', metric: 0.9, description: 'lr', trainPy: 'lr = 0.3\n' }],
    });
    // Rewrite the journal so the keep points at a commit that does not exist.
    const experiments = gitRun.experiments.map((e) => (e.id === 1 ? { ...e, commit: 'f'.repeat(40) } : e));
    await rm(runPaths(dir, 't1').journal);
    await writeRunJournal(dir, { tag: 't1', experiments, startCommit: gitRun.startCommit });
    const model = buildReportModel(await loadReportFromProject(dir, 't1', { now: NOW }));
    expect(model.improvements[0]!.diff).toBeNull();
    expect(model.improvements[0]!.diffNote).toMatch(/The diff could not be read from git \(.+\)\. The commit may have been removed/);
  });

  it('reports journal lines it could not read, and still shows the rest', async () => {
    const dir = path.join(root, 'torn');
    await writeRunJournal(dir, { tag: 't2', experiments: [makeExperiment({ id: 0, metric: 1 }), makeExperiment({ id: 1, status: 'discard', metric: 1.1 })] });
    await appendFile(runPaths(dir, 't2').journal, '{"type":"experiment-end","at":"2026-03-0');
    const model = buildReportModel(await loadReportFromProject(dir, 't2', { now: NOW }));
    expect(model.rows).toHaveLength(2);
    expect(model.warnings.join(' ')).toMatch(/1 line of the journal could not be read \(line \d+\) and is left out of this report/);
  });

  it('names the runs that exist when the tag is wrong', async () => {
    await expect(loadReportFromProject(project, 'nope')).rejects.toBeInstanceOf(RunNotFoundError);
    await expect(exportRunReport(project, 'nope', 'html')).rejects.toThrow(/There is no run "nope".*autoresearch status/);
  });
});

describe('secrets in a report', () => {
  // A kept change that pasted a key into train.py: its diff comes from git as committed. What the app writes,
  // hands to the browser for download, and previews in the Reports view must all name the key, never show it.
  const NAME = 'REPORT_TEST_API_KEY';
  const VALUE = 'sk-report-test-9f8e7d6c5b4a';
  let dir: string;
  beforeAll(async () => {
    dir = path.join(root, 'leaky');
    await makeGitRun(dir, {
      tag: 'leak',
      baseline: 1,
      baselineTrainPy: BASE,
      steps: [{ status: 'keep', metric: 0.9, description: 'use the key', trainPy: `${BASE}key = "${VALUE}"\n` }],
    });
    process.env[NAME] = VALUE;
  });
  afterAll(() => {
    delete process.env[NAME];
  });

  it('is redacted in the file written, in the content returned with it, and in the preview, in both formats', async () => {
    for (const format of ['html', 'md'] as const) {
      const written = await exportRunReport(dir, 'leak', format, { now: NOW });
      const file = await readFile(written.path, 'utf8');
      expect(file).not.toContain(VALUE);
      expect(file).toContain(`[redacted ${NAME}]`);
      expect(written.content).toBe(file);
      const preview = await renderRunReport(dir, 'leak', format, { now: NOW });
      expect(preview).toBe(file);
    }
  });
});
