// The closable async queue (src/core/util/async-queue.ts): puts wait until a taker has their item, takes wait
// for an item, and every wait ends with a clear outcome: taken, closed, timeout, aborted, or drained (nothing
// more can come). Deadlines run on fake timers: nothing here waits on the wall clock.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AsyncQueue, type PutOutcome, type TakeOutcome } from '../../src/core/util/async-queue.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Whether a promise has settled yet (after the microtasks that are due have run). */
async function settled<T>(p: Promise<T>): Promise<{ done: boolean; value?: T }> {
  let out: { done: boolean; value?: T } = { done: false };
  void p.then((value) => (out = { done: true, value }));
  await vi.advanceTimersByTimeAsync(0);
  return out;
}

describe('AsyncQueue: put and take', () => {
  it('hands items out oldest first, and a put ends when its item is taken', async () => {
    const q = new AsyncQueue<string>();
    const a = q.put('a');
    const b = q.put('b');
    expect(q.size).toBe(2);
    expect((await settled(a)).done).toBe(false);
    expect(await q.take()).toEqual({ ok: true, value: 'a' });
    expect(await a).toBe('taken');
    expect((await settled(b)).done).toBe(false);
    expect(await q.take()).toEqual({ ok: true, value: 'b' });
    expect(await b).toBe('taken');
    expect(q.size).toBe(0);
  });

  it('wakes takers in the order they came when items are put', async () => {
    const q = new AsyncQueue<number>();
    const t1 = q.take();
    const t2 = q.take();
    expect((await settled(t1)).done).toBe(false);
    expect(await q.put(1)).toBe('taken');
    expect(await q.put(2)).toBe('taken');
    expect(await t1).toEqual({ ok: true, value: 1 });
    expect(await t2).toEqual({ ok: true, value: 2 });
  });

  it('ends a take at its deadline, and withdraws the item of a put whose deadline passed', async () => {
    const q = new AsyncQueue<string>();
    const take = q.take({ deadlineMs: 1000 });
    await vi.advanceTimersByTimeAsync(999);
    expect((await settled(take)).done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await take).toEqual({ ok: false, why: 'timeout' });

    const put = q.put('late', { deadlineMs: 500 });
    await vi.advanceTimersByTimeAsync(500);
    expect(await put).toBe('timeout');
    expect(q.size).toBe(0);
    // The withdrawn item is not handed to the next taker.
    const next = q.take({ deadlineMs: 10 });
    await vi.advanceTimersByTimeAsync(10);
    expect(await next).toEqual({ ok: false, why: 'timeout' });
  });

  it('ends waits when their signal aborts, and refuses at once with a signal already aborted', async () => {
    const q = new AsyncQueue<string>();
    const ac = new AbortController();
    const take = q.take({ signal: ac.signal });
    const put = new AsyncQueue<string>().put('x', { signal: ac.signal });
    ac.abort();
    expect(await take).toEqual({ ok: false, why: 'aborted' });
    expect(await put).toBe('aborted');
    expect(await q.take({ signal: ac.signal })).toEqual({ ok: false, why: 'aborted' });
    expect(await q.put('y', { signal: ac.signal })).toBe('aborted');
    expect(q.size).toBe(0);
    // A taker that gave up is off the list: the next put waits for a real taker.
    const p = q.put('z');
    expect((await settled(p)).done).toBe(false);
    expect(await q.take()).toEqual({ ok: true, value: 'z' });
  });

  it('gives an item that is there at once, whatever the deadline', async () => {
    const q = new AsyncQueue<string>();
    void q.put('ready');
    expect(await q.take({ deadlineMs: 0 })).toEqual({ ok: true, value: 'ready' });
  });
});

describe('AsyncQueue: close', () => {
  it('wakes every waiter with closed, withdraws the waiting items, and refuses later puts and takes', async () => {
    const q = new AsyncQueue<string>();
    const takers = [q.take(), q.take()];
    await vi.advanceTimersByTimeAsync(0);
    const other = new AsyncQueue<string>();
    const puts = [other.put('a'), other.put('b', { deadlineMs: 60_000 })];
    expect(q.close()).toEqual([]);
    expect(other.close()).toEqual(['a', 'b']);
    expect(await Promise.all(takers)).toEqual([
      { ok: false, why: 'closed' },
      { ok: false, why: 'closed' },
    ]);
    expect(await Promise.all(puts)).toEqual(['closed', 'closed']);
    expect(await q.put('after')).toBe('closed');
    expect(await other.take()).toEqual({ ok: false, why: 'closed' });
    expect(q.closed && other.closed).toBe(true);
    // The deadline of a put that closed is cleared: no timer is left behind.
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for producers at work up to the deadline, then says how many are late; a late one finds it closed', async () => {
    const q = new AsyncQueue<string>();
    let release!: () => void;
    const hung = new Promise<void>((r) => (release = r));
    let lateOutcome: PutOutcome | null = null;
    q.produce(async () => {
      await hung;
      lateOutcome = await q.put('too late');
    });
    q.produce(async () => undefined);
    expect(q.activeProducers).toBe(2);
    const closing = q.closeAndWait(5000);
    await vi.advanceTimersByTimeAsync(4999);
    expect((await settled(closing)).done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(await closing).toEqual({ withdrawn: [], late: 1 });
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(lateOutcome).toBe('closed');
    expect(q.activeProducers).toBe(0);
    expect(q.produce(async () => undefined)).toBeNull();
  });

  it('returns as soon as the producers are done, before the deadline', async () => {
    const q = new AsyncQueue<string>();
    let release!: () => void;
    q.produce(() => new Promise<void>((r) => (release = r)));
    const closing = q.closeAndWait(60_000);
    await vi.advanceTimersByTimeAsync(10);
    release();
    expect((await settled(closing)).value).toEqual({ withdrawn: [], late: 0 });
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('AsyncQueue: ending with its producers', () => {
  it('tells takers drained once the last producer is done and nothing is left, not before', async () => {
    const q = new AsyncQueue<number>({ endsWithProducers: true });
    expect(await q.take()).toEqual({ ok: false, why: 'drained' });
    const releases: (() => void)[] = [];
    for (const n of [1, 2]) {
      q.produce(async () => {
        await new Promise<void>((r) => releases.push(r));
        await q.put(n);
      });
    }
    const taken: TakeOutcome<number>[] = [];
    const slot = (async () => {
      for (;;) {
        const t = await q.take();
        taken.push(t);
        if (!t.ok) return;
      }
    })();
    await vi.advanceTimersByTimeAsync(0);
    releases[1]!();
    await vi.advanceTimersByTimeAsync(0);
    expect(taken).toEqual([{ ok: true, value: 2 }]);
    releases[0]!();
    await slot;
    expect(taken).toEqual([{ ok: true, value: 2 }, { ok: true, value: 1 }, { ok: false, why: 'drained' }]);
  });

  it('counts a producer that failed as done, and hands its error to the caller of produce', async () => {
    const q = new AsyncQueue<number>({ endsWithProducers: true });
    const take = q.take();
    const run = q.produce(async () => {
      throw new Error('proposer broke');
    });
    await expect(run).rejects.toThrow('proposer broke');
    expect(await take).toEqual({ ok: false, why: 'drained' });
  });

  it('hands out what a finished producer left before saying drained', async () => {
    const q = new AsyncQueue<number>({ endsWithProducers: true });
    void q.put(7);
    expect(await q.take()).toEqual({ ok: true, value: 7 });
    expect(await q.take()).toEqual({ ok: false, why: 'drained' });
  });
});
