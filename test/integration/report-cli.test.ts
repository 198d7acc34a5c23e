// `autoresearch report`, end to end: the bundled CLI (scripts/build-cli.mjs → bin/autoresearch.mjs) run as
// a real process, plus the command's error paths called in-process with a captured io.
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/cli/commands/report.js';
import { CliError, type CliIo } from '../../src/cli/io.js';
import { runPaths } from '../../src/core/project/paths.js';
import { makeExperiment, makeGitRun, writeRunJournal } from '../fixtures/make-run.js';

const run = promisify(execFile);
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const fixtureTsv = path.join(repoRoot, 'test', 'fixtures', 'autoresearch-h100-mar8-results.tsv');
// The example in karpathy/autoresearch's program.md: baseline keep, one keep, one discard, one crash.
const exampleTsv = path.join(repoRoot, 'test', 'fixtures', 'autoresearch-example-results.tsv');

let root: string;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'ar-report-cli-'));
  await run(process.execPath, ['scripts/build-cli.mjs'], { cwd: repoRoot });
}, 120_000);

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function cli(args: readonly string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(repoRoot, 'bin', 'autoresearch.mjs'), ...args], { cwd, env: { ...process.env, CI: 'true' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function captureIo(cwd: string): CliIo & { readonly output: () => string; readonly errors: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => (out += t),
    err: (t) => (err += t),
    cwd,
    env: {},
    appVersion: '0.0.0-test',
    appRoot: repoRoot,
    output: () => out,
    errors: () => err,
  };
}

async function commandError(argv: readonly string[], cwd: string): Promise<string> {
  try {
    await reportCommand.run(argv, captureIo(cwd));
  } catch (err) {
    expect(err).toBeInstanceOf(CliError);
    return (err as Error).message;
  }
  throw new Error(`expected "report ${argv.join(' ')}" to fail`);
}

describe('autoresearch report --from-tsv (built CLI)', () => {
  it('writes the HTML report of the real H100 results.tsv and prints its path', async () => {
    const out = path.join(root, 'h100.html');
    const r = await cli(['report', '--from-tsv', fixtureTsv, '--out', out], root);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(out);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('<div class="label">Baseline</div><div class="value">0.997900</div>');
    expect(html).toContain('<div class="label">Best</div><div class="value">0.969686</div>');
    expect(html).toContain('<div class="label">Experiments</div><div class="value">126</div>');
    expect(html).toContain('<div class="label">Kept</div><div class="value">22</div><div class="sub">baseline not counted</div>');
    expect(html).toContain('<div class="label">Keep rate (autoresearch notebook)</div><div class="value">18.4 %</div>');
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('writes Markdown when asked, next to the current folder by default', async () => {
    const r = await cli(['report', '--from-tsv', fixtureTsv, '--format', 'md'], root);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(path.join(root, 'autoresearch-h100-mar8-results-report.md'));
    const md = await readFile(r.stdout.trim(), 'utf8');
    expect(md).toContain('| Kept | 22 (baseline not counted) |');
  });

  it("shows the autoresearch notebook's keep rate of its example results.tsv (66.7 %), labelled as such, beside ours", async () => {
    const out = path.join(root, 'example.html');
    expect((await cli(['report', '--from-tsv', exampleTsv, '--out', out], root)).code).toBe(0);
    const html = await readFile(out, 'utf8');
    expect(html).toContain('<div class="label">Keep rate (autoresearch notebook)</div><div class="value">66.7 %</div><div class="sub">2 of 3 keeps + discards · baseline counted, crashes excluded</div>');
    expect(html).toContain('<div class="label">Keep rate</div><div class="value">33.3 %</div>');
    const md = await cli(['report', '--from-tsv', exampleTsv, '--format', 'md', '--out', path.join(root, 'example.md')], root);
    expect(md.code).toBe(0);
    expect(await readFile(path.join(root, 'example.md'), 'utf8')).toContain('| Keep rate (autoresearch notebook) | 66.7 % (2 of 3 keeps + discards); baseline counted, crashes excluded |');
  });

  it('asks for the direction when the metric name does not tell, and exits non-zero', async () => {
    const tsv = path.join(root, 'acc.tsv');
    await writeFile(tsv, 'commit\taccuracy\tmemory_gb\tstatus\tdescription\na\t0.8\t1\tkeep\tbaseline\n');
    const r = await cli(['report', '--from-tsv', tsv, '--out', path.join(root, 'acc.html')], root);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^autoresearch report: acc\.tsv: Cannot tell whether a lower or a higher accuracy is better\. Pass --metric-direction min/);
    await expect(stat(path.join(root, 'acc.html'))).rejects.toThrow();
    const ok = await cli(['report', '--from-tsv', tsv, '--out', path.join(root, 'acc.html'), '--metric-direction', 'max'], root);
    expect(ok.code).toBe(0);
  });
});

describe('autoresearch report DIR (built CLI)', () => {
  it('writes the newest run to .autoresearch/reports/<tag>.html by default', async () => {
    const project = path.join(root, 'proj');
    await makeGitRun(project, {
      tag: 'older',
      baseline: 1,
      baselineTrainPy: 'lr = 0.1\n',
      steps: [{ status: 'keep', metric: 0.9, description: 'lr 0.2', trainPy: 'lr = 0.2\n' }],
    });
    await writeRunJournal(project, { tag: 'newer', experiments: [makeExperiment({ id: 0, metric: 2 })] });
    // listRunTags orders by journal time: make "older" clearly older.
    const old = new Date(Date.now() - 3_600_000);
    await utimes(runPaths(project, 'older').journal, old, old);

    const r = await cli(['report', project], root);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(path.join(project, '.autoresearch', 'reports', 'newer.html'));

    const tagged = await cli(['report', '--tag', 'older', '--format', 'md'], project);
    expect(tagged.code).toBe(0);
    expect(tagged.stdout.trim()).toBe(path.join(project, '.autoresearch', 'reports', 'older.md'));
    expect(await readFile(tagged.stdout.trim(), 'utf8')).toContain('+lr = 0.2');
  });
});

describe('autoresearch report: errors say what to do', () => {
  it('rejects conflicting or unknown options', async () => {
    expect(await commandError(['--format', 'pdf'], root)).toMatch(/--format must be html or md, not "pdf"/);
    expect(await commandError(['--format', 'md', '--out', 'r.html'], root)).toMatch(/--format md does not match --out r\.html/);
    expect(await commandError(['--metric-direction', 'up', '--from-tsv', 'x.tsv'], root)).toMatch(/--metric-direction must be min .* or max/);
    expect(await commandError(['--bogus'], root)).toMatch(/Unknown option '--bogus'[\s\S]*Usage:/);
    expect(await commandError(['a', 'b'], root)).toMatch(/Give one project folder, not 2/);
    expect(await commandError(['--from-tsv', fixtureTsv, '--tag', 'x'], root)).toMatch(/leave out the project folder and --tag/);
    expect(await commandError(['--metric-direction', 'min'], root)).toMatch(/--metric-direction is for --from-tsv/);
  });

  it('explains a missing file, a folder given as the tsv, and a bad tsv', async () => {
    expect(await commandError(['--from-tsv', 'missing.tsv'], root)).toMatch(/There is no file .*missing\.tsv\. Check the path given to --from-tsv/);
    expect(await commandError(['--from-tsv', root], root)).toMatch(/is a folder; --from-tsv needs the results\.tsv file/);
    const bad = path.join(root, 'bad.tsv');
    await writeFile(bad, 'commit,val_bpb,status\n');
    expect(await commandError(['--from-tsv', bad], root)).toMatch(/^bad\.tsv: The header .* has one column.*tabs/);
  });

  it('explains a project without runs, a missing run and a tsv given as the folder', async () => {
    const empty = path.join(root, 'empty');
    await mkdir(empty, { recursive: true });
    expect(await commandError([empty], root)).toMatch(/There are no runs in .*empty yet\. Start one with `autoresearch run`, or .*--from-tsv FILE/);
    expect(await commandError([path.join(root, 'nowhere')], root)).toMatch(/There is no folder .*nowhere/);
    const tsvCopy = path.join(root, 'results.tsv');
    await copyFile(fixtureTsv, tsvCopy);
    expect(await commandError([tsvCopy], root)).toMatch(/is not a folder\. To build a report from a results\.tsv, use: autoresearch report --from-tsv/);
    const project = path.join(root, 'one-run');
    await writeRunJournal(project, { tag: 'mar8', experiments: [makeExperiment({ id: 0, metric: 1 })] });
    expect(await commandError([project, '--tag', 'mar9'], root)).toMatch(/There is no run "mar9".* Runs here: mar8\./);
    expect(await commandError([project, '--tag', '../x'], root)).toMatch(/"\.\.\/x" is not a run tag/);
  });

  it('prints its help', async () => {
    const io = captureIo(root);
    expect(await reportCommand.run(['--help'], io)).toBe(0);
    expect(io.output()).toContain('autoresearch report --from-tsv FILE');
  });
});
