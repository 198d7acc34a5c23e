// The approval gate (config.approval): a committed proposal that needs the researcher's approval waits here,
// journaled (`approval-wait`), while the other slots keep working. The answer comes from the app or from
// `autoresearch approve` in any process, through the run's inbox (approval-answer.ts), and is journaled as
// `approval-answer`: approve runs the proposal, edit runs the researcher's version of it, reject closes it
// and tells the agent why in its next prompt. A stop leaves it waiting; the resumed run takes it up again.
import type { ApprovalConfig } from '../../shared/config.js';
import { parseJournalEvent, type ApprovalAnswerEvent, type JournalEvent } from '../../shared/journal.js';
import { guardDiff } from '../agent/diff-guard.js';
import { createWorkspace, WorkspaceError } from '../agent/workspace.js';
import { commitPaths } from '../git/commit.js';
import { cleanWorktree, resetTo, softResetTo } from '../git/reset-to.js';
import { updateRef } from '../git/update-ref.js';
import type { RunRecord } from '../journal/fold.js';
import { experimentCommitMessage } from '../git/commit-message.js';
import { isoNow, type ExperimentCloser, type ProposingView, type RunIdentity, type RunJournalView, type RunLiveView, type RunProcesses, type RunStopView, type SlotState } from './context.js';

/** What the gate needs of the run. */
export type ApprovalContext = RunIdentity & RunJournalView & ExperimentCloser & Pick<RunLiveView, 'setPhase'> & Omit<RunStopView, 'requestStop'> & Pick<ProposingView, 'importInbox' | 'sleep'> & Pick<RunProcesses, 'protectedHashes'>;
import { candidateRef } from './refs.js';

/** How often a waiting slot looks for an answer dropped into the inbox by another process. */
const POLL_MS = 300;

/** Why a proposal of `changedLines` lines must wait for approval, or null when it may run at once. */
export function needsApproval(approval: ApprovalConfig, changedLines: number): string | null {
  if (approval.mode === 'all') return 'every proposal waits for approval (approval: all)';
  if (approval.mode === 'large' && changedLines > approval.overLines) return `it changes ${changedLines} lines, over ${approval.overLines} (approval: large)`;
  return null;
}

export interface GateInput {
  readonly commit: string;
  readonly parentCommit: string;
  readonly baseId: number | null;
  readonly changedLines: number;
}

/**
 * Holds a proposal until it is approved. Returns the commit to measure (the proposal's, or the researcher's
 * edit of it), or null when the experiment was closed here (rejected, an edit that breaks a rule, a stop).
 * A proposal journaled as waiting by an earlier session waits again whatever the config says now.
 */
export async function approvalGate(ctx: ApprovalContext, slot: SlotState, id: number, input: GateInput): Promise<{ readonly commit: string } | null> {
  const known = ctx.record.approvals.get(id);
  if (!known) {
    const reason = needsApproval(ctx.config.approval, input.changedLines);
    if (!reason) return { commit: input.commit };
    await ctx.append({ type: 'approval-wait', at: isoNow(), id, commit: input.commit, parentCommit: input.parentCommit, baseId: input.baseId, changedLines: input.changedLines, reason });
  }
  const request = ctx.record.approvals.get(id)!.request;
  const answer = await awaitAnswer(ctx, slot, id);
  if (!answer) {
    await ctx.close(slot, id, { status: 'interrupted', error: `The run stopped while #${id} waited for approval; it waits again when the run is resumed.` }, null);
    return null;
  }
  const description = ctx.current(id).description;
  if (answer.answer === 'reject') {
    // Like a steering note, so every proposer sees it in its next prompt (and the History keeps it).
    await ctx.append({ type: 'steer', at: isoNow(), note: `The researcher rejected #${id} ("${description}")${answer.note ? `: ${answer.note}` : '.'}` });
    await resetTo(slot.worktree, request.parentCommit, ctx.config.files.linked).catch(() => undefined);
    await ctx.close(slot, id, { status: 'rejected', error: `Rejected by the researcher${answer.note ? `: ${answer.note}` : '.'}` }, null);
    return null;
  }
  if (answer.answer === 'approve') {
    await resetTo(slot.worktree, request.commit, ctx.config.files.linked);
    return { commit: request.commit };
  }
  return applyEdit(ctx, slot, id, request.commit, request.parentCommit, answer);
}

/** Waits until the record holds an answer for `id`; null when the run stops first. */
async function awaitAnswer(ctx: ApprovalContext, slot: SlotState, id: number): Promise<ApprovalAnswerEvent | null> {
  const waiting = `#${id} waits for your approval: answer it in the app or with \`autoresearch approve --tag ${ctx.tag}\`.`;
  let shown = false;
  for (;;) {
    // Another process (the CLI beside the app, the app beside a CLI run) answers through the inbox.
    await ctx.importInbox();
    const answer = ctx.record.approvals.get(id)?.answer ?? null;
    if (answer) return answer;
    if (ctx.signal.aborted || ctx.stopRequested()) return null;
    if (!shown) {
      ctx.setPhase(slot, 'waiting', { experimentId: id, description: ctx.current(id).description, waitingReason: waiting });
      shown = true;
    }
    await ctx.sleep(POLL_MS, ctx.signal);
  }
}

/**
 * The researcher's edit becomes the commit that runs: their files on top of the proposal, committed on the
 * proposal's parent and passed through the same guard as any proposal (editable files only, protected files
 * intact, size cap).
 */
async function applyEdit(ctx: ApprovalContext, slot: SlotState, id: number, proposed: string, parentCommit: string, answer: ApprovalAnswerEvent): Promise<{ readonly commit: string } | null> {
  const { config, tag, projectDir } = ctx;
  const refuse = async (why: string) => {
    await resetTo(slot.worktree, parentCommit, config.files.linked).catch(() => undefined);
    await ctx.close(slot, id, { status: 'rejected', error: `Your edit of #${id} cannot run: ${why}` }, null);
    return null;
  };
  await resetTo(slot.worktree, proposed, config.files.linked);
  const workspace = createWorkspace(slot.worktree, projectDir, config.files);
  try {
    for (const f of answer.files) await workspace.writeFile(f.path, f.content);
  } catch (err) {
    if (err instanceof WorkspaceError) return refuse(err.message);
    throw err;
  }
  // HEAD back on the parent with the proposal and the edit on disk: the guard sees the whole change.
  await softResetTo(slot.worktree, parentCommit);
  const check = await guardDiff({ worktree: slot.worktree, config, protectedHashes: ctx.protectedHashes() });
  if (!check.ok) return refuse(check.reason);
  const e = ctx.current(id);
  const commit = await commitPaths(slot.worktree, check.changedFiles, experimentCommitMessage(tag, id, `${e.description} (edited by the researcher)`, e.hypothesis));
  await cleanWorktree(slot.worktree, config.files.linked);
  await updateRef(projectDir, candidateRef(tag, id), commit);
  // The record names the commit that runs; the proposed one stays in `approval.proposedCommit`.
  await ctx.append({
    type: 'experiment-proposed',
    at: isoNow(),
    id,
    commit,
    description: e.description,
    hypothesis: e.hypothesis,
    usage: e.usage,
    proposalMs: e.timings.proposalMs ?? 0,
    changedFiles: check.changedFiles,
    transcriptPath: e.transcriptPath,
  });
  return { commit };
}

/**
 * An answer dropped into the run's inbox, as the journal event to append; a notice when it cannot apply
 * (no such waiting proposal, answered already: the first answer wins); null when it is not an answer.
 */
export function approvalEventFromInbox(value: unknown, record: RunRecord): JournalEvent | null {
  if (!value || typeof value !== 'object' || (value as { kind?: unknown }).kind !== 'approval') return null;
  const { kind: _kind, ...fields } = value as Record<string, unknown>;
  const event = parseJournalEvent({ ...fields, type: 'approval-answer', at: typeof fields.at === 'string' ? fields.at : isoNow() });
  if (!event || event.type !== 'approval-answer') {
    return { type: 'notice', at: isoNow(), level: 'warning', message: 'An answer to a waiting proposal was not in the expected form and was dropped; answer it again.' };
  }
  const waiting = record.approvals.get(event.id);
  if (!waiting) return { type: 'notice', at: isoNow(), level: 'warning', message: `An answer to #${event.id} was dropped: it is not a proposal waiting for approval.`, id: event.id };
  if (waiting.answer) return { type: 'notice', at: isoNow(), level: 'warning', message: `A second answer to #${event.id} (${event.answer}) was dropped: it was already answered (${waiting.answer.answer}).`, id: event.id };
  return event;
}
