// The Mutex (src/core/util/mutex.ts): holders run one at a time in the order they asked, each caller gets its
// own result or error, and a holder that fails (throws, rejects) lets the next one run.
import { describe, expect, it } from 'vitest';
import { Mutex } from '../../src/core/util/mutex.js';

/** A promise with its resolve and reject outside (to hold a holder until the test lets it go). */
function gate<T = void>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('Mutex', () => {
  it('runs one holder at a time, in the order they asked', async () => {
    const mutex = new Mutex();
    const log: string[] = [];
    let inside = 0;
    let most = 0;
    const gates = [gate(), gate(), gate()];
    const runs = gates.map((g, i) =>
      mutex.runExclusive(async () => {
        inside += 1;
        most = Math.max(most, inside);
        log.push(`start ${i}`);
        await g.promise;
        log.push(`end ${i}`);
        inside -= 1;
        return i * 10;
      }),
    );
    expect(mutex.pending).toBe(3);
    // Let them go last to first: the order they run in is still the order they asked in.
    gates[2]!.resolve();
    gates[1]!.resolve();
    gates[0]!.resolve();
    expect(await Promise.all(runs)).toEqual([0, 10, 20]);
    expect(log).toEqual(['start 0', 'end 0', 'start 1', 'end 1', 'start 2', 'end 2']);
    expect(most).toBe(1);
    expect(mutex.locked).toBe(false);
  });

  it('gives a failed holder its error, and the next holders run as if nothing happened', async () => {
    const mutex = new Mutex();
    const boom = new Error('disk full');
    const first = mutex.runExclusive(async () => {
      throw boom;
    });
    const second = mutex.runExclusive(() => {
      throw new Error('thrown, not rejected');
    });
    const third = mutex.runExclusive(async () => 'third ran');
    await expect(first).rejects.toBe(boom);
    await expect(second).rejects.toThrow('thrown, not rejected');
    await expect(third).resolves.toBe('third ran');
    // Still usable after failures, and not left locked.
    expect(mutex.locked).toBe(false);
    await expect(mutex.runExclusive(() => 42)).resolves.toBe(42);
  });

  it('does not start a holder before the one holding it ends, even when the holder fails late', async () => {
    const mutex = new Mutex();
    const g = gate();
    let secondStarted = false;
    const first = mutex.runExclusive(() => g.promise);
    const second = mutex.runExclusive(() => {
      secondStarted = true;
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(secondStarted).toBe(false);
    expect(mutex.locked).toBe(true);
    g.reject(new Error('late failure'));
    await expect(first).rejects.toThrow('late failure');
    await second;
    expect(secondStarted).toBe(true);
  });
});
