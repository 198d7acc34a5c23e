// Is a run tag usable? It names a folder (.autoresearch/runs/<tag>) and two git refs
// (autoresearch/<tag>, refs/autoresearch/<tag>/<id>), so it must satisfy both, and it is checked before
// anything is written: a refused tag leaves no empty run folder behind.
import { execFile } from 'node:child_process';
import { branchFor } from './refs.js';

export const TAG_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Why `tag` cannot be used, as a message that says what to do; null when it is fine. */
export async function tagProblem(_projectDir: string, tag: string): Promise<string | null> {
  const fix = 'Use letters, digits and . _ - (not ending in "." or ".lock", no ".."), e.g. nov24.';
  if (!TAG_PATTERN.test(tag)) return `"${tag}" is not a valid tag. ${fix}`;
  // git's own rules for a ref name component (git help check-ref-format).
  if (tag.includes('..') || tag.endsWith('.') || tag.endsWith('.lock')) return `"${tag}" is not a valid tag: git refuses it as a branch name. ${fix}`;
  if (!(await gitAcceptsRef(`refs/heads/${branchFor(tag)}`))) return `"${tag}" is not a valid tag: git refuses it as a branch name. ${fix}`;
  return null;
}

function gitAcceptsRef(ref: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile('git', ['check-ref-format', ref], (err) => resolve(err === null || (err as NodeJS.ErrnoException).code === 'ENOENT'));
  });
}
