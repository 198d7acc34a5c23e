// After a proposer returns, the harness decides whether its change may run at all: only editable files
// changed, nothing protected touched, not empty, not larger than the cap. Applies to every proposer.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import type { ProjectConfig } from '../../shared/config.js';
import { changedFiles } from '../git/changed-files.js';
import { raw } from '../git/git.js';

export type ProposalCheck =
  | { readonly ok: true; readonly files: string[]; readonly changedLines: number }
  | { readonly ok: false; readonly reason: string; readonly files: string[] };

export async function checkProposalDiff(worktree: string, config: ProjectConfig): Promise<ProposalCheck> {
  const changes = await changedFiles(worktree);
  const files = [...new Set(changes.map((c) => c.path))].sort();
  if (files.length === 0) {
    return { ok: false, reason: 'The proposal changed no file (empty diff).', files };
  }
  const isEditable = picomatch([...config.files.editable], { dot: true });
  const isProtected = config.files.protected.length ? picomatch([...config.files.protected], { dot: true }) : () => false;
  const protectedTouched = files.filter((f) => isProtected(f));
  if (protectedTouched.length) {
    return { ok: false, reason: `The proposal changed protected files: ${protectedTouched.join(', ')}. They were restored; nothing ran.`, files };
  }
  const outside = files.filter((f) => !isEditable(f));
  if (outside.length) {
    return {
      ok: false,
      reason: `The proposal changed files outside the editable set (${config.files.editable.join(', ')}): ${outside.join(', ')}.`,
      files,
    };
  }
  // Count changed lines: tracked changes from git, new files by their line count.
  const numstat = await raw(worktree, ['diff', '--numstat', 'HEAD', '--', ...files]);
  let lines = 0;
  for (const row of numstat.split('\n').filter(Boolean)) {
    const [a, d] = row.split('\t');
    lines += (Number(a) || 0) + (Number(d) || 0);
  }
  for (const c of changes.filter((c) => c.code === '??')) {
    const content = await readFile(path.join(worktree, c.path), 'utf8').catch(() => '');
    lines += content.split('\n').length;
  }
  if (lines > config.agent.maxDiffLines) {
    return { ok: false, reason: `The proposal changed ${lines} lines, more than the cap of ${config.agent.maxDiffLines} (agent.maxDiffLines).`, files };
  }
  return { ok: true, files, changedLines: lines };
}
