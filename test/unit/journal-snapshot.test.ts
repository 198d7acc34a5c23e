// The fold snapshot beside the journal is a cache: whatever it holds, a read must give exactly the fold of the
// journal (or, for a snapshot that passes every check and matches the journal's bytes, the same thing faster).
// These tests build real journals on disk with every kind of event, write snapshots through the reader, then
// append, tear, rewrite and tamper, and compare each read with a plain fold of the journal's lines.
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openJournalWriter } from '../../src/core/journal/append.js';
import { foldEvents, summarize, aggregatesOf, pendingApprovals } from '../../src/core/journal/fold.js';
import { readJournalEvents, readRunRecord, readRunView } from '../../src/core/journal/read.js';
import { readRunStatuses } from '../../src/core/journal/run-status.js';
import { PROBE_BYTES } from '../../src/core/journal/scan.js';
import { readSnapshot, snapshotExists, snapshotPath, SNAPSHOT_VERSION } from '../../src/core/journal/snapshot.js';
import type { Experiment, ExperimentStatus } from '../../src/shared/experiment.js';
import type { JournalEvent } from '../../src/shared/journal.js';

const sha = (n: number) => n.toString(16).padStart(40, 'a').slice(-40);
const at = (n: number) => new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
const ALWAYS = { snapshotAfterBytes: 0 };

function experiment(id: number, status: ExperimentStatus, metric: number | null): Experiment {
  return {
    id,
    kind: id === 0 ? 'baseline' : 'candidate',
    slot: id % 2,
    baseId: id === 0 ? null : 0,
    parentCommit: sha(1),
    commit: status === 'rejected' ? null : sha(1000 + id),
    description: `change ${id} — “quoted” ✓`,
    hypothesis: 'h',
    status,
    metric,
    metrics: metric === null ? {} : { val_bpb: metric, steps: id },
    runs: metric === null ? [] : [{ metric, metrics: { val_bpb: metric }, exitCode: 0, signal: null, timedOut: false, durationMs: 10 + id, logPath: `logs/${id}.log` }],
    guard: null,
    bestBefore: id === 0 ? null : 1,
    startedAt: at(id),
    finishedAt: status === 'running' ? null : at(id + 1),
    timings: { proposalMs: 5, trainingMs: status === 'running' ? null : 10 + id, totalMs: status === 'running' ? null : 20 + id },
    usage: { inputTokens: 100, outputTokens: 20, cacheCreationInputTokens: 0, cacheReadInputTokens: 3, costUsd: 0.001 },
    logPath: `logs/${id}.log`,
    transcriptPath: null,
    error: status === 'crash' ? 'Traceback' : null,
    changedFiles: ['train.py'],
  };
}

const STATUSES: ExperimentStatus[] = ['discard', 'discard', 'crash', 'discard', 'timeout', 'rejected', 'discard', 'keep'];

/** A run of `n` experiments (two slots, so starts and ends interleave) with every other kind of event too. */
function runEvents(n: number, from = 0): JournalEvent[] {
  const ev: JournalEvent[] = [];
  if (from === 0) {
    ev.push({ type: 'run-start', at: at(0), version: 1, tag: 'snap', branch: 'autoresearch/snap', startCommit: sha(1), config: { metric: { name: 'val_bpb', direction: 'min' } } as never, proposer: 'scripted', appVersion: 't' });
    ev.push({ type: 'process-start', at: at(0), id: -1, pid: 4242, pgid: 4242, what: 'setup' });
  }
  let best = 2;
  for (let id = from; id < from + n; id += 1) {
    const status: ExperimentStatus = id === 0 ? 'keep' : STATUSES[id % STATUSES.length]!;
    const metric = status === 'keep' ? (best -= 0.01) : status === 'discard' ? 2 + id / 1000 : null;
    ev.push({ type: 'experiment-start', at: at(id), experiment: experiment(id, 'running', null) });
    ev.push({ type: 'experiment-proposed', at: at(id), id, commit: sha(1000 + id), description: `change ${id}`, hypothesis: 'h', usage: null, proposalMs: 5, changedFiles: ['train.py'], transcriptPath: null });
    if (id % 60 === 11) {
      // A proposal that waited for approval (the last of these may still wait when the snapshot is taken).
      ev.push({ type: 'approval-wait', at: at(id), id, commit: sha(1000 + id), parentCommit: sha(1), baseId: 0, changedLines: 3, reason: 'asked' });
      if (id % 120 === 11) ev.push({ type: 'approval-answer', at: at(id), id, answer: id % 240 === 11 ? 'reject' : 'edit', note: 'no', files: id % 240 === 11 ? [] : [{ path: 'train.py', content: 'X = 1\n' }], by: 'app' });
    }
    ev.push({ type: 'process-start', at: at(id), id, pid: 5000 + id, pgid: 5000 + id, what: 'run' });
    ev.push({ type: 'process-end', at: at(id), id, pgid: 5000 + id });
    if (id > from) ev.push({ type: 'experiment-end', at: at(id), experiment: experiment(id - 1, id - 1 === 0 ? 'keep' : STATUSES[(id - 1) % STATUSES.length]!, status === 'keep' ? metric : 2.5) });
    if (status === 'keep' && metric !== null) ev.push({ type: 'best', at: at(id), id, commit: sha(1000 + id), metric });
    if (id === 0) ev.push({ type: 'noise-floor', at: at(0), values: [2, 2.01, 1.99], spread: 0.01 });
    if (id % 50 === 7) ev.push({ type: 'notice', at: at(id), level: 'warning', message: `notice ${id}`, id });
    if (id % 97 === 3) ev.push({ type: 'steer', at: at(id), note: `try ${id}` });
    if (id % 40 === 39 && id > 0) ev.push({ type: 'best-remeasured', at: at(id), id: 0, run: { metric: 1.995, metrics: { val_bpb: 1.995 }, exitCode: 0, signal: null, timedOut: false, durationMs: 9, logPath: 'logs/0.2.log' } });
  }
  // Pipelined proposals: one queued when the snapshot is taken, one dropped.
  const proposal = (id: number): JournalEvent => ({ type: 'proposal-made', at: at(id), id, baseId: 0, parentCommit: sha(1), commit: sha(3000 + id), description: `queued ${id}`, hypothesis: 'h', usage: { inputTokens: 10, outputTokens: 2, cacheCreationInputTokens: 0, cacheReadInputTokens: 0, costUsd: 0.01 }, proposedAt: at(id), proposalMs: 3, changedFiles: ['train.py'], changedLines: 2, transcriptPath: null, rejectedReason: null });
  ev.push(proposal(from + n + 10), proposal(from + n + 11), { type: 'proposal-dropped', at: at(from + n), id: from + n + 11, reason: 'conflicts with the best' });
  // The last one is still running; a process of it is open.
  ev.push({ type: 'process-start', at: at(from + n), id: from + n - 1, pid: 9000, pgid: 9000, what: 'run' });
  return ev;
}

const lines = (events: JournalEvent[]) => events.map((e) => JSON.stringify(e) + '\n').join('');

describe('fold snapshot', () => {
  let dir: string;
  let runDir: string;
  let journal: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'ar-snapshot-'));
    runDir = path.join(dir, '.autoresearch', 'runs', 'snap');
    journal = path.join(runDir, 'journal.jsonl');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(runDir, { recursive: true });
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** The reference: every line of the journal folded, with no snapshot involved. */
  const plainFold = async () => {
    const { events, badLines } = await readJournalEvents(journal);
    const rec = foldEvents(events);
    if (!rec.tag) rec.tag = 'snap';
    return { rec, badLines };
  };

  const expectSameAsJournal = async () => {
    const read = await readRunRecord(dir, 'snap');
    const { rec, badLines } = await plainFold();
    const { badLines: got, ...record } = read;
    expect(record).toEqual(rec);
    expect([...record.experiments.keys()]).toEqual([...rec.experiments.keys()]);
    expect(got).toEqual(badLines);
    return rec;
  };

  it('reads back exactly the fold of the journal, and a summary and pages from the snapshot alone', async () => {
    // A garbled line in the middle: its number must survive the snapshot.
    // The experiment still running waits for approval: `status` must still say so from a snapshot.
    const events = [...runEvents(1200), { type: 'approval-wait', at: at(1300), id: 1199, commit: sha(2199), parentCommit: sha(1), baseId: 0, changedLines: 1, reason: 'asked' } as JournalEvent];
    await writeFile(journal, lines(events.slice(0, 900)) + '{"type":"experiment-end", garbage\n' + lines(events.slice(900)));
    expect(await snapshotExists(runDir)).toBe(false);
    const first = await readRunRecord(dir, 'snap', ALWAYS);
    expect(await snapshotExists(runDir)).toBe(true);
    expect(first.badLines).toEqual([901]);
    const rec = await expectSameAsJournal();

    const view = await readRunView(dir, 'snap');
    expect(view.complete).toBe(false);
    expect(view.record.experiments.size).toBe(0);
    expect(view.experimentsTotal).toBe(1200);
    expect(view.badLines).toEqual([901]);
    expect(summarize(view.record, 'stopped', view.aggregates)).toEqual(summarize(rec, 'stopped'));
    const sorted = [...rec.experiments.values()].sort((a, b) => a.id - b.id);
    expect(await view.page(0, 2000)).toEqual(sorted);
    expect(await view.page(499, 3)).toEqual(sorted.slice(499, 502));
    expect(await view.page(1000, 500)).toEqual(sorted.slice(1000));
    expect(await view.page(1300, 10)).toEqual([]);
    // What `autoresearch status` shows comes from the same view.
    const [status] = await readRunStatuses(dir);
    expect(status!.summary.counts).toEqual({ ...aggregatesOf(rec).counts, running: 0, interrupted: aggregatesOf(rec).counts.running });
    expect(status!.badLines).toEqual([901]);
    expect(status!.awaitingApproval).toEqual([1199]);
  });

  it('folds a journal appended after the snapshot from the snapshot’s offset, and writes a newer one', async () => {
    await writeFile(journal, lines(runEvents(600)));
    await readRunRecord(dir, 'snap', ALWAYS);
    const before = await readSnapshot(runDir);
    expect(before!.count).toBe(600);
    // The experiment running at the snapshot ends, the best is measured again, more run; then a bad line.
    await appendFile(journal, lines([{ type: 'process-end', at: at(700), id: 599, pgid: 9000 }, { type: 'experiment-end', at: at(700), experiment: experiment(599, 'discard', 2.4) }, ...runEvents(100, 600)]) + 'not json\n');
    // The view folds the tail over the snapshot's head and the experiments it touches (599 ends, 600… are new).
    const view = await readRunView(dir, 'snap');
    expect(view.complete).toBe(false);
    const { rec: whole } = await plainFold();
    expect(view.aggregates).toEqual(aggregatesOf(whole));
    expect(view.experimentsTotal).toBe(700);
    expect(await view.page(590, 20)).toEqual([...whole.experiments.values()].slice(590, 610));
    await expectSameAsJournal();
    // The read above (a 1 MiB threshold by default) did not rewrite it; one that may does, and it covers the tail.
    await readRunRecord(dir, 'snap', ALWAYS);
    const after = await readSnapshot(runDir);
    expect(after!.count).toBe(700);
    expect(after!.mark.offset).toBeGreaterThan(before!.mark.offset);
    expect(after!.badLines).toEqual((await plainFold()).badLines);
    await expectSameAsJournal();
    expect((await readRunView(dir, 'snap')).complete).toBe(false);
  });

  it('handles a torn last line: never covers it, never folds it twice, and reads on after the writer ends it', async () => {
    const events = runEvents(300);
    const torn = JSON.stringify({ type: 'notice', at: at(999), level: 'error', message: 'last words' });
    // A complete event whose newline never reached the disk, then a snapshot.
    await writeFile(journal, lines(events) + torn);
    await readRunRecord(dir, 'snap', ALWAYS);
    expect(await snapshotExists(runDir)).toBe(true);
    expect((await readSnapshot(runDir))!.mark.offset).toBe(Buffer.byteLength(lines(events)));
    const rec = await expectSameAsJournal();
    expect(rec.notices.filter((n) => n.message === 'last words')).toHaveLength(1);
    expect(await expectSameAsJournal()).toEqual(rec);
    // Now half an event: a bad line, reported with its number, then the writer ends it and appends.
    await writeFile(journal, lines(events) + torn.slice(0, 30));
    expect((await readRunRecord(dir, 'snap', ALWAYS)).badLines).toEqual([events.length + 1]);
    const writer = await openJournalWriter(journal);
    await writer.append({ type: 'steer', at: at(1000), note: 'after the tear' });
    await writer.close();
    const after = await expectSameAsJournal();
    expect(after.steering.at(-1)!.note).toBe('after the tear');
    expect((await readRunRecord(dir, 'snap')).badLines).toEqual([events.length + 1]);
  });

  it('ignores a snapshot that disagrees with the journal (an edited line, another journal) and rebuilds it', async () => {
    await writeFile(journal, lines(runEvents(400)));
    await readRunRecord(dir, 'snap', ALWAYS);
    const snapshot = await readFile(snapshotPath(runDir));
    // The same length, one steering note changed in the middle of the covered bytes.
    const text = await readFile(journal, 'utf8');
    const edited = text.replace('"note":"try ', '"note":"TRY ');
    expect(edited).not.toBe(text);
    expect(edited.length).toBe(text.length);
    await writeFile(journal, edited);
    expect((await readRunView(dir, 'snap')).complete).toBe(true);
    const rec = await expectSameAsJournal();
    expect(rec.steering[0]!.note).toMatch(/^TRY /);
    // Rebuilt: the next read is from a snapshot of the edited journal.
    await readRunRecord(dir, 'snap', ALWAYS);
    expect((await readRunView(dir, 'snap')).complete).toBe(false);
    await expectSameAsJournal();
    // Another, shorter journal under the old snapshot.
    await writeFile(snapshotPath(runDir), snapshot);
    await writeFile(journal, lines(runEvents(50)));
    expect((await readRunView(dir, 'snap')).complete).toBe(true);
    expect((await expectSameAsJournal()).experiments.size).toBe(50);
  });

  it('checks a journal that grew since its snapshot (a run killed after it) by the probe of the covered bytes in a view, by their hash in a full read', async () => {
    await writeFile(journal, lines(runEvents(1200)));
    await readRunRecord(dir, 'snap', ALWAYS);
    const covered = await readFile(journal, 'utf8');
    // Each case below starts from this snapshot (the full reads that check a case may write a newer one).
    const snapshot = await readFile(snapshotPath(runDir));
    // After the snapshot: a note, and the experiment still running (1199, in the snapshot) waits for approval.
    const more = lines([
      { type: 'steer', at: at(2000), note: 'after the snapshot' },
      { type: 'approval-wait', at: at(2001), id: 1199, commit: sha(2199), parentCommit: sha(1), baseId: 0, changedLines: 1, reason: 'asked' },
    ]);
    const grown = async (text: string) => writeFile(journal, text + more);
    // The view's figures come from the snapshot and the tail, exactly the journal's.
    await grown(covered);
    const view = await readRunView(dir, 'snap', { snapshotAfterBytes: Infinity });
    expect(view.complete).toBe(false);
    expect(view.record.steering.at(-1)!.note).toBe('after the snapshot');
    const { rec } = await plainFold();
    expect(view.aggregates).toEqual(aggregatesOf(rec));
    // status reads the rows too here (approvals wait and an experiment was running): the same ones.
    const [status] = await readRunStatuses(dir);
    expect(pendingApprovals(rec).length).toBeGreaterThan(0);
    expect(status!.awaitingApproval).toEqual(pendingApprovals(rec).map((a) => a.request.id));
    expect(status!.summary.counts.total).toBe(rec.experiments.size);

    // Another run's journal, longer than the snapshot's offset: its first bytes differ.
    const other = lines(runEvents(1300)).replace('"tag":"snap"', '"tag":"snip"');
    await writeFile(snapshotPath(runDir), snapshot);
    await writeFile(journal, other);
    expect((await readRunView(dir, 'snap', { snapshotAfterBytes: Infinity })).complete).toBe(true);
    expect((await expectSameAsJournal()).tag).toBe('snip');
    // An edit in the last lines before the offset, then an append: the probe's end differs.
    const lastEdit = covered.indexOf('"description":"queued '); // the proposal still queued
    expect(covered.length - lastEdit).toBeLessThan(PROBE_BYTES);
    await writeFile(snapshotPath(runDir), snapshot);
    await grown(covered.slice(0, lastEdit) + '"description":"QUEUED ' + covered.slice(lastEdit + '"description":"queued '.length));
    expect((await readRunView(dir, 'snap', { snapshotAfterBytes: Infinity })).complete).toBe(true);
    expect([...(await expectSameAsJournal()).queuedProposals.values()][0]!.description).toMatch(/^QUEUED /);

    // An edit of the same length deep inside the covered bytes is outside the probe: the view still reads the
    // snapshot (that is the trade for not reading 200 MB), but a full read, what a resume builds on, hashes
    // every covered byte and folds the journal as it now is.
    const middle = covered.indexOf('"note":"try ', covered.length / 2);
    expect(middle).toBeGreaterThan(PROBE_BYTES);
    expect(covered.length - middle).toBeGreaterThan(PROBE_BYTES);
    await writeFile(snapshotPath(runDir), snapshot);
    await grown(covered.slice(0, middle) + '"note":"TRY ' + covered.slice(middle + '"note":"try '.length));
    expect((await readRunView(dir, 'snap', { snapshotAfterBytes: Infinity })).complete).toBe(false);
    const full = await expectSameAsJournal();
    expect(full.steering.some((n) => n.note.startsWith('TRY '))).toBe(true);
  });

  it('ignores a tampered, truncated, older or foreign snapshot, without crashing and without using its content', async () => {
    await writeFile(journal, lines(runEvents(700)));
    await readRunRecord(dir, 'snap', ALWAYS);
    const good = await readFile(snapshotPath(runDir), 'utf8');
    const nl = good.indexOf('\n');
    const head = JSON.parse(good.slice(0, nl));
    const body = good.slice(nl + 1);
    const withHead = (h: unknown, b = body) => writeFile(snapshotPath(runDir), JSON.stringify(h) + '\n' + b);
    const expectIgnored = async (what: string) => {
      const view = await readRunView(dir, 'snap', { snapshotAfterBytes: Infinity });
      expect(view.complete, what).toBe(true);
      const rec = await expectSameAsJournal();
      expect((await readRunRecord(dir, 'snap', { snapshotAfterBytes: Infinity })).bestCommit, what).toBe(rec.bestCommit);
    };
    // An option-like commit that would reach git.
    await withHead({ ...head, record: { ...head.record, bestCommit: '--upload-pack=touch /tmp/pwned' } });
    await expectIgnored('bestCommit');
    // An open process whose group is 0 (resume would signal its own group).
    await withHead({ ...head, record: { ...head.record, openProcesses: [['0', { id: 1, pid: 0, pgid: 0, what: 'run' }]] } });
    await expectIgnored('openProcesses');
    // An approval answer that is not a valid event (an edit that carries no files).
    const approvals = head.record.approvals as [number, { request: unknown; answer: Record<string, unknown> | null }][];
    expect(approvals.some(([, a]) => a.answer !== null)).toBe(true);
    await withHead({ ...head, record: { ...head.record, approvals: approvals.map(([k, a]) => [k, { ...a, answer: a.answer && { ...a.answer, answer: 'edit', files: [] } }]) } });
    await expectIgnored('approvals');
    // An unknown stop reason, a field this version does not have, an older version, another format.
    await withHead({ ...head, record: { ...head.record, stopReason: 'rm -rf' } });
    await expectIgnored('stopReason');
    await withHead({ ...head, fields: [...head.fields, 'extra'], record: { ...head.record, extra: 1 } });
    await expectIgnored('fields');
    await withHead({ ...head, version: SNAPSHOT_VERSION - 1 });
    await expectIgnored('version');
    await withHead({ ...head, format: 'something-else' });
    await expectIgnored('format');
    // Totals that do not match its experiments.
    await withHead({ ...head, aggregates: { ...head.aggregates, counts: { ...head.aggregates.counts, total: 5 } } });
    await expectIgnored('counts');
    // Garbage, an empty file, a head with no experiments after it.
    await writeFile(snapshotPath(runDir), '\u0000\u0001{not json');
    await expectIgnored('garbage');
    await writeFile(snapshotPath(runDir), '');
    await expectIgnored('empty');
    await writeFile(snapshotPath(runDir), good.slice(0, nl + 1 + Math.floor(body.length / 2)));
    expect((await readRunRecord(dir, 'snap', { snapshotAfterBytes: Infinity })).experiments.size).toBe(700);
    await expectSameAsJournal();

    // A path out of the run folder in one experiment line, the head intact: the summary may come from the head,
    // but no row with that path is ever served; reading all of it or a page falls back to the journal.
    const evil = body.replace('"logPath":"logs/3.log"', '"logPath":"../../../etc/passwd"');
    expect(evil).not.toBe(body);
    await withHead(head, evil);
    const view = await readRunView(dir, 'snap', { snapshotAfterBytes: Infinity });
    const page = await view.page(0, 1000);
    expect(page.find((e) => e.id === 3)!.logPath).toBe('logs/3.log');
    await expectSameAsJournal();
  });

  it('ignores a snapshot that covers more bytes than the journal has (a truncated or replaced journal)', async () => {
    await writeFile(journal, lines(runEvents(300)));
    await readRunRecord(dir, 'snap', ALWAYS);
    const text = await readFile(journal, 'utf8');
    await writeFile(journal, text.slice(0, Math.floor(text.length / 2)));
    expect((await readRunView(dir, 'snap')).complete).toBe(true);
    await expectSameAsJournal();
  });
});
