// The proposal queue (src/core/loop/proposal-queue.ts) with a fake proposer: no git, no agent, so it runs in
// milliseconds. The journal is an array folded into a real RunRecord; the proposer is a function whose calls
// the test lets go one by one. What is checked: proposers work ahead of the slots (at most `depth` made or
// waiting), a conflict is proposed once more with the conflict shown and then dropped, and close() does not
// wait past its deadline for a proposer that ignores the stop.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { emptyRunRecord, foldEvent } from '../../src/core/journal/fold.js';
import type { ProposalConflict } from '../../src/core/agent/proposer.js';
import type { RunContext } from '../../src/core/loop/context.js';
import type { ProposalResult } from '../../src/core/loop/outcomes.js';
import type { MadeProposal, ProposalSite } from '../../src/core/loop/proposal.js';
import { createProposalQueue, type ProposalQueue } from '../../src/core/loop/proposal-queue.js';
import type { Experiment } from '../../src/shared/experiment.js';
import type { JournalEvent } from '../../src/shared/journal.js';
import { fixtureConfig } from '../fixtures/make-run.js';

afterEach(() => {
  vi.useRealTimers();
});

const sha = (c: string) => c.repeat(40);
const AT = '2026-01-01T00:00:00.000Z';
const baseline: Experiment = {
  id: 0,
  kind: 'baseline',
  slot: 0,
  baseId: null,
  parentCommit: sha('a'),
  commit: sha('a'),
  description: 'baseline',
  hypothesis: '',
  status: 'keep',
  metric: 1,
  metrics: { val_bpb: 1 },
  runs: [],
  guard: null,
  bestBefore: null,
  startedAt: AT,
  finishedAt: AT,
  timings: { proposalMs: null, trainingMs: 1, totalMs: 1, queueWaitMs: null },
  usage: null,
  logPath: null,
  transcriptPath: null,
  error: null,
  changedFiles: [],
};

/** One call of the fake proposer, held until the test lets it go. */
interface Call {
  readonly id: number;
  readonly worktree: number;
  readonly dir: string;
  readonly conflict: ProposalConflict | null;
  /** The node it was asked to start from. */
  readonly baseId: number;
  readonly signal: AbortSignal;
  finish(outcome?: ProposalResult): void;
}

const proposal = (call: Pick<Call, 'id' | 'conflict'>, baseId: number): MadeProposal => ({
  id: call.id,
  baseId,
  parentCommit: sha('a'),
  // A proposal made again has a commit of its own (the same id, another change).
  commit: call.conflict ? sha('e') : sha(String((call.id % 9) + 1)),
  description: call.conflict ? `idea ${call.id}, again` : `idea ${call.id}`,
  hypothesis: '',
  usage: null,
  proposedAt: AT,
  proposalMs: 1,
  changedFiles: ['train.py'],
  changedLines: 2,
  transcriptPath: null,
  rejectedReason: null,
});

function harness(opts: { depth: number; limit: number; closeDeadlineMs?: number; firstId?: number; appendDelayMs?: number }) {
  const record = emptyRunRecord();
  foldEvent(record, { type: 'experiment-end', at: AT, experiment: baseline });
  const journal: JournalEvent[] = [];
  let journalClosed = false;
  const calls: Call[] = [];
  const prepared: { k: number; left: 'clean' | 'unknown' }[] = [];
  const released: number[] = [];
  let waitingCall: (() => void) | null = null;
  let nextId = opts.firstId ?? 1;
  let stop: { reason: string; message: string } | null = null;
  const runAbort = new AbortController();
  const ctx = {
    signal: runAbort.signal,
    record,
    // Written, then folded, as run.ts does; a closed journal refuses as the real writer does.
    append: async (event: JournalEvent) => {
      if (journalClosed) throw new Error('The journal is closed');
      // A journal write takes a while (a real one fsyncs): what runs meanwhile is what a test may be after.
      if (opts.appendDelayMs) await new Promise((r) => setTimeout(r, opts.appendDelayMs));
      journal.push(event);
      foldEvent(record, event);
    },
    requestStop: (reason: string, message: string) => {
      stop ??= { reason, message };
    },
  } as unknown as RunContext;
  const queue: ProposalQueue = createProposalQueue({
    ctx,
    depth: opts.depth,
    initial: [],
    reserve: () => (stop || nextId > opts.limit ? null : nextId++),
    release: (id) => released.push(id),
    waitWhilePaused: async () => undefined,
    stopping: () => stop !== null,
    worktree: async (k, commit, left) => {
      prepared.push({ k, left });
      return `/nowhere/proposal-${k}@${commit.slice(0, 7)}`;
    },
    lastCrashLogTail: () => null,
    ...(opts.closeDeadlineMs !== undefined ? { closeDeadlineMs: opts.closeDeadlineMs } : {}),
    propose: (pctx, site: ProposalSite, id, base, conflict) =>
      new Promise<ProposalResult>((resolve) => {
        const call: Call = { id, worktree: site.index, dir: site.dir, conflict: conflict ?? null, baseId: base.id, signal: pctx.signal, finish: (o) => resolve(o ?? { kind: 'made', made: proposal(call, base.id) }) };
        calls.push(call);
        waitingCall?.();
      }),
  });
  /** The `n`th call of the proposer (0-based), once it has been made. */
  const call = async (n: number): Promise<Call> => {
    while (calls.length <= n) await new Promise<void>((r) => (waitingCall = r));
    return calls[n]!;
  };
  const made = () => journal.filter((e) => e.type === 'proposal-made').map((e) => (e as { id: number }).id);
  return { queue, journal, calls, call, prepared, released, made, record, stop: () => stop, closeJournal: () => (journalClosed = true), requestStop: (m: string) => (stop = { reason: 'user', message: m }) };
}

describe('the proposal queue', () => {
  it('works ahead with `depth` proposers, oldest first, never more than `depth` made and waiting, and ends at the limit', async () => {
    const h = harness({ depth: 2, limit: 5 });
    h.queue.start();
    // Both proposers start at once, each in its own worktree, on the best.
    const [a, b] = [await h.call(0), await h.call(1)];
    expect([a.id, a.worktree, b.id, b.worktree]).toEqual([1, 0, 2, 1]);
    expect(a.dir).toBe(`/nowhere/proposal-0@${sha('a').slice(0, 7)}`);
    // The second finishes first: it is the first ready.
    b.finish();
    a.finish();
    await vi.waitFor(() => expect(h.made()).toEqual([2, 1]));
    expect(h.queue.hasReady()).toBe(true);
    // Two made and waiting: no third proposal starts until a slot takes one.
    await new Promise((r) => setImmediate(r));
    expect(h.calls).toHaveLength(2);
    const taken: number[] = [];
    const first = (await h.queue.take())!;
    taken.push(first.made.id);
    expect(first.remakes).toBe(0);
    expect(first.madeAt).toMatch(/^\d{4}-/);
    const c = await h.call(2);
    expect(c.id).toBe(3);
    // A slot taking from then on gets each proposal as it comes.
    const rest = (async () => {
      for (;;) {
        const p = await h.queue.take();
        if (!p) return;
        taken.push(p.made.id);
      }
    })();
    c.finish();
    (await h.call(3)).finish();
    (await h.call(4)).finish();
    await rest;
    expect(taken).toEqual([2, 1, 3, 4, 5]);
    expect(h.calls).toHaveLength(5);
    expect(h.released).toEqual([]);
    await h.queue.close();
    expect(await h.queue.take()).toBeNull();
  });

  it('prepares a worktree without a clean only after a proposal committed there (its guard listed everything)', async () => {
    const h = harness({ depth: 1, limit: 4 });
    h.queue.start();
    const taking = (async () => {
      while (await h.queue.take());
    })();
    // 1: committed; 2: rejected by the guard (no commit); 3: committed; 4: the proposer failed.
    (await h.call(0)).finish();
    const second = await h.call(1);
    second.finish({ kind: 'made', made: { ...proposal(second, 0), commit: null, rejectedReason: 'touches prepare.py' } });
    (await h.call(2)).finish();
    (await h.call(3)).finish({ kind: 'interrupted', message: 'stopped' });
    await h.queue.close();
    await taking;
    expect(h.prepared).toEqual([
      { k: 0, left: 'unknown' },
      { k: 0, left: 'clean' },
      { k: 0, left: 'unknown' },
      { k: 0, left: 'clean' },
    ]);
  });

  it('proposes a conflicting proposal once more with the conflict shown, then drops it when it conflicts again', async () => {
    const h = harness({ depth: 1, limit: 1 });
    h.queue.start();
    (await h.call(0)).finish();
    const p = (await h.queue.take())!;
    expect(p.made.id).toBe(1);
    await h.queue.conflicted(p, { files: ['train.py'], withId: 0 });
    const again = await h.call(1);
    expect(again.id).toBe(1);
    expect(again.conflict).toEqual({ description: 'idea 1', withId: 0, files: ['train.py'] });
    again.finish();
    const remade = (await h.queue.take())!;
    expect([remade.made.id, remade.made.description, remade.remakes]).toEqual([1, 'idea 1, again', 1]);
    expect(h.journal.some((e) => e.type === 'notice' && /#1 was proposed on #0; its change conflicts with #0.*train\.py.*proposed again/.test(e.message))).toBe(true);
    await h.queue.conflicted(remade, { files: ['train.py'], withId: 0 });
    const dropped = h.journal.filter((e) => e.type === 'proposal-dropped');
    expect(dropped).toEqual([expect.objectContaining({ id: 1, reason: expect.stringMatching(/conflicts with #0.*again after it was made anew/) })]);
    expect(h.record.droppedProposals.has(1)).toBe(true);
    expect(h.released).toEqual([1]);
    // Not proposed a third time; the limit was handed out, so no slot has anything to wait for.
    expect(await h.queue.take()).toBeNull();
    expect(h.calls).toHaveLength(2);
    await h.queue.close();
  });

  it('makes a proposal whose carry conflicted ahead again at once, while it still waits and the best is the one it met', async () => {
    const h = harness({ depth: 1, limit: 3 });
    h.queue.start();
    (await h.call(0)).finish();
    await vi.waitFor(() => expect(h.made()).toEqual([1]));
    // #5 is kept meanwhile (its carry was found to conflict with #1 at the keep: pre-carry.ts).
    const kept: Experiment = { ...baseline, id: 5, kind: 'candidate', baseId: 0, commit: sha('b'), metric: 0.9, metrics: { val_bpb: 0.9 } };
    foldEvent(h.record, { type: 'experiment-end', at: AT, experiment: kept });
    foldEvent(h.record, { type: 'best', at: AT, id: 5, commit: sha('b'), metric: 0.9 });
    // Nothing for a best that has moved on since, or a proposal not waiting here.
    await h.queue.conflictedAhead(1, sha('2'), { files: ['train.py'], withId: 4 }, sha('c'));
    await h.queue.conflictedAhead(9, sha('2'), { files: ['train.py'], withId: 5 }, sha('b'));
    await h.queue.conflictedAhead(1, sha('7'), { files: ['train.py'], withId: 5 }, sha('b'));
    expect(h.queue.hasReady()).toBe(true);
    await h.queue.conflictedAhead(1, sha('2'), { files: ['train.py'], withId: 5 }, sha('b'));
    // #1 left the queue and is made again on the best with the conflict shown, before any slot asked for it.
    expect(h.queue.hasReady()).toBe(false);
    // (Its proposer, free again, may begin #2 first: the remake is then made beside it.)
    let n = 1;
    while (!(await h.call(n)).conflict) n += 1;
    const again = h.calls[n]!;
    expect([again.id, again.baseId, again.conflict]).toEqual([1, 5, { description: 'idea 1', withId: 5, files: ['train.py'] }]);
    // The notice names no slot: none waited on this conflict (slot usage counts none).
    const notice = h.journal.find((e) => e.type === 'notice' && /#1 was proposed on #0; its change conflicts with #5/.test(e.message));
    expect(notice).toBeDefined();
    expect(notice).not.toHaveProperty('conflictSlot');
    for (const c of h.calls) c.finish();
    await vi.waitFor(() => expect(h.queue.hasReady()).toBe(true));
    // The same conflict told again (the carries' cache answers every time it is asked): it was the first commit's, so
    // the remake, under the same id, stays.
    await vi.waitFor(() => expect(h.made().filter((id) => id === 1)).toHaveLength(2));
    await h.queue.conflictedAhead(1, sha('2'), { files: ['train.py'], withId: 5 }, sha('b'));
    expect(h.journal.filter((e) => e.type === 'proposal-dropped')).toEqual([]);
    let remade = (await h.queue.take())!;
    if (remade.made.id !== 1) remade = (await h.queue.take())!;
    expect([remade.made.id, remade.made.commit, remade.remakes]).toEqual([1, sha('e'), 1]);
    await h.queue.close();
    // Stopping: what waits stays queued, as it is (a resumed run takes it).
    const s = harness({ depth: 1, limit: 1 });
    s.queue.start();
    (await s.call(0)).finish();
    await vi.waitFor(() => expect(s.made()).toEqual([1]));
    foldEvent(s.record, { type: 'experiment-end', at: AT, experiment: kept });
    foldEvent(s.record, { type: 'best', at: AT, id: 5, commit: sha('b'), metric: 0.9 });
    s.requestStop('stop');
    await s.queue.conflictedAhead(1, sha('2'), { files: ['train.py'], withId: 5 }, sha('b'));
    expect(s.queue.hasReady()).toBe(true);
    expect(s.journal.some((e) => e.type === 'notice' || e.type === 'proposal-dropped')).toBe(false);
    await s.queue.close();
  });

  it('does not tell a slot that nothing more will come while a conflict found ahead is being made again', async () => {
    // The limit is all handed out (#1), so #1's proposer goes home once #1 leaves the queue; the remake keeps it open
    // while its notice is written.
    const h = harness({ depth: 1, limit: 1, appendDelayMs: 30 });
    h.queue.start();
    (await h.call(0)).finish();
    await vi.waitFor(() => expect(h.made()).toEqual([1]));
    foldEvent(h.record, { type: 'experiment-end', at: AT, experiment: { ...baseline, id: 5, kind: 'candidate', baseId: 0, commit: sha('b'), metric: 0.9 } });
    foldEvent(h.record, { type: 'best', at: AT, id: 5, commit: sha('b'), metric: 0.9 });
    const handled = h.queue.conflictedAhead(1, sha('2'), { files: ['train.py'], withId: 5 }, sha('b'));
    const taking = h.queue.take();
    (await h.call(1)).finish();
    const got = await taking;
    expect([got?.made.id, got?.remakes]).toEqual([1, 1]);
    await handled;
    await h.queue.close();
  });

  it('makes a conflicting proposal again on the best, also on a plateau whose step back chose an earlier node', async () => {
    const h = harness({ depth: 1, limit: 40, firstId: 20 });
    // #1 is kept and is the best; then 9 discards on it. No keep in 9 (plateauAfter 8) is a plateau's first step: back
    // to #0, the node behind the best. It lasts until another experiment ends.
    h.record.config = fixtureConfig({ search: { plateauAfter: 8 } });
    const kept: Experiment = { ...baseline, id: 1, kind: 'candidate', baseId: 0, parentCommit: sha('a'), commit: sha('b'), metric: 0.9, metrics: { val_bpb: 0.9 } };
    foldEvent(h.record, { type: 'experiment-end', at: AT, experiment: kept });
    foldEvent(h.record, { type: 'best', at: AT, id: 1, commit: sha('b'), metric: 0.9 });
    for (let id = 2; id <= 10; id++) foldEvent(h.record, { type: 'experiment-end', at: AT, experiment: { ...kept, id, baseId: 1, parentCommit: sha('b'), commit: sha('c'), status: 'discard', metric: 1.1, metrics: { val_bpb: 1.1 } } });
    h.queue.start();
    const first = await h.call(0);
    expect(first.baseId).toBe(0); // the step back (the test can fail only if the plateau chose an earlier node)
    first.finish();
    const p = (await h.queue.take())!;
    // Carried onto the best, it conflicts with #1. Made again on #0 (the plateau's choice, unchanged as nothing ended),
    // it would conflict the same way; so it is made on the best it conflicted with.
    await h.queue.conflicted(p, { files: ['train.py'], withId: 1 });
    // The regular proposer has begun the next one meanwhile; the remake is made in a spare worktree beside it.
    let n = 1;
    while (!(await h.call(n)).conflict) n += 1;
    const again = h.calls[n]!;
    expect([again.id, again.baseId, again.conflict?.withId]).toEqual([20, 1, 1]);
    for (const c of h.calls) c.finish();
    await h.queue.close();
  });

  it('closes at its deadline with a proposer that ignores the stop; what that proposer brings back later is not recorded', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const h = harness({ depth: 1, limit: 3, closeDeadlineMs: 10_000 });
    h.queue.start();
    const hung = await h.call(0);
    const waiting = h.queue.take();
    let closed = false;
    const closing = h.queue.close().then(() => (closed = true));
    // The stop reaches the proposer (its signal aborts) and every waiting slot at once.
    expect(hung.signal.aborted).toBe(true);
    expect(await waiting).toBeNull();
    await vi.advanceTimersByTimeAsync(9_999);
    expect(closed).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(closed).toBe(true);
    await closing;
    expect(h.journal.filter((e) => e.type === 'notice').map((e) => (e as { message: string }).message)).toEqual([
      'A proposer did not stop within 10 s of the stop; the run ends without it, and nothing it makes now is recorded.',
    ]);
    // The run ends and closes its journal; then the proposer comes back with a proposal.
    h.closeJournal();
    const eventsBefore = h.journal.length;
    hung.finish();
    await vi.advanceTimersByTimeAsync(0);
    await new Promise((r) => setImmediate(r));
    expect(h.journal.length).toBe(eventsBefore);
    expect(h.made()).toEqual([]);
    // Its id is released (it never counted), and it does not start another.
    expect(h.released).toEqual([1]);
    expect(h.calls).toHaveLength(1);
    expect(await h.queue.take()).toBeNull();
  });

  it('closes as soon as the proposers stop, and keeps a proposal made before the deadline in the journal', async () => {
    const h = harness({ depth: 1, limit: 3, closeDeadlineMs: 60_000 });
    h.queue.start();
    const late = await h.call(0);
    const closing = h.queue.close();
    late.finish();
    await closing;
    // Made after the stop but before the deadline: journaled (a resumed run finds it queued), never taken now.
    expect(h.made()).toEqual([1]);
    expect(h.record.queuedProposals.has(1)).toBe(true);
    expect(await h.queue.take()).toBeNull();
    expect(h.journal.some((e) => e.type === 'notice')).toBe(false);
  });

  it('lets waiting slots go home when the run stops gracefully and a proposer ends', async () => {
    const h = harness({ depth: 2, limit: 5 });
    h.queue.start();
    const [a, b] = [await h.call(0), await h.call(1)];
    const waiting = h.queue.take();
    h.requestStop('Stopped by the user.');
    // One proposer gives up at the stop; the other is still at work, but what it makes will not run now.
    a.finish({ kind: 'interrupted', message: 'Stopped while the agent was proposing.' });
    expect(await waiting).toBeNull();
    expect(h.released).toEqual([1]);
    b.finish({ kind: 'interrupted', message: 'Stopped while the agent was proposing.' });
    await h.queue.close();
    expect(h.released).toEqual([1, 2]);
  });

  it('stops the run at once when the proposer is refused (a key), and releases the id it held', async () => {
    const h = harness({ depth: 2, limit: 5 });
    h.queue.start();
    const [a, b] = [await h.call(0), await h.call(1)];
    a.finish({ kind: 'fatal', message: 'The API key was refused.' });
    await vi.waitFor(() => expect(h.stop()).toEqual({ reason: 'auth', message: 'The API key was refused.' }));
    expect(h.released).toEqual([1]);
    b.finish({ kind: 'interrupted', message: 'Stopped while the agent was proposing.' });
    await h.queue.close();
    expect(h.made()).toEqual([]);
  });

  it('lets the other proposers go on when one has nothing new, and says so once all are done', async () => {
    const h = harness({ depth: 2, limit: 2 });
    h.queue.start();
    const [a, b] = [await h.call(0), await h.call(1)];
    a.finish({ kind: 'exhausted', message: 'Nothing new to try.' });
    await vi.waitFor(() => expect(h.released).toEqual([1]));
    // Not a stop: the other proposer's idea is still made, queued and taken.
    expect(h.stop()).toBeNull();
    b.finish();
    expect((await h.queue.take())?.made.id).toBe(2);
    expect(await h.queue.take()).toBeNull();
    expect(h.queue.exhausted()).toBe('Nothing new to try.');
    await h.queue.close();
  });

  it('takes a ready proposal made on the best of now before an older one made on an earlier best (no carry, no conflict)', async () => {
    const h = harness({ depth: 2, limit: 2 });
    h.queue.start();
    const [first, second] = [await h.call(0), await h.call(1)];
    // The first was made on a commit that is no longer the best (the baseline's is, sha a).
    first.finish({ kind: 'made', made: { ...proposal(first, 0), parentCommit: sha('b') } });
    second.finish();
    await vi.waitFor(() => expect(h.made()).toEqual([first.id, second.id]));
    expect((await h.queue.take())!.made.id).toBe(second.id);
    // None on the best: the oldest.
    expect((await h.queue.take())!.made.id).toBe(first.id);
    await h.queue.close();
  });

  it('makes a conflict again at once in a spare worktree while the regular proposer works ahead, and keeps one more ahead while conflicts are frequent', async () => {
    const h = harness({ depth: 1, limit: 20 });
    h.queue.start();
    expect(h.queue.wanted()).toBe(1);
    (await h.call(0)).finish();
    const p1 = (await h.queue.take())!;
    // Taking it set the regular proposer on the next one (worktree 0).
    const next = await h.call(1);
    expect([next.id, next.worktree]).toEqual([2, 0]);
    await h.queue.conflicted(p1, { files: ['train.py'], withId: 0 }, 0);
    // The remake does not wait for the regular proposer: a spare worktree makes it now.
    const redo = await h.call(2);
    expect([redo.id, redo.worktree, redo.conflict?.withId]).toEqual([1, 1, 0]);
    const notice = h.journal.find((e) => e.type === 'notice' && e.id === 1);
    expect(notice).toMatchObject({ conflictSlot: 0 });
    // One conflict is not frequent: still one ahead.
    expect(h.queue.wanted()).toBe(1);
    // The slot takes whichever is ready first: the regular proposer's.
    next.finish();
    const p2 = (await h.queue.take())!;
    expect(p2.made.id).toBe(2);
    redo.finish();
    const p1again = (await h.queue.take())!;
    expect([p1again.made.id, p1again.remakes]).toEqual([1, 1]);
    // A second conflict among the last takes: conflicts are frequent, one more proposal is made ahead.
    await h.queue.conflicted(p2, { files: ['train.py'], withId: 1 }, 0);
    expect(h.queue.wanted()).toBe(2);
    expect(h.journal.some((e) => e.type === 'notice' && /conflict often \(2 of the last 3\)/.test(e.message))).toBe(true);
    // Proposers now at work: the regular one (id 3, taken p2 set it going), the remake of 2, and the spare (a new id).
    await vi.waitFor(() => expect(h.calls.length).toBe(6));
    const working = h.calls.slice(3).map((c) => [c.id, c.conflict !== null]);
    expect(working).toEqual(expect.arrayContaining([[3, false], [2, true], [4, false]]));
    const worktrees = new Set(h.calls.slice(3).map((c) => c.worktree));
    expect(worktrees.size).toBe(3);
    // Conflicts become rare: after CONFLICT_WINDOW clean takes the spare goes home and the depth is back at 1.
    for (const c of h.calls.slice(3)) c.finish();
    let seen = 3;
    for (let n = 0; n < 6; n++) {
      await h.queue.take();
      await new Promise((r) => setImmediate(r));
      while (h.calls.length > seen) h.calls[seen++]!.finish();
    }
    expect(h.queue.wanted()).toBe(1);
    await h.queue.close();
  });
});
