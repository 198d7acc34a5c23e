// The once-a-second follow of another process's run (core/studio/poll-errors.ts): a one-tick race stays quiet,
// a failure that persists is said once, and again only after the follow recovered and failed anew.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createPollErrors, POLL_FAILURES_BEFORE_NOTICE } from '../../src/core/studio/poll-errors.js';

/** A real error from the file system, as the follow would meet it. */
const fsError = (file: string) => readFile(file).then(() => expect.fail(`${file} was read`), (err: unknown) => err);

describe('errors of the run follow', () => {
  it('says a persisting failure once, with its cause and what to do, and again after a recovery', async () => {
    const said: string[] = [];
    const errors = createPollErrors((m) => said.push(m));
    // A folder read as a file: EISDIR, which no next tick repairs.
    const err = await fsError(process.cwd());
    for (let i = 1; i < POLL_FAILURES_BEFORE_NOTICE; i++) errors.failed(err);
    expect(said).toEqual([]);
    errors.failed(err);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain((err as Error).message);
    expect(said[0]).toMatch(/Check that this user can read/);
    expect(said[0]).not.toContain('\n');
    for (let i = 0; i < 10; i++) errors.failed(err);
    expect(said).toHaveLength(1);
    errors.succeeded();
    for (let i = 0; i < POLL_FAILURES_BEFORE_NOTICE; i++) errors.failed(err);
    expect(said).toHaveLength(2);
  });

  it('a tick that goes through in between starts the count again', () => {
    const said: string[] = [];
    const errors = createPollErrors((m) => said.push(m), 2);
    errors.failed(new Error('torn read'));
    errors.succeeded();
    errors.failed(new Error('torn read'));
    expect(said).toEqual([]);
    errors.failed(new Error('torn read'));
    expect(said).toHaveLength(1);
  });

  it('a vanished file is the normal end of a run, never reported however often', async () => {
    const said: string[] = [];
    const errors = createPollErrors((m) => said.push(m), 1);
    const gone = await fsError(path.join(process.cwd(), 'no-such-folder', 'journal.jsonl'));
    expect((gone as NodeJS.ErrnoException).code).toBe('ENOENT');
    for (let i = 0; i < 10; i++) errors.failed(gone);
    expect(said).toEqual([]);
  });
});
