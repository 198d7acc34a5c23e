// Ablation of a run's result (issue #22 item 5), through the real CLI bundle: a demo-like run with four keeps (two
// real, one null change that only re-rolls the seed noise, one that no longer reverse-applies), its trainer run
// in the sandbox under paired seeds. The table must call the null keep indistinguishable from 0, the real ones
// clearly positive, the entangled one "did not apply"; finalize --min-contribution then leaves the null one out.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AblationSchema } from '../../src/shared/ablation.js';
import { buildCli, runCli, spawnCli } from '../helpers/cli.js';
import { makeAblationRun } from '../helpers/ablation-run.js';
import { cleanupTempDirs, git } from '../helpers/project.js';

afterEach(cleanupTempDirs);
beforeAll(buildCli, 60_000);

describe('autoresearch ablate', () => {
  it('tells the keeps that carry the result from a null change, under paired seeds, and finalize leaves the null one out', async () => {
    const { dir } = await makeAblationRun('t');
    const bestTree = git(dir, 'rev-parse', 'autoresearch/t^{tree}').trim();

    // finalize --min-contribution before any ablation: a clear error that says what to run.
    const early = await runCli(['finalize', '--tag', 't', '--min-contribution', '0.03'], { cwd: dir });
    expect(early.code).not.toBe(0);
    expect(early.stderr).toContain('run `autoresearch ablate --tag t` first');

    const res = await runCli(['ablate', '--tag', 't'], { cwd: dir, timeoutMs: 120_000 });
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0);
    const ablation = AblationSchema.parse(JSON.parse(readFileSync(path.join(dir, '.autoresearch', 'runs', 't', 'ablation.json'), 'utf8')));
    expect(ablation.seeds).toEqual([1, 2, 3]);
    expect(ablation.repeats).toBe(3);
    expect(ablation.best.every((v) => v !== null)).toBe(true);
    const row = (id: number) => ablation.rows.find((r) => r.id === id)!;
    expect(ablation.rows.map((r) => r.id)).toEqual([1, 2, 3, 4]);

    // #1's line was rewritten by #4: reverse-applying it conflicts, and the row says so.
    expect(row(1).verdict).toBe('did-not-apply');
    expect(row(1).reason).toContain('train.mjs');
    // The null change: an interval containing 0.
    expect(row(2).verdict).toBe('null');
    expect(row(2).ciLow!).toBeLessThan(0);
    expect(row(2).ciHigh!).toBeGreaterThan(0);
    // The real ones: clearly positive (their true effects are 0.06 and 0.10 against noise of ±0.01).
    for (const [id, effect] of [[3, 0.06], [4, 0.1]] as const) {
      expect(row(id).verdict).toBe('carries');
      expect(row(id).ciLow!).toBeGreaterThan(0);
      expect(Math.abs(row(id).contribution! - effect)).toBeLessThan(0.02);
    }
    // Each ablated version is the best with exactly that keep undone, kept reachable for inspection.
    expect(git(dir, 'diff', 'autoresearch/t', 'refs/autoresearch/t/ablation/3')).toMatch(/-const B = 1;\n\+const B = 0;/);
    expect(git(dir, 'rev-parse', 'refs/autoresearch/t/ablation/3^').trim()).toBe(git(dir, 'rev-parse', 'autoresearch/t').trim());

    // Paired seeds: every version ran under seeds 1, 2, 3 (the trainer prints the seed it got).
    const logs = path.join(dir, '.autoresearch', 'runs', 't', 'logs');
    for (const name of ['best', 'without-2', 'without-3', 'without-4']) {
      const seeds = [1, 2, 3].map((r) => readFileSync(path.join(logs, `ablation.${r}.${name}.log`), 'utf8').match(/seed:\s+(\d+)/)?.[1]);
      expect(seeds).toEqual(['1', '2', '3']);
    }
    expect(readdirSync(logs).filter((f) => f.includes('without-1'))).toEqual([]);

    // The table in the terminal.
    expect(res.stdout).toMatch(/#2 +Reorder the random calls \(ORDER → 1\) .*not distinguishable from 0/);
    expect(res.stdout).toMatch(/#3 +B → 1 .*carries the result/);
    expect(res.stdout).toMatch(/#1 +A → 1 .*did not apply/);

    // Both reports carry the table.
    for (const format of ['md', 'html'] as const) {
      const out = path.join(dir, `report.${format}`);
      const rep = await runCli(['report', '--tag', 't', '--format', format, '--out', out], { cwd: dir });
      expect(rep.code).toBe(0);
      const text = readFileSync(out, 'utf8');
      expect(text).toContain('Ablation: which keeps carry the result');
      expect(text).toContain('3 paired runs each under seeds 1, 2, 3');
      if (format === 'md') {
        expect(text).toMatch(/\| 2 \| Reorder the random calls \(ORDER → 1\) \| [−+]?0\.\d+ \| \[−0\.\d+, \+0\.\d+\] \| not distinguishable from 0 \|/);
        expect(text).toMatch(/\| 4 \| A → 2 \| \+0\.\d+ \| \[\+0\.\d+, \+0\.\d+\] \| \*\*carries the result\*\* \|/);
        expect(text).toMatch(/\| 1 \| A → 1 \| — \| — \| did not apply — later keeps changed the same lines \(train\.mjs\)/);
      } else {
        expect(text).toMatch(/<tr class="null"><td class="num">#2<\/td>/);
        expect(text).toMatch(/<tr class="carries"><td class="num">#3<\/td>/);
      }
    }

    // finalize --min-contribution leaves out the null keep and lists it; the others stay.
    const fin = await runCli(['finalize', '--tag', 't', '--min-contribution', '0.03'], { cwd: dir });
    expect(fin.stderr).toBe('');
    expect(fin.code).toBe(0);
    expect(fin.stdout).toMatch(/left out: #2 contributes [−+]?\d\.\d+ val_bpb in the ablation, below --min-contribution 0\.03: left out\./);
    expect(fin.stdout).not.toMatch(/left out: #[134]/);
    const final = git(dir, 'show', 'autoresearch/t-final:train.mjs');
    expect(final).toContain('const ORDER = 0;');
    expect(final).toContain('const A = 2;');
    expect(final).toContain('const B = 1;');
    // The run's own best is untouched.
    expect(git(dir, 'rev-parse', 'autoresearch/t^{tree}').trim()).toBe(bestTree);
  }, 180_000);

  it('says what to do for a run that does not exist or bad repeats', async () => {
    const { dir } = await makeAblationRun('t');
    const bad = await runCli(['ablate', '--tag', 't', '--repeats', '1'], { cwd: dir });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--repeats must be a whole number from 2 to 100');
    const none = await runCli(['ablate', '--tag', 'nope'], { cwd: dir });
    expect(none.code).not.toBe(0);
    expect(none.stderr.trim().split('\n')).toHaveLength(1);
    expect(none.stderr).toContain('nope');
  }, 60_000);

  it('stops on Ctrl+C: the trainer runs end, nothing is saved, and the message says so', async () => {
    const { dir } = await makeAblationRun('c');
    const child = spawnCli(['ablate', '--tag', 'c', '--repeats', '50'], { cwd: dir });
    let out = '';
    let err = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // The first progress line: trainer runs are under way.
    for (let t0 = Date.now(); !/\d+\/\d+ /.test(out); ) {
      if (Date.now() - t0 > 90_000) throw new Error(`no progress line: ${out}${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill('SIGINT');
    const code = await exited;
    expect(code).not.toBe(0);
    expect(err).toContain('The ablation was stopped before it finished; nothing was saved.');
    expect(existsSync(path.join(dir, '.autoresearch', 'runs', 'c', 'ablation.json'))).toBe(false);
  }, 150_000);
});
