import { raw } from './git.js';
import { fromTop, repoPlace } from './repo-place.js';

/**
 * Tracked files with uncommitted changes (staged or not) inside `dir`, relative to it: in a monorepo's
 * subfolder, changes elsewhere in the repository are not the project's and are not listed.
 * `ignore` filters paths the app itself manages (program.md, .autoresearch/) that never block a run.
 */
export async function dirtyTrackedFiles(dir: string, ignore: (path: string) => boolean = () => false): Promise<string[]> {
  const { prefix } = await repoPlace(dir);
  const out = await raw(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=no', '--', '.']);
  const files: string[] = [];
  const parts = out.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i]!;
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    files.push(fromTop(prefix, entry.slice(3)));
    if (code.includes('R') || code.includes('C')) i += 1; // the rename's source path follows
  }
  return files.filter((f) => !ignore(f));
}
