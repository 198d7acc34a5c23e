// Git as the loop uses it, behind LoopGit (context.ts): the system git on the project's repository. The
// decision step and the scheduler see only the interface, so their unit tests run on an in-memory one.
import { carryOnto } from '../git/carry-change.js';
import { raw, rev } from '../git/git.js';
import { resetTo } from '../git/reset-to.js';
import { moveRef } from '../git/ref-writer.js';
import type { CarryOutcome, LoopGit } from './context.js';

/**
 * Carries computed ahead and not yet asked for: one per queued proposal onto the running candidate and onto the
 * best (pre-carry.ts), and the queue holds at most a few proposals per slot.
 */
const PRECARRIED_KEPT = 16;

export function createLoopGit(projectDir: string, linked: readonly string[]): LoopGit {
  const carry = async (commit: string, onto: string, message: string): Promise<CarryOutcome> => {
    const result = await carryOnto(projectDir, commit, onto, message);
    return 'conflicts' in result ? { kind: 'conflict', files: result.conflicts } : { kind: 'carried', commit: result.commit };
  };
  // A carry made ahead (pre-carry.ts) waits here until the slot asks for the same one. It is pure object-database
  // work (merge-tree, commit-tree: no worktree, no ref), so one nobody asks for costs nothing but its objects,
  // which git's gc prunes in time.
  const ahead = new Map<string, Promise<CarryOutcome>>();
  const keyOf = (commit: string, onto: string, message: string) => `${commit} ${onto} ${message}`;
  return {
    resetTo: (worktree, commit) => resetTo(worktree, commit, linked),
    updateRef: (ref, commit) => moveRef(projectDir, ref, commit),
    carryOnto: (commit, onto, message) => {
      const key = keyOf(commit, onto, message);
      const made = ahead.get(key);
      if (!made) return carry(commit, onto, message);
      ahead.delete(key);
      return made;
    },
    carryAhead: (commit, onto, message) => {
      const key = keyOf(commit, onto, message);
      const begun = ahead.get(key);
      if (begun) return begun;
      const made = carry(commit, onto, message);
      // A failure is the slot's to hear if it asks for this carry (the same error, as if computed then); unasked, it is nobody's.
      made.catch(() => undefined);
      ahead.set(key, made);
      if (ahead.size > PRECARRIED_KEPT) ahead.delete(ahead.keys().next().value!);
      return made;
    },
    commitExists: (commit) =>
      raw(projectDir, ['cat-file', '-e', `${rev(commit)}^{commit}`]).then(
        () => true,
        () => false,
      ),
  };
}
