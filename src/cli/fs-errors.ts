// File-system failures (a read-only folder or journal, a full disk) as one line that says what to do,
// instead of a stack trace: they are the user's to fix, not bugs.
import path from 'node:path';

const CAUSES: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
};

export function isFsError(err: unknown): err is NodeJS.ErrnoException & { path: string } {
  const e = err as NodeJS.ErrnoException | null;
  return !!e && typeof e === 'object' && typeof e.code === 'string' && e.code in CAUSES && typeof e.path === 'string';
}

/** "cannot create /p/.autoresearch (permission denied). Make …" */
export function fsErrorMessage(err: NodeJS.ErrnoException & { path: string }): string {
  const target = err.path;
  const verb = err.syscall === 'mkdir' ? 'create the folder' : err.syscall === 'open' || err.syscall === 'write' ? 'write' : err.syscall === 'rename' || err.syscall === 'unlink' ? 'change' : 'use';
  const cause = CAUSES[err.code!]!;
  const what = `cannot ${verb} ${target} (${cause}).`;
  if (err.code === 'ENOSPC' || err.code === 'EDQUOT') return `${what} Free some space and try again; what was recorded so far is kept.`;
  const folder = err.syscall === 'mkdir' ? path.dirname(target) : target;
  return `${what} The app keeps its settings and runs under .autoresearch in the project, so it must be able to write there: make ${folder} writable for this user (check with \`ls -ld ${folder}\`), or work on a copy of the project you own.`;
}
