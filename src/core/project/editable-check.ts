// Before a run: every editable glob must match a committed file. A glob that matches nothing (a typo, a
// file never committed) would otherwise surface only after the baseline, as "no numeric constants" or an
// agent that can change nothing.
import picomatch from 'picomatch';
import { raw } from '../git/git.js';

/** Why the editable globs cannot work, as a message that says what to do; null when each matches a file. */
export async function editableProblem(projectDir: string, editable: readonly string[]): Promise<string | null> {
  const committed = (await raw(projectDir, ['ls-tree', '-r', '-z', '--name-only', 'HEAD'])).split('\0').filter(Boolean);
  const untracked = (await raw(projectDir, ['ls-files', '-z', '--others', '--exclude-standard'])).split('\0').filter(Boolean);
  for (const glob of editable) {
    const matches = picomatch(glob, { dot: true });
    if (committed.some((f) => matches(f))) continue;
    const uncommitted = untracked.filter((f) => matches(f));
    if (uncommitted.length) {
      return `The editable pattern "${glob}" matches only files that are not committed (${uncommitted.slice(0, 3).join(', ')}). Every experiment starts from the last commit: commit them (git add ${uncommitted[0]} && git commit), then start again.`;
    }
    const near = committed.filter((f) => !f.startsWith('.autoresearch/')).slice(0, 8);
    return `The editable pattern "${glob}" matches no committed file, so the agent could change nothing. Fix files.editable in .autoresearch/config.json (or Setup in the app)${near.length ? `; committed files include: ${near.join(', ')}` : ''}.`;
  }
  return null;
}
