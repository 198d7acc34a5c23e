import { raw } from './git.js';

/** Tracked files, and untracked files that are not ignored, relative to the repository root. */
export async function listProjectFiles(dir: string): Promise<{ tracked: string[]; untracked: string[] }> {
  const tracked = (await raw(dir, ['ls-files', '-z', '--cached'])).split('\0').filter(Boolean);
  const untracked = (await raw(dir, ['ls-files', '-z', '--others', '--exclude-standard'])).split('\0').filter(Boolean);
  return { tracked, untracked };
}
