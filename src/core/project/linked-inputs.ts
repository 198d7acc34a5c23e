// files.linked names untracked inputs (data/, .venv/) that are linked into every worktree and, under the
// sandbox, mounted writable (or read-only) for the trainer. An entry that is `.git` or `.autoresearch` would
// hand the trainer the repository's config or the app's own records; an entry that is itself a symbolic link
// leaving the project (`.venv -> ~`, in a project unpacked from a tarball) would hand it whatever the link
// points at. Both are refused before a run starts and when the setup is saved.
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';
import { linkedNameProblem } from '../../shared/config.js';

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/** Why the entry `rel` of files.linked cannot be used in `projectDir`, or null. A missing input is no problem here. */
export async function linkedInputProblem(projectDir: string, rel: string): Promise<string | null> {
  const named = linkedNameProblem(rel);
  if (named) return `files.linked: ${named}.`;
  const clean = rel.replace(/\/+$/, '');
  const root = await realpath(projectDir).catch(() => path.resolve(projectDir));
  const abs = path.join(projectDir, clean);
  if (!(await lstat(abs).catch(() => null))) return null;
  const real = await realpath(abs).catch(() => null);
  // A dangling link: where it leads could appear later, anywhere.
  if (real === null || !inside(root, real) || real === root) {
    return `files.linked: ${clean} is a link that leads outside the project${real ? ` (to ${real})` : ''}; the app never links or mounts such an input. Move the folder into the project (or link the project's copy the other way round), or remove ${clean} from files.linked.`;
  }
  const top = path.relative(root, real).split(path.sep)[0]!.toLowerCase();
  if (top === '.git' || top === '.autoresearch') {
    return `files.linked: ${clean} leads into ${top}, which the trainer must never be given. Remove ${clean} from files.linked.`;
  }
  return null;
}

/** The first problem of the project's files.linked, or null. */
export async function linkedInputsProblem(projectDir: string, linked: readonly string[]): Promise<string | null> {
  for (const rel of linked) {
    const problem = await linkedInputProblem(projectDir, rel);
    if (problem) return problem;
  }
  return null;
}
