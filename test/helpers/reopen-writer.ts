// A journal writer process for the reopen test and bench/reopen: it writes a run's journal the way the loop does
// (each event folded into the in-memory record, then appended through the real journal writer wrapped by the
// live snapshot keeper), and is meant to be killed with SIGKILL at a random moment.
//
// An "earlier session" of `--prefix` experiments is written first in bulk (no fsync per line, which would take
// 3 ms an event here) and closed with a snapshot the way a clean stop leaves one; then the live session appends
// `--live` experiments through the real writer, printing `live <id>` after each, until it ends or is killed.
// Bundled with esbuild and run by node: node reopen-writer.mjs --run-dir DIR --prefix N --live M [--seed S]
// [--every-bytes B] (B: the keeper's snapshot interval, to make tests take many snapshots).
import { createHash } from 'node:crypto';
import { mkdirSync, openSync, writeSync, closeSync } from 'node:fs';
import path from 'node:path';
import { ProjectConfigSchema } from '../../src/shared/config.js';
import type { Experiment } from '../../src/shared/experiment.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import { openJournalWriter } from '../../src/core/journal/append.js';
import { emptyRunRecord, foldEvent } from '../../src/core/journal/fold.js';
import { keepSnapshots } from '../../src/core/journal/live-snapshot.js';
import { probeJournal } from '../../src/core/journal/scan.js';
import { writeSnapshot } from '../../src/core/journal/snapshot.js';

const sha = (n: number) => createHash('sha1').update(`commit ${n}`).digest('hex');

function rng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

const config = ProjectConfigSchema.parse({
  run: { command: 'python train.py' },
  files: { editable: ['train.py'], protected: ['prepare.py'] },
  metric: { name: 'val_bpb', direction: 'min' },
  budget: { seconds: 300 },
});

/** The events of one run, experiment by experiment, as a one-slot loop journals them (seeded, deterministic). */
export function runEvents(seed: number) {
  const rand = rng(seed);
  const t0 = Date.parse('2026-03-08T21:00:00.000Z');
  let best = 0.9979;
  let bestCommit = sha(0);
  let bestId = 0;
  const iso = (id: number, ms = 0) => new Date(t0 + id * 330_000 + ms).toISOString();
  const opening: JournalEvent[] = [
    { type: 'run-start', at: iso(0, -5000), version: 1, tag: 'big', branch: 'autoresearch/big', startCommit: sha(0), config, proposer: 'claude', appVersion: '0.1.0-bench' },
  ];
  const experiment = (id: number): JournalEvent[] => {
    const base: Experiment = {
      id,
      kind: id === 0 ? 'baseline' : 'candidate',
      slot: 0,
      baseId: id === 0 ? null : bestId,
      parentCommit: id === 0 ? sha(0) : bestCommit,
      commit: id === 0 ? sha(0) : null,
      description: id === 0 ? 'baseline' : '',
      hypothesis: '',
      status: 'running',
      metric: null,
      metrics: {},
      runs: [],
      guard: null,
      bestBefore: id === 0 ? null : best,
      startedAt: iso(id),
      finishedAt: null,
      timings: { proposalMs: null, trainingMs: null, totalMs: null },
      usage: null,
      logPath: null,
      transcriptPath: null,
      error: null,
      changedFiles: [],
      where: 'local',
    } as Experiment;
    const out: JournalEvent[] = [{ type: 'experiment-start', at: iso(id), experiment: base }];
    const usage = { inputTokens: 18_000 + Math.round(rand() * 6000), outputTokens: 900 + Math.round(rand() * 1200), cacheCreationInputTokens: 0, cacheReadInputTokens: 12_000, costUsd: 0.07 };
    const description = id === 0 ? 'baseline' : `matrix_lr ${(0.04 * (1 + rand())).toFixed(4)} → ${(0.04 * (1 + rand())).toFixed(4)}`;
    const hypothesis = id === 0 ? '' : 'A different learning rate may lower val_bpb within the fixed budget.';
    if (id > 0) out.push({ type: 'experiment-proposed', at: iso(id, 9000), id, commit: sha(id), description, hypothesis, usage, proposalMs: 9000, changedFiles: ['train.py'], transcriptPath: null });
    out.push({ type: 'process-start', at: iso(id, 10_000), id, pid: 1000 + (id % 30_000), pgid: 1000 + (id % 30_000), what: 'run', slot: 0 });
    const r = rand();
    const metric = r < 0.03 ? null : Number((0.85 + (best - 0.85) * Math.exp(0.008 + 0.02 * (rand() - 0.5) * 3)).toFixed(6));
    out.push({ type: 'process-end', at: iso(id, 310_000), id, pgid: 1000 + (id % 30_000) });
    const status = id === 0 ? 'keep' : metric === null ? 'crash' : metric < best ? 'keep' : 'discard';
    const run = { metric, metrics: metric === null ? {} : { val_bpb: metric, peak_vram_mb: 45000.2 }, exitCode: metric === null ? 1 : 0, signal: null, timedOut: false, durationMs: 300_000, logPath: `logs/${id}.log` };
    const final = {
      ...base,
      commit: id === 0 ? sha(0) : sha(id),
      description,
      hypothesis,
      status,
      metric: id === 0 ? best : metric,
      metrics: run.metrics,
      runs: [run],
      finishedAt: iso(id, 312_000),
      timings: { proposalMs: id === 0 ? null : 9000, trainingMs: 300_000, totalMs: 312_000 },
      usage: id === 0 ? null : usage,
      logPath: `logs/${id}.log`,
      error: metric === null ? 'The run exited with code 1 and printed no val_bpb.' : null,
      changedFiles: id === 0 ? [] : ['train.py'],
    } as Experiment;
    out.push({ type: 'experiment-end', at: iso(id, 312_000), experiment: final });
    if (id === 0) out.push({ type: 'noise-floor', at: iso(0, 312_000), values: [best], spread: 0 });
    if (status === 'keep' && final.metric !== null) {
      best = final.metric;
      bestCommit = final.commit!;
      bestId = id;
      out.push({ type: 'best', at: iso(id, 312_000), id, commit: bestCommit, metric: best });
    }
    if (id > 0 && id % 97 === 0) out.push({ type: 'notice', at: iso(id, 312_500), level: 'warning', id, message: `Slot 0 was slow to start #${id}.` });
    if (id > 0 && id % 131 === 0) out.push({ type: 'steer', at: iso(id, 313_000), note: `Try smaller batches after #${id}.` });
    return out;
  };
  return { opening, experiment };
}

async function main(argv: string[]): Promise<void> {
  const arg = (name: string, fallback?: string) => {
    const i = argv.indexOf(`--${name}`);
    const v = i >= 0 ? argv[i + 1] : fallback;
    if (v === undefined) throw new Error(`reopen-writer: --${name} is required`);
    return v;
  };
  const runDir = arg('run-dir');
  const prefix = Number(arg('prefix'));
  const live = Number(arg('live'));
  const everyBytes = argv.includes('--every-bytes') ? Number(arg('every-bytes')) : undefined;
  const { opening, experiment } = runEvents(Number(arg('seed', '1')));
  const journal = path.join(runDir, 'journal.jsonl');
  mkdirSync(runDir, { recursive: true });
  const record = emptyRunRecord();

  // The earlier session, in bulk, and the snapshot its clean stop left (covering all of it).
  const fd = openSync(journal, 'a');
  const hash = createHash('sha1');
  let offset = 0;
  let lines = 0;
  let batch = '';
  const flush = () => {
    const buf = Buffer.from(batch);
    writeSync(fd, buf);
    hash.update(buf);
    offset += buf.length;
    batch = '';
  };
  const bulk = (e: JournalEvent) => {
    foldEvent(record, e);
    batch += JSON.stringify(e) + '\n';
    lines += 1;
    if (batch.length > 1 << 20) flush();
  };
  opening.forEach(bulk);
  for (let id = 0; id < prefix; id += 1) experiment(id).forEach(bulk);
  flush();
  closeSync(fd);
  if (prefix > 0) await writeSnapshot(runDir, { mark: { offset, lines, sha1: hash.digest('hex'), probe: probeJournal(journal, offset)!, file: null }, badLines: [], record });
  process.stdout.write(`prefix ${offset}\n`);

  // The live session as run.ts does it: append through the real writer and the snapshot keeper, then fold and
  // say so, one event at a time.
  const writer = await keepSnapshots(await openJournalWriter(journal), { runDir, journal, record: () => record, ...(everyBytes ? { everyBytes: () => everyBytes } : {}) });
  for (let id = prefix; id < prefix + live; id += 1) {
    for (const e of experiment(id)) {
      await writer.append(e);
      foldEvent(record, e);
      writer.folded();
    }
    process.stdout.write(`live ${id} ${writer.written()}\n`);
  }
  await writer.close();
  process.stdout.write('done\n');
}

if (process.argv.includes('--run-dir')) {
  main(process.argv.slice(2)).catch((err: Error) => {
    process.stderr.write(`reopen-writer: ${err.stack ?? err.message}\n`);
    process.exit(2);
  });
}
