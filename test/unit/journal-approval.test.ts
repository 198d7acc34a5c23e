// The approval events as the journal reads them back (a project folder is untrusted input), how the fold keeps
// them, and what the run makes of an answer dropped into its inbox.
import { describe, expect, it } from 'vitest';
import { approvalItems, foldEvents, pendingApprovals } from '../../src/core/journal/fold.js';
import { approvalEventFromInbox } from '../../src/core/loop/approval.js';
import { runningExperiment } from '../../src/core/loop/context.js';
import { parseJournalEvent, type JournalEvent } from '../../src/shared/journal.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const at = '2026-11-30T12:00:00.000Z';
const wait: JournalEvent = { type: 'approval-wait', at, id: 3, commit: B, parentCommit: A, baseId: 0, changedLines: 12, reason: 'every proposal waits for approval (approval: all)' };
const start: JournalEvent = { type: 'experiment-start', at, experiment: { ...runningExperiment({ id: 3, kind: 'candidate', slot: 0, baseId: 0, parentCommit: A, startedAt: at }), commit: B, description: 'lr up' } };
const answer = (extra: Partial<Extract<JournalEvent, { type: 'approval-answer' }>> = {}): JournalEvent => ({ type: 'approval-answer', at, id: 3, answer: 'approve', note: null, files: [], by: 'app', ...extra });

describe('approval events', () => {
  it('read back when valid, refused when an edit has no files, a path leaves the project, or a commit is not hex', () => {
    expect(parseJournalEvent(JSON.parse(JSON.stringify(wait)))).toEqual(wait);
    expect(parseJournalEvent(answer({ answer: 'edit', files: [{ path: 'train.py', content: 'x = 1\n' }] }))).not.toBeNull();
    expect(parseJournalEvent(answer({ answer: 'edit' }))).toBeNull();
    expect(parseJournalEvent(answer({ files: [{ path: 'train.py', content: 'x' }] }))).toBeNull();
    expect(parseJournalEvent(answer({ answer: 'edit', files: [{ path: '../outside.py', content: 'x' }] }))).toBeNull();
    expect(parseJournalEvent(answer({ answer: 'edit', files: [{ path: '/etc/passwd', content: 'x' }] }))).toBeNull();
    expect(parseJournalEvent({ ...wait, commit: '--output=/tmp/x' })).toBeNull();
    expect(parseJournalEvent(answer({ answer: 'maybe' as 'approve' }))).toBeNull();
  });

  it('fold: waiting, then the first answer wins; pending until the experiment ends other than interrupted', () => {
    const rec = foldEvents([start, wait]);
    expect(rec.experiments.get(3)!.approval).toEqual({ state: 'waiting', note: null, at: null, by: null, proposedCommit: B });
    expect(approvalItems(rec)).toEqual([expect.objectContaining({ id: 3, description: 'lr up', changedLines: 12, answer: null })]);
    const answered = foldEvents([start, wait, answer({ answer: 'reject', note: 'no' }), answer({ answer: 'approve' })]);
    expect(answered.approvals.get(3)!.answer).toMatchObject({ answer: 'reject', note: 'no' });
    expect(answered.experiments.get(3)!.approval).toMatchObject({ state: 'reject', note: 'no', by: 'app' });
    const end = (status: 'interrupted' | 'rejected'): JournalEvent => ({ type: 'experiment-end', at, experiment: { ...answered.experiments.get(3)!, status } });
    expect(pendingApprovals(foldEvents([start, wait, end('interrupted')])).map((a) => a.request.id)).toEqual([3]);
    expect(pendingApprovals(foldEvents([start, wait, answer(), end('rejected')]))).toEqual([]);
  });

  it('an inbox answer becomes the event, or a notice when it cannot apply', () => {
    const rec = foldEvents([start, wait]);
    expect(approvalEventFromInbox({ note: 'a steering note' }, rec)).toBeNull();
    expect(approvalEventFromInbox({ kind: 'approval', at, id: 3, answer: 'approve', note: null, files: [], by: 'terminal' }, rec)).toMatchObject({ type: 'approval-answer', id: 3, by: 'terminal' });
    expect(approvalEventFromInbox({ kind: 'approval', id: 9, answer: 'approve', note: null, files: [], by: 'app' }, rec)).toMatchObject({ type: 'notice', message: 'An answer to #9 was dropped: it is not a proposal waiting for approval.' });
    expect(approvalEventFromInbox({ kind: 'approval', id: 3, answer: 'edit', note: null, files: [], by: 'app' }, rec)).toMatchObject({ type: 'notice', level: 'warning' });
    const done = foldEvents([start, wait, answer()]);
    expect(approvalEventFromInbox({ kind: 'approval', id: 3, answer: 'reject', note: null, files: [], by: 'app' }, done)).toMatchObject({
      type: 'notice',
      message: 'A second answer to #3 (reject) was dropped: it was already answered (approve).',
    });
  });
});
