// Reading and writing the app's own files without following links. Anything under .autoresearch (and in the
// worktrees inside it) may have been planted by a program the app does not trust: a trainer on a platform
// without a sandbox, a project unpacked from a tarball. A symbolic link there would turn the app's write of
// final.patch or results.tsv into a write anywhere the user can write, and its read of a metric file or an
// edited file into a read of ~/.ssh/id_rsa that ends up in the journal. So every such open is O_NOFOLLOW,
// every folder on the way from .autoresearch down is lstat'ed, and a file with more than one hard link (the
// same inode as a file elsewhere) is refused: writing it would change the other name too, reading it would
// read that other file.
import { constants, type Stats } from 'node:fs';
import { lstat, open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

/** The app's folder in a project (kept here, not imported, so this stays a leaf module). */
const APP_DIR = '.autoresearch';

export class LinkRefusedError extends Error {
  readonly code = 'ELINKREFUSED';
  constructor(
    readonly file: string,
    readonly kind: 'symlink' | 'hardlink' | 'not-a-file',
  ) {
    super(
      kind === 'symlink'
        ? `${file} is a symbolic link; the app never follows links under .autoresearch or in its worktrees — remove it and try again.`
        : kind === 'hardlink'
          ? `${file} has more than one hard link (it is also a file elsewhere); the app never reads or writes such files under .autoresearch or in its worktrees — remove it and try again.`
          : `${file} is not a regular file; remove it and try again.`,
    );
    this.name = 'LinkRefusedError';
  }
}

/**
 * The folders from where the checks begin down to `file`'s parent: from `root` when given, else from the
 * project that holds the last .autoresearch in the path (its parent is the user's own project folder, which
 * may be reached through a link of the user's), else none (only the file itself is checked).
 */
function foldersToCheck(file: string, root?: string): string[] {
  const abs = path.resolve(file);
  let base = root ? path.resolve(root) : null;
  if (!base) {
    const parts = abs.split(path.sep);
    const at = parts.lastIndexOf(APP_DIR);
    if (at <= 0) return [];
    base = parts.slice(0, at).join(path.sep) || path.sep;
  }
  const rel = path.relative(base, path.dirname(abs));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) return [];
  const out: string[] = [];
  let at = base;
  for (const part of rel.split(path.sep)) out.push((at = path.join(at, part)));
  return out;
}

/** Throws LinkRefusedError when a folder between the project (or `root`) and `file` is a symbolic link. */
export async function assertNoLinkedFolders(file: string, root?: string): Promise<void> {
  for (const dir of foldersToCheck(file, root)) {
    const info = await lstat(dir).catch(() => null);
    if (!info) return; // not there yet: nothing below it is either
    if (info.isSymbolicLink()) throw new LinkRefusedError(dir, 'symlink');
  }
}

function checkOpened(file: string, info: Stats, allowHardLinks: boolean): void {
  // A folder is what it always was to a reader (EISDIR, as readFile says), not a planted trap.
  if (info.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, open '${file}'`), { code: 'EISDIR', path: file });
  // A character device is let through: only root can make one (so none is planted), and /dev/full or /dev/null
  // as a journal or a log is how a full disk or a discarded log is had on purpose. A FIFO or a folder is not.
  if (!info.isFile() && !info.isCharacterDevice()) throw new LinkRefusedError(file, 'not-a-file');
  if (info.nlink > 1 && !allowHardLinks) throw new LinkRefusedError(file, 'hardlink');
}

const FLAGS = {
  // O_NONBLOCK: a planted FIFO must not hang the open; it is then refused as not a regular file.
  r: constants.O_RDONLY | constants.O_NONBLOCK,
  a: constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT,
  // No O_TRUNC here: a hard-linked file must be refused before anything of it is cut (truncated after the check).
  w: constants.O_WRONLY | constants.O_CREAT,
  wx: constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL,
  'r+': constants.O_RDWR,
} as const;

export interface SafeOpenOptions {
  /** Where the folder checks begin (a worktree, a project); default: the project around .autoresearch. */
  readonly root?: string;
  readonly mode?: number;
  /** run.lock is taken by link(2), so it has two names while it is being taken: only its links are refused. */
  readonly allowHardLinks?: boolean;
}

/**
 * open(2) that refuses a symbolic link (the file or a folder on the way), a hard-linked file and anything
 * that is not a regular file. 'w' truncates only after the checks.
 */
export async function openNoFollow(file: string, flags: keyof typeof FLAGS, opts: SafeOpenOptions = {}): Promise<FileHandle> {
  await assertNoLinkedFolders(file, opts.root);
  let handle: FileHandle;
  try {
    handle = await open(file, FLAGS[flags] | constants.O_NOFOLLOW, opts.mode ?? 0o644);
  } catch (err) {
    // ELOOP is what O_NOFOLLOW answers for a link; ENXIO a FIFO with no reader.
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new LinkRefusedError(file, 'symlink');
    if (code === 'ENXIO') throw new LinkRefusedError(file, 'not-a-file');
    throw err;
  }
  try {
    checkOpened(file, await handle.stat(), opts.allowHardLinks === true);
    if (flags === 'w') await handle.truncate(0);
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
  return handle;
}

/** The whole file, refusing links; `maxBytes` refuses a larger one (before reading it). */
export async function readFileNoFollow(file: string, opts: SafeOpenOptions & { readonly maxBytes?: number } = {}): Promise<Buffer> {
  const handle = await openNoFollow(file, 'r', opts);
  try {
    const size = (await handle.stat()).size;
    if (opts.maxBytes !== undefined && size > opts.maxBytes) {
      throw Object.assign(new Error(`${file} is ${size} bytes, over the ${opts.maxBytes} this file may have.`), { code: 'EFBIG' });
    }
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

export async function readTextNoFollow(file: string, opts: SafeOpenOptions & { readonly maxBytes?: number } = {}): Promise<string> {
  return (await readFileNoFollow(file, opts)).toString('utf8');
}

/** lstat that says what is there without following it; null when nothing is. */
export async function lstatOrNull(file: string): Promise<Stats | null> {
  return lstat(file).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return null;
    throw err;
  });
}

/** Appends to the file (created if missing), refusing links. */
export async function appendFileNoFollow(file: string, data: string | Buffer, opts: SafeOpenOptions = {}): Promise<void> {
  const handle = await openNoFollow(file, 'a', opts);
  try {
    await handle.writeFile(data);
  } finally {
    await handle.close();
  }
}

/** Throws LinkRefusedError when writeFileAtomic would refuse `file`: to check before work that must not be half done. */
export async function assertWritableTarget(file: string, opts: SafeOpenOptions = {}): Promise<void> {
  await assertNoLinkedFolders(file, opts.root);
  const existing = await lstatOrNull(file);
  if (existing?.isSymbolicLink()) throw new LinkRefusedError(file, 'symlink');
  if (existing && !existing.isFile()) throw new LinkRefusedError(file, 'not-a-file');
  if (existing && existing.nlink > 1) throw new LinkRefusedError(file, 'hardlink');
}

/**
 * Replaces the file's content at once (a temporary file renamed over it). A link at the name is refused rather
 * than silently replaced, so the planted link is seen; a folder on the way that is a link is refused too.
 */
export async function writeFileAtomic(file: string, data: string | Buffer, opts: SafeOpenOptions = {}): Promise<void> {
  await assertWritableTarget(file, opts);
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  // O_EXCL|O_NOFOLLOW: the temporary name is fresh; a link planted under it fails the open.
  const handle = await openNoFollow(tmp, 'wx', opts);
  try {
    await handle.writeFile(data);
    await handle.close();
    await rename(tmp, file);
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
}
