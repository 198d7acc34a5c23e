// Answering proposals that wait for approval, from any process (the app, `autoresearch approve`): a live run
// gets the answer through its inbox (imported while the proposal waits, like steering notes); a stopped run
// gets it straight into its journal and acts on it when it resumes. Every refusal is one line saying why.
import { link, mkdir, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import path from 'node:path';
import picomatch from 'picomatch';
import type { ApprovalItem } from '../../shared/api.js';
import { MAX_EDITED_FILE_CHARS, MAX_EDITED_FILES, parseJournalEvent, type ApprovalAnswerKind, type EditedFile } from '../../shared/journal.js';
import { fileAt } from '../git/file-at.js';
import { openJournalWriter } from '../journal/append.js';
import { approvalItems, type RunRecord } from '../journal/fold.js';
import { listRunTags, readRunRecord, RunNotFoundError } from '../journal/read.js';
import { loadConfig } from '../project/config-file.js';
import { runPaths } from '../project/paths.js';
import { isLockLive, readLock } from '../project/run-lock.js';
import { openNoFollow } from '../util/safe-fs.js';

export class ApprovalError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ApprovalError';
  }
}

export interface ApprovalAnswer {
  readonly id: number;
  readonly answer: ApprovalAnswerKind;
  readonly note?: string | null;
  /** edit: the proposal's files as the researcher wants them to run. */
  readonly files?: readonly EditedFile[];
  readonly by: 'app' | 'terminal';
}

/** The run `tag` (or the newest run) and its proposals waiting for approval. */
export async function readApprovals(projectDir: string, tag?: string): Promise<{ tag: string; record: RunRecord; items: ApprovalItem[]; live: boolean }> {
  const chosen = tag ?? (await listRunTags(projectDir))[0];
  if (!chosen) throw new ApprovalError(`There are no runs in ${projectDir} yet. Start one with \`autoresearch run\`; proposals that need approval wait there.`);
  const record = await readRunRecord(projectDir, chosen).catch((err: unknown) => {
    throw err instanceof RunNotFoundError ? new ApprovalError(err.message) : err;
  });
  return { tag: chosen, record, items: approvalItems(record), live: await isLive(projectDir, chosen) };
}

async function isLive(projectDir: string, tag: string): Promise<boolean> {
  const lock = await readLock(projectDir);
  if (!lock || lock.tag !== tag) return false;
  // isLockLive calls this process's own lock stale (for re-acquiring it), but a run this process owns (the app's)
  // holds it until it ends: it is live, and it must get the answer through its inbox, not behind its back.
  const ours = lock.host === hostname() && lock.pid === process.pid;
  return ours || isLockLive(lock);
}

const inboxName = (id: number) => `approval-${id}.json`;

/** Checks the answer against the run and delivers it. Returns where it went. */
export async function answerApproval(projectDir: string, tag: string, answer: ApprovalAnswer): Promise<'inbox' | 'journal'> {
  const { record, items, live } = await readApprovals(projectDir, tag);
  const { id } = answer;
  const request = record.approvals.get(id);
  if (!request) {
    const waiting = items.filter((i) => i.answer === null).map((i) => `#${i.id}`);
    throw new ApprovalError(
      `#${id} is not a proposal waiting for approval in run ${tag}. ${waiting.length ? `Waiting: ${waiting.join(', ')}.` : 'None is waiting.'} List them with \`autoresearch approve --tag ${tag}\`.`,
    );
  }
  if (request.answer) throw new ApprovalError(`#${id} was already answered (${request.answer.answer}, from the ${request.answer.by === 'app' ? 'app' : 'terminal'} at ${request.answer.at}).`);
  if (!items.some((i) => i.id === id)) throw new ApprovalError(`#${id} is no longer waiting: the run closed it (${record.experiments.get(id)?.status ?? 'gone'}).`);

  const note = answer.note?.trim() ? answer.note.trim().slice(0, 4000) : null;
  const files = answer.answer === 'edit' ? await checkEdit(projectDir, record, id, answer.files ?? []) : [];
  const fields = { id, answer: answer.answer, note, files, by: answer.by };
  const at = new Date().toISOString();
  if (!parseJournalEvent({ type: 'approval-answer', at, ...fields })) throw new ApprovalError(`The answer to #${id} is not valid; check the note and the edited files.`);

  const paths = runPaths(projectDir, tag);
  if (live) {
    const inbox = path.join(paths.dir, 'inbox');
    await mkdir(inbox, { recursive: true });
    const tmp = path.join(inbox, `${inboxName(id)}.${process.pid}.${Date.now()}.tmp`);
    // A fresh name opened O_EXCL|O_NOFOLLOW: a link planted at it (or an inbox that is a link) is refused.
    const handle = await openNoFollow(tmp, 'wx');
    try {
      await handle.writeFile(JSON.stringify({ kind: 'approval', at, ...fields }));
    } finally {
      await handle.close();
    }
    try {
      // link() refuses an existing name: of two answers racing to the same waiting proposal, one wins.
      await link(tmp, path.join(inbox, inboxName(id)));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw new ApprovalError(`#${id} was already answered; the run has not taken that answer up yet.`);
      throw err;
    } finally {
      await rm(tmp, { force: true });
    }
    return 'inbox';
  }
  const writer = await openJournalWriter(paths.journal);
  try {
    await writer.append({ type: 'approval-answer', at, ...fields });
  } finally {
    await writer.close();
  }
  return 'journal';
}

/** An edit names editable files of the project only, each a plain relative path, within the size limits. */
async function checkEdit(projectDir: string, record: RunRecord, id: number, files: readonly EditedFile[]): Promise<EditedFile[]> {
  if (files.length === 0) throw new ApprovalError(`An edit of #${id} needs the edited files; to run it as proposed, approve it.`);
  if (files.length > MAX_EDITED_FILES) throw new ApprovalError(`An edit may change at most ${MAX_EDITED_FILES} files; #${id}'s edit has ${files.length}.`);
  const loaded = await loadConfig(projectDir).catch(() => null);
  const editable = loaded?.state === 'ok' ? loaded.config.files.editable : (record.config?.files?.editable ?? []);
  const isEditable = picomatch([...editable], { dot: true });
  const seen = new Set<string>();
  for (const f of files) {
    const p = f.path.replace(/^\.\//, '');
    if (!p || p.startsWith('/') || p.includes('\\') || p.split('/').includes('..')) throw new ApprovalError(`${f.path} is not a path inside the project; name the file as the proposal does (e.g. train.py).`);
    if (!isEditable(p)) throw new ApprovalError(`${p} is not one of the editable files (${editable.join(', ')}); an edit may only change those.`);
    if (f.content.length > MAX_EDITED_FILE_CHARS) throw new ApprovalError(`${p} is over ${MAX_EDITED_FILE_CHARS / 1024 / 1024} MB; an edit that large is not a review.`);
    if (seen.has(p)) throw new ApprovalError(`${p} is named twice in the edit of #${id}.`);
    seen.add(p);
  }
  return files.map((f) => ({ path: f.path.replace(/^\.\//, ''), content: f.content }));
}

/**
 * The files of a waiting proposal as it proposed them (what an edit starts from): its changed files that
 * exist in its commit and are text. A deleted or binary file is left out (an edit cannot restore it).
 */
export async function readProposalFiles(projectDir: string, tag: string, id: number): Promise<EditedFile[]> {
  const { record } = await readApprovals(projectDir, tag);
  const request = record.approvals.get(id)?.request;
  if (!request) throw new ApprovalError(`#${id} is not a proposal that waited for approval in run ${tag}.`);
  const files: EditedFile[] = [];
  for (const file of record.experiments.get(id)?.changedFiles ?? []) {
    const content = await fileAt(projectDir, request.commit, file);
    if (content === null || content.includes(0)) continue;
    files.push({ path: file, content: content.toString('utf8') });
  }
  return files;
}
