// A closable queue for producers and takers that run at their own pace (the proposers working ahead and the
// slots that run what they made). Every wait on it ends with an outcome that says why: the item was taken,
// the queue closed, the deadline passed, the caller's signal aborted, or (for a queue that ends with its
// producers) nothing more will come. Nothing waits forever unless the caller asked for that, and close()
// wakes everyone at once instead of each waiter being woken by hand.

/** How long a put or take may wait: `deadlineMs` from now, and/or until `signal` aborts. Neither: no limit. */
export interface WaitOptions {
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
}

/** Why a wait ended without what it waited for. */
export type WaitEnd = 'closed' | 'timeout' | 'aborted';

/** A put ends when a taker has its item; otherwise the item is withdrawn from the queue and why is said. */
export type PutOutcome = 'taken' | WaitEnd;

/** `drained`: the queue ends with its producers, and none is at work with nothing left to take. */
export type TakeOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly why: WaitEnd | 'drained' };

export interface AsyncQueueOptions {
  /**
   * Takers are told `drained` once the queue is empty and no producer (produce()) is at work, instead of
   * waiting for a put that cannot come. Off: takers wait until a put, their deadline, or close().
   */
  readonly endsWithProducers?: boolean;
}

interface Entry<T> {
  readonly item: T;
  settle(outcome: PutOutcome): void;
}

type Taker<T> = (outcome: TakeOutcome<T>) => void;

/** What closeAndWait found: the caller can tell whether a producer outlived the wait. */
export interface CloseResult<T> {
  /** Items that were waiting for a taker when the queue closed (their puts ended `closed`). */
  readonly withdrawn: readonly T[];
  /** Producers still at work when the deadline passed (0: all were done). */
  readonly late: number;
}

export class AsyncQueue<T> {
  private readonly entries: Entry<T>[] = [];
  private readonly takers: Taker<T>[] = [];
  private readonly producers = new Set<Promise<unknown>>();
  private isClosed = false;

  constructor(private readonly options: AsyncQueueOptions = {}) {}

  /** Items waiting for a taker. */
  get size(): number {
    return this.entries.length;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Producers at work (started by produce() and not yet done). */
  get activeProducers(): number {
    return this.producers.size;
  }

  /**
   * Queue `item` (oldest first) and wait until a taker has it. On a timeout or an abort the item is taken
   * back out: no taker gets an item whose put already ended.
   */
  put(item: T, opts: WaitOptions = {}): Promise<PutOutcome> {
    if (this.isClosed) return Promise.resolve('closed');
    if (opts.signal?.aborted) return Promise.resolve('aborted');
    const taker = this.takers.shift();
    if (taker) {
      taker({ ok: true, value: item });
      return Promise.resolve('taken');
    }
    return waitFor<PutOutcome>(opts, 'timeout', 'aborted', (settle) => {
      const entry: Entry<T> = { item, settle };
      this.entries.push(entry);
      return () => remove(this.entries, entry);
    });
  }

  /**
   * The oldest item, or the oldest that `prefer` accepts when one does; waits for one while the queue is empty
   * (see WaitOptions and TakeOutcome for the ends).
   */
  take(opts: WaitOptions = {}, prefer?: (item: T) => boolean): Promise<TakeOutcome<T>> {
    if (this.isClosed) return Promise.resolve({ ok: false, why: 'closed' });
    const at = prefer ? this.entries.findIndex((e) => prefer(e.item)) : -1;
    const entry = at > 0 ? this.entries.splice(at, 1)[0] : this.entries.shift();
    if (entry) {
      entry.settle('taken');
      return Promise.resolve({ ok: true, value: entry.item });
    }
    if (this.isDrained()) return Promise.resolve({ ok: false, why: 'drained' });
    if (opts.signal?.aborted) return Promise.resolve({ ok: false, why: 'aborted' });
    return waitFor<TakeOutcome<T>>(opts, { ok: false, why: 'timeout' }, { ok: false, why: 'aborted' }, (settle) => {
      this.takers.push(settle);
      return () => remove(this.takers, settle);
    });
  }

  /**
   * Run a producer and count it as at work until it ends (closeAndWait waits for it, `drained` waits for it).
   * Returns its promise for the caller to handle, or null when the queue is closed (nothing is started).
   */
  produce<R>(work: () => Promise<R>): Promise<R> | null {
    if (this.isClosed) return null;
    const run = Promise.resolve().then(work);
    const done: Promise<void> = run.then(
      () => this.producerDone(done),
      () => this.producerDone(done),
    );
    this.producers.add(done);
    return run;
  }

  /** Takes every waiting item `which` accepts out of the queue, oldest first; their puts end 'taken'. */
  takeAll(which: (item: T) => boolean): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.entries.length; ) {
      const entry = this.entries[i]!;
      if (!which(entry.item)) i++;
      else {
        this.entries.splice(i, 1);
        entry.settle('taken');
        out.push(entry.item);
      }
    }
    return out;
  }

  /** The items waiting, oldest first. */
  get items(): readonly T[] {
    return this.entries.map((e) => e.item);
  }

  /**
   * No more puts or takes: every waiting taker is told `closed`, every waiting put ends `closed` and its item
   * is withdrawn (returned, oldest first). Producers at work go on; their later puts end `closed` at once.
   */
  close(): T[] {
    this.isClosed = true;
    const entries = this.entries.splice(0);
    const takers = this.takers.splice(0);
    for (const t of takers) t({ ok: false, why: 'closed' });
    for (const e of entries) e.settle('closed');
    return entries.map((e) => e.item);
  }

  /** close(), then wait for the producers at work, at most `deadlineMs`: a hung producer does not hang the caller. */
  async closeAndWait(deadlineMs: number): Promise<CloseResult<T>> {
    const withdrawn = this.close();
    if (this.producers.size > 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const deadline = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadlineMs))));
      await Promise.race([Promise.all(this.producers), deadline]);
      clearTimeout(timer);
    }
    return { withdrawn, late: this.producers.size };
  }

  private isDrained(): boolean {
    return this.options.endsWithProducers === true && this.producers.size === 0 && this.entries.length === 0;
  }

  private producerDone(done: Promise<unknown>): void {
    this.producers.delete(done);
    if (!this.isDrained()) return;
    for (const t of this.takers.splice(0)) t({ ok: false, why: 'drained' });
  }
}

/**
 * A wait that ends once: by `enlist`'s settle (the queue's side), by the deadline, or by the signal. `enlist`
 * puts the waiter on a list and returns how to take it off again, which a timeout or an abort does first.
 */
function waitFor<R>(opts: WaitOptions, onTimeout: R, onAbort: R, enlist: (settle: (r: R) => void) => () => void): Promise<R> {
  return new Promise<R>((resolve) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let ended = false;
    const end = (r: R) => {
      if (ended) return;
      ended = true;
      if (timer !== undefined) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', aborted);
      resolve(r);
    };
    const unlist = enlist(end);
    const aborted = () => {
      unlist();
      end(onAbort);
    };
    if (opts.deadlineMs !== undefined) {
      timer = setTimeout(() => {
        unlist();
        end(onTimeout);
      }, Math.max(0, opts.deadlineMs));
    }
    opts.signal?.addEventListener('abort', aborted, { once: true });
  });
}

function remove<X>(list: X[], x: X): void {
  const i = list.indexOf(x);
  if (i >= 0) list.splice(i, 1);
}
