// Issue 21 item 6: the fold snapshot follows a live run, so a reopen after kill -9 reads the snapshot and a short
// tail. A real process writes the journal through the real writer and snapshot keeper and is SIGKILLed at a
// seeded moment; the snapshot (taken mid-run) plus the journal's tail must fold to exactly the record a full
// parse of the journal gives, and the reopen's summary view (status, the run list) to the same figures, also when
// the kill tore the last line.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, truncateSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregatesOf, foldEvents, type RunRecord } from '../../src/core/journal/fold.js';
import { loadRunRecord, readRunView } from '../../src/core/journal/read.js';
import { scanJournal } from '../../src/core/journal/scan.js';
import { readSnapshot } from '../../src/core/journal/snapshot.js';
import { buildCli, runCli } from '../helpers/cli.js';
import { REPO_ROOT } from '../helpers/project.js';

let root = '';
let writer = '';

beforeAll(async () => {
  root = mkdtempSync(path.join(os.tmpdir(), 'ar-reopen-'));
  writer = path.join(root, 'reopen-writer.mjs');
  await build({ entryPoints: [path.join(REPO_ROOT, 'test', 'helpers', 'reopen-writer.ts')], outfile: writer, bundle: true, platform: 'node', format: 'esm', logLevel: 'warning' }); // zod bundled in: the file lies outside the repository
  buildCli();
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Run the writer and SIGKILL it once it has appended `killAfter` live experiments. */
function writeAndKill(runDir: string, opts: { prefix: number; live: number; killAfter: number; seed: number }): Promise<{ snapshotsTaken: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [writer, '--run-dir', runDir, '--prefix', String(opts.prefix), '--live', String(opts.live), '--seed', String(opts.seed), '--every-bytes', '6000'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let taken = 0;
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = [...out.matchAll(/^live (\d+) (\d+)$/gm)].pop();
      if (m && Number(m[1]) - opts.prefix + 1 >= opts.killAfter && child.exitCode === null && !child.killed) {
        taken = Number(m[2]);
        child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve({ snapshotsTaken: taken }) : reject(new Error(`the writer was not killed (exit ${code}): ${err}`))));
  });
}

/** A record as plain data (Maps as entry lists, in their order) so two can be compared exactly. */
const plain = (r: RunRecord): unknown => JSON.parse(JSON.stringify(r, (_k, v: unknown) => (v instanceof Map ? { map: [...v.entries()] } : v)));

describe('reopening a run killed with SIGKILL', () => {
  const cases = [
    { seed: 11, prefix: 120, killAfter: 23, tear: false },
    // Over 1,000 experiments: the snapshot's rows come in several blocks.
    { seed: 12, prefix: 1100, killAfter: 57, tear: true },
    { seed: 13, prefix: 120, killAfter: 8, tear: true },
  ];
  for (const c of cases) {
    it(`folds the mid-run snapshot plus the tail to the full parse (seed ${c.seed}, killed after ${c.killAfter}${c.tear ? ', last line torn' : ''})`, async () => {
      const runDir = path.join(root, `run-${c.seed}`, '.autoresearch', 'runs', 'big');
      const journal = path.join(runDir, 'journal.jsonl');
      const { snapshotsTaken } = await writeAndKill(runDir, { prefix: c.prefix, live: 400, killAfter: c.killAfter, seed: c.seed });
      if (c.tear) {
        // A kill in the middle of a write leaves part of a line: cut the last line as such a kill would.
        const text = readFileSync(journal, 'utf8');
        const lastStart = text.lastIndexOf('\n', text.length - 2) + 1;
        truncateSync(journal, Buffer.byteLength(text.slice(0, lastStart + Math.floor((text.length - lastStart) / 2))));
      }
      const size = statSync(journal).size;
      const snap = await readSnapshot(runDir);
      expect(snapshotsTaken).toBeGreaterThan(0);
      // The snapshot is one the live session took: past the earlier session's bytes, short of the journal's end.
      expect(snap).not.toBeNull();
      expect(snap!.mark.file).toBeNull();
      expect(snap!.mark.offset).toBeGreaterThan(0);
      expect(snap!.mark.offset).toBeLessThan(size);

      const full = await scanJournal(journal);
      const expected = foldEvents(full.events);
      if (c.tear) expect(full.badLines).toEqual([full.lines + 1]);

      // The summary view (what status and the Studio's run list read): no experiment rows, the same figures.
      const view = await readRunView(path.join(root, `run-${c.seed}`), 'big', { snapshotAfterBytes: Infinity });
      expect(view.complete).toBe(false);
      expect(view.aggregates).toEqual(aggregatesOf(expected));
      expect(view.experimentsTotal).toBe(expected.experiments.size);
      expect([...view.badLines]).toEqual(full.badLines);
      const { experiments: _e, ...head } = expected;
      const { experiments: _v, ...viewHead } = view.record;
      expect(plain(viewHead as RunRecord)).toEqual(plain(head as RunRecord));
      const rows = [...expected.experiments.values()].sort((a, b) => a.id - b.id);
      expect(await view.page(0, rows.length + 5)).toEqual(rows);
      expect(await view.page(rows.length - 7, 5)).toEqual(rows.slice(rows.length - 7, rows.length - 2));

      // The real `autoresearch status` on the killed run: the same figures (a dead run's running one is interrupted).
      const cli = await runCli(['status', path.join(root, `run-${c.seed}`), '--json']);
      expect(cli.stderr).toBe('');
      const [printed] = (JSON.parse(cli.stdout) as { runs: { summary: { counts: Record<string, number> }; badLines: number[]; interrupted: boolean }[] }).runs;
      const counts = aggregatesOf(expected).counts;
      expect(printed!.summary.counts).toEqual({ ...counts, running: 0, interrupted: counts.interrupted + counts.running });
      expect(printed!.badLines).toEqual(full.badLines);
      expect(printed!.interrupted).toBe(true);

      // The full record from the snapshot and the tail: exactly the full parse, experiments in the same order.
      const loaded = await loadRunRecord(runDir, journal, { snapshotAfterBytes: Infinity });
      expect(loaded.badLines).toEqual(full.badLines);
      expect(plain(loaded.record)).toEqual(plain(expected));
      // And the snapshot was what it read (its mark is still the live one: nothing rewrote it).
      expect((await readSnapshot(runDir))!.mark.offset).toBe(snap!.mark.offset);
    });
  }
});
