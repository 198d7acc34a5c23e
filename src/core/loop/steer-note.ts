// Steering notes from outside the running process (`autoresearch steer`): a live run picks them up from
// its inbox before the next proposal; a stopped run gets them straight into its journal.
import { mkdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openJournalWriter } from '../journal/append.js';
import { runPaths } from '../project/paths.js';
import { isLockLive, readLock } from '../project/run-lock.js';

export async function addSteeringNote(projectDir: string, tag: string, note: string): Promise<'inbox' | 'journal'> {
  const text = note.trim();
  if (!text) throw new Error('The note is empty. Write what the agent should try or avoid, e.g. "stop changing the batch size".');
  const paths = runPaths(projectDir, tag);
  if (!(await stat(paths.journal).catch(() => null))) throw new Error(`There is no run "${tag}" in ${projectDir}.`);
  const at = new Date().toISOString();
  const lock = await readLock(projectDir);
  if (lock && lock.tag === tag && isLockLive(lock)) {
    const inbox = path.join(paths.dir, 'inbox');
    await mkdir(inbox, { recursive: true });
    const name = `${Date.now()}-${process.pid}.json`;
    // Written under a temporary name first, so the run never reads half a note.
    await writeFile(path.join(inbox, `${name}.tmp`), JSON.stringify({ at, note: text }));
    const { rename } = await import('node:fs/promises');
    await rename(path.join(inbox, `${name}.tmp`), path.join(inbox, name));
    return 'inbox';
  }
  const writer = await openJournalWriter(paths.journal);
  try {
    await writer.append({ type: 'steer', at, note: text });
  } finally {
    await writer.close();
  }
  return 'journal';
}
