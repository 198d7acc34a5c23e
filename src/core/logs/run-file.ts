// Files named by a run's journal (logs, transcripts) are opened only inside that run's folder. The journal is
// untrusted input: `logPath: "../../../../etc/passwd"`, or a log replaced by a symlink to ~/.ssh/id_ed25519,
// must never be read and shown.
import { lstat, realpath } from 'node:fs/promises';
import path from 'node:path';

export class OutsideRunFolderError extends Error {
  constructor(rel: string) {
    super(`Refusing to open ${JSON.stringify(rel.slice(0, 200))}: it is outside the run's folder. The journal may have been edited by hand or by a program.`);
    this.name = 'OutsideRunFolderError';
  }
}

const inside = (root: string, p: string) => p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);

/**
 * The absolute path of `rel` below `runDir`, after resolving every symbolic link on the way. Throws
 * OutsideRunFolderError when the path, or where its links lead, leaves the run folder (or the run folder
 * itself is a link that leaves `runsDir`). A file that does not exist yet resolves lexically.
 */
export async function resolveRunFile(runsDir: string, runDir: string, rel: string): Promise<string> {
  if (typeof rel !== 'string' || rel === '' || rel.includes('\0') || path.isAbsolute(rel)) throw new OutsideRunFolderError(String(rel));
  const lexical = path.resolve(runDir, rel);
  if (!inside(path.resolve(runDir), lexical) || lexical === path.resolve(runDir)) throw new OutsideRunFolderError(rel);
  // A run folder not there yet holds no file: the lexical path (already checked to be inside) is returned.
  const realRuns = await realpath(runsDir).catch(() => path.resolve(runsDir));
  const realRun = await realpath(runDir).catch(() => null);
  if (realRun === null) return lexical;
  if (!inside(realRuns, realRun)) throw new OutsideRunFolderError(rel);
  let real: string;
  try {
    real = await realpath(lexical);
  } catch {
    // Missing (a log not written yet): resolve the folder it would be in. A dangling link is refused, since
    // its target could appear later.
    if ((await lstat(lexical).catch(() => null))?.isSymbolicLink()) throw new OutsideRunFolderError(rel);
    const parent = await realpath(path.dirname(lexical)).catch(() => null);
    if (parent === null || !inside(realRun, parent)) throw new OutsideRunFolderError(rel);
    return path.join(parent, path.basename(lexical));
  }
  if (!inside(realRun, real) || real === realRun) throw new OutsideRunFolderError(rel);
  return real;
}
