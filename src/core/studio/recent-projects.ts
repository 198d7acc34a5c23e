// Recently opened projects, kept in the app's data folder.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

const MAX = 12;

export async function readRecent(dataDir: string): Promise<string[]> {
  try {
    const list = JSON.parse(await readFile(path.join(dataDir, 'recent-projects.json'), 'utf8')) as unknown;
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string').slice(0, MAX) : [];
  } catch {
    // Missing or damaged: the list starts afresh (a convenience, rewritten on the next open).
    return [];
  }
}

export async function addRecent(dataDir: string, dir: string): Promise<string[]> {
  const list = [dir, ...(await readRecent(dataDir)).filter((d) => d !== dir)].slice(0, MAX);
  await mkdir(dataDir, { recursive: true });
  await writeFile(path.join(dataDir, 'recent-projects.json'), JSON.stringify(list, null, 1));
  return list;
}
