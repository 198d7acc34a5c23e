import { rawBuffer, rev } from './git.js';

/** A file's content in a commit, or null when the commit has no such file (deleted, or never there). */
export async function fileAt(dir: string, commit: string, file: string): Promise<Buffer | null> {
  if (file.startsWith('-') || file.includes('\0')) return null;
  const listed = await rawBuffer(dir, ['ls-tree', '-z', '--name-only', '--end-of-options', rev(commit), '--', file]).catch(() => null);
  if (!listed || listed.length === 0) return null;
  // `./`: relative to `dir`, like ls-tree above (a project in a monorepo's subfolder names its own paths).
  return rawBuffer(dir, ['cat-file', 'blob', rev(`${commit}:./${file}`)]);
}
