import { raw } from './git.js';

/**
 * Tracked files with uncommitted changes (staged or not), relative to the repository root.
 * `ignore` filters paths the app itself manages (program.md, .autoresearch/) that never block a run.
 */
export async function dirtyTrackedFiles(dir: string, ignore: (path: string) => boolean = () => false): Promise<string[]> {
  const out = await raw(dir, ['status', '--porcelain=v1', '-z', '--untracked-files=no']);
  const files: string[] = [];
  const parts = out.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const entry = parts[i]!;
    if (entry.length < 4) continue;
    const code = entry.slice(0, 2);
    files.push(entry.slice(3));
    if (code.includes('R') || code.includes('C')) i += 1; // the rename's source path follows
  }
  return files.filter((f) => !ignore(f));
}
