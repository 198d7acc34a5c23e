import { lstat, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { diffCommits } from '../../core/git/diff.js';
import { answerApproval, ApprovalError, readApprovals, readProposalFiles } from '../../core/loop/approval-answer.js';
import { assertProjectDir } from '../../core/project/project-info.js';
import { runPaths } from '../../core/project/paths.js';
import { LinkRefusedError, readTextNoFollow, writeFileAtomic } from '../../core/util/safe-fs.js';
import type { EditedFile } from '../../shared/journal.js';
import { intOption, parseCommandArgs } from '../args.js';
import { CliError } from '../io.js';
import { stripControl } from '../sanitize.js';
import type { Command } from './index.js';
import { refuseUntrusted } from './trust-gate.js';
import { plural } from '../../shared/wording.js';

const USAGE = `Usage: autoresearch approve [DIR] [--tag TAG] [--show ID | --approve ID | --edit ID | --reject ID --note "why"]

Proposals wait for approval when the project's config says so (approval: "large" or "all"). Without an
option, lists the proposals waiting in the run. DIR defaults to the current folder, TAG to the newest run.

  --show ID      print the proposal's description, hypothesis and diff
  --approve ID   run it (with your edit, if you made one with --edit)
  --edit ID      copy its files into a folder to edit; then --approve ID runs your version
  --reject ID    do not run it; --note says why (the agent sees the note in its next prompt)
  --note TEXT    a note with the answer

The answer reaches a live run (started here, in the app, or by another terminal) within a second; a stopped
run acts on it when it resumes.`;

/** Where --edit puts a proposal's files for the researcher to change. */
const editDir = (dir: string, tag: string, id: number) => path.join(runPaths(dir, tag).dir, 'edits', String(id));

export const approveCommand: Command = {
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      argv,
      {
        tag: { type: 'string' },
        show: { type: 'string' },
        approve: { type: 'string' },
        edit: { type: 'string' },
        reject: { type: 'string' },
        note: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      USAGE,
    );
    if (values.help) {
      io.out(USAGE + '\n');
      return 0;
    }
    const actions = (['show', 'approve', 'edit', 'reject'] as const).filter((a) => values[a] !== undefined);
    if (actions.length > 1) throw new CliError(`Give one of --${actions.join(', --')} at a time.`);
    if (positionals.length > 1) throw new CliError(`Give at most one project folder (got ${positionals.length}).\n\n${USAGE}`);
    const dir = await assertProjectDir(path.resolve(io.cwd, positionals[0] ?? '.')).catch((err: Error) => {
      throw new CliError(err.message);
    });
    const fail = (err: unknown): never => {
      if (err instanceof ApprovalError) throw new CliError(err.message, 1);
      throw err;
    };
    const { tag, items, record, live } = await readApprovals(dir, typeof values.tag === 'string' ? values.tag : undefined).catch(fail);
    const action = actions[0];
    const note = typeof values.note === 'string' ? values.note : null;
    if (note !== null && action !== 'approve' && action !== 'reject') throw new CliError('--note goes with --approve or --reject.');

    if (!action) {
      if (items.length === 0) {
        io.out(`No proposal is waiting for approval in run ${tag}${record.config?.approval?.mode && record.config.approval.mode !== 'off' ? '' : ' (its config has approval: off)'}.\n`);
        return 0;
      }
      io.out(`Waiting for approval in run ${tag}${live ? '' : ' (stopped: answers apply when it resumes)'}:\n`);
      for (const i of items) {
        io.out(`  #${i.id}  ${stripControl(i.description)}${i.answer ? `  [answered: ${i.answer}, applies when the run resumes]` : ''}\n`);
        if (i.hypothesis.trim()) io.out(`       ${stripControl(i.hypothesis.trim().split('\n')[0]!)}\n`);
        io.out(`       ${i.changedFiles.join(', ')}; ${plural(i.changedLines, 'line')} changed; waits because ${i.reason}\n`);
      }
      io.out(`\nSee one with --show ID; answer with --approve ID, --edit ID or --reject ID --note "why".\n`);
      return 0;
    }

    const id = intOption(values[action], `--${action}`, 0)!;
    if (action === 'show') {
      const item = items.find((i) => i.id === id);
      if (!item) throw new CliError(`#${id} is not waiting for approval in run ${tag}. List the waiting ones with \`autoresearch approve --tag ${tag}\`.`, 1);
      io.out(`#${id}  ${stripControl(item.description)}\n`);
      if (item.hypothesis.trim()) io.out(`${stripControl(item.hypothesis.trim())}\n`);
      io.out(`\n${stripControl(await diffCommits(dir, item.parentCommit, item.commit))}`);
      return 0;
    }
    if (action === 'edit') {
      const item = items.find((i) => i.id === id);
      if (!item) throw new CliError(`#${id} is not waiting for approval in run ${tag}. List the waiting ones with \`autoresearch approve --tag ${tag}\`.`, 1);
      const files = await readProposalFiles(dir, tag, id).catch(fail);
      if (files.length === 0) throw new CliError(`#${id} has no text file to edit (it deletes files or changes binary ones); approve or reject it.`, 1);
      const target = editDir(dir, tag, id);
      await rm(target, { recursive: true, force: true });
      for (const f of files) {
        await mkdir(path.dirname(path.join(target, f.path)), { recursive: true });
        await writeFileAtomic(path.join(target, f.path), f.content).catch(failLink);
      }
      io.out(`The files of #${id} are in ${target}:\n${files.map((f) => `  ${path.join(target, f.path)}\n`).join('')}Edit them, then run: autoresearch approve --tag ${tag} --approve ${id}\n`);
      return 0;
    }
    if (action === 'reject') {
      const where = await answerApproval(dir, tag, { id, answer: 'reject', note, by: 'terminal' }).catch(fail);
      await rm(editDir(dir, tag, id), { recursive: true, force: true });
      io.out(`Rejected #${id}${where === 'inbox' ? '' : '; the run records it when it resumes'}.${note ? ' The agent sees your note in the next proposal it starts.' : ''}\n`);
      return 0;
    }
    // An approval makes the run train the proposal: the project's commands must be trusted as they are now.
    await refuseUntrusted(dir, io);
    // --approve: with the researcher's edit when --edit left one that differs from the proposal.
    const edited = await editedFiles(dir, tag, id).catch(fail);
    const where = await answerApproval(dir, tag, edited.length ? { id, answer: 'edit', note, files: edited, by: 'terminal' } : { id, answer: 'approve', note, by: 'terminal' }).catch(fail);
    await rm(editDir(dir, tag, id), { recursive: true, force: true });
    const what = edited.length ? `Approved #${id} with your edit of ${edited.map((f) => f.path).join(', ')}` : `Approved #${id}`;
    io.out(`${what}${where === 'inbox' ? '; it runs now' : '; it runs when the run resumes'}.\n`);
    return 0;
  },
};

/** A link refused in the edit folder: the one-line error that names it, and nothing was answered. */
function failLink(err: unknown): never {
  if (err instanceof LinkRefusedError) throw new CliError(`${err.message} Nothing was answered.`, 1);
  throw err;
}

/**
 * The files of the --edit folder that differ from the proposal (none when there is no such folder). With the
 * folder there, a failure to read it or the proposal is an error: approving without the researcher's edit would
 * lose it. A file removed from the folder keeps the proposal's version.
 */
async function editedFiles(dir: string, tag: string, id: number): Promise<EditedFile[]> {
  const target = editDir(dir, tag, id);
  const folder = await lstat(target).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return null;
    throw new CliError(`Cannot read your edit folder ${target}: ${err.message}. Fix it, or remove it to approve the proposal as it is.`, 1);
  });
  if (!folder) return [];
  if (folder.isSymbolicLink()) failLink(new LinkRefusedError(target, 'symlink'));
  const proposed = await readProposalFiles(dir, tag, id);
  const out: EditedFile[] = [];
  for (const f of proposed) {
    const file = path.join(target, f.path);
    // Never through a link: edits/1/train.py -> ~/.ssh/id_rsa would put the key into the journal and git.
    const now = await readTextNoFollow(file).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return null;
      if (err instanceof LinkRefusedError && err.kind !== 'not-a-file') failLink(err);
      throw new CliError(`Cannot read your edit of ${f.path} (${file}): ${err.message}. Fix the file (or run --edit ${id} again), then approve again.`, 1);
    });
    if (now !== null && now !== f.content) out.push({ path: f.path, content: now });
  }
  return out;
}
