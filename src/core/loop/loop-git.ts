// Git as the loop uses it, behind LoopGit (context.ts): the system git on the project's repository. The
// decision step and the scheduler see only the interface, so their unit tests run on an in-memory one.
import { carryOnto } from '../git/carry-change.js';
import { raw, rev } from '../git/git.js';
import { resetTo } from '../git/reset-to.js';
import { updateRef } from '../git/update-ref.js';
import type { LoopGit } from './context.js';

export function createLoopGit(projectDir: string, linked: readonly string[]): LoopGit {
  return {
    resetTo: (worktree, commit) => resetTo(worktree, commit, linked),
    updateRef: (ref, commit) => updateRef(projectDir, ref, commit),
    carryOnto: async (commit, onto, message) => {
      const result = await carryOnto(projectDir, commit, onto, message);
      return 'conflicts' in result ? { kind: 'conflict', files: result.conflicts } : { kind: 'carried', commit: result.commit };
    },
    commitExists: (commit) =>
      raw(projectDir, ['cat-file', '-e', `${rev(commit)}^{commit}`]).then(
        () => true,
        () => false,
      ),
  };
}
