// The run's inbox: steering notes and answers to proposals waiting for approval, dropped as files by
// `autoresearch steer` / `autoresearch approve` in another process (or the app beside a CLI run), journaled
// here before each proposal and while a proposal waits (approval-answer.ts writes them).
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { approvalEventFromInbox } from './approval.js';
import { isoNow, type RunJournalView } from './context.js';

export async function openInbox(runDir: string, journal: RunJournalView): Promise<() => Promise<void>> {
  const inboxDir = path.join(runDir, 'inbox');
  await mkdir(inboxDir, { recursive: true });
  const importOnce = async () => {
    const files = (await readdir(inboxDir).catch(() => [] as string[])).filter((f) => f.endsWith('.json')).sort();
    for (const f of files) {
      const file = path.join(inboxDir, f);
      try {
        const parsed = JSON.parse(await readFile(file, 'utf8')) as { note: string; at?: string };
        const answer = approvalEventFromInbox(parsed, journal.record);
        if (answer) await journal.append(answer);
        else if (typeof parsed.note === 'string' && parsed.note.trim()) await journal.append({ type: 'steer', at: parsed.at ?? isoNow(), note: parsed.note.trim() });
      } catch {
        // A half-written note is picked up next time; a corrupt one is dropped below.
      }
      await rm(file, { force: true });
    }
  };
  // One import at a time: slots waiting for approval poll the inbox together, and a note or an answer must be
  // journaled once, not by every slot that read the file before the first one removed it.
  let chain: Promise<void> = Promise.resolve();
  return () => (chain = chain.then(importOnce, importOnce));
}
