// The only door through which a proposer touches files. It lives in the slot's worktree and enforces the
// config's rules in code: writes only to editable paths, reads only of editable and context files, no
// escape through `..`, absolute paths outside the project, symbolic links or hard links. Protected and hidden
// names match in any letter case: on a case-insensitive volume (macOS, Windows) PREPARE.PY is prepare.py.
import { lstat, mkdir, readdir, readFile, realpath, rename, rm, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';

export class WorkspaceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WorkspaceError';
  }
}

export interface WorkspaceRules {
  /** Globs relative to the project root. */
  readonly editable: readonly string[];
  readonly context: readonly string[];
  readonly protected: readonly string[];
}

export interface DirEntry {
  readonly name: string;
  readonly type: 'file' | 'dir' | 'symlink';
}

export interface Workspace {
  /** The worktree the proposer works in. */
  readonly root: string;
  /** The user's project folder; absolute paths under it are accepted and mapped into the worktree. */
  readonly projectDir: string;
  readonly rules: WorkspaceRules;
  /** Normalise a path from the agent to a project-relative path with forward slashes. Throws WorkspaceError. */
  relative(p: string): string;
  canWrite(rel: string): boolean;
  canRead(rel: string): boolean;
  /** Does a protected glob name this path (for messages: writes to it are refused either way)? */
  isProtected(rel: string): boolean;
  readFile(p: string): Promise<string>;
  /** Create or overwrite an editable file. */
  writeFile(p: string, content: string): Promise<void>;
  /** Delete an editable file (used to undo a file the agent created). Missing files are fine. */
  removeFile(p: string): Promise<void>;
  /** List a directory of the project (hidden: .git, .autoresearch). */
  listDir(p: string): Promise<DirEntry[]>;
  exists(p: string): Promise<boolean>;
  /** The files (existing, regular) that match the editable globs. */
  editableFiles(): Promise<string[]>;
}

const HIDDEN_DIRS = new Set(['.git', '.autoresearch', 'node_modules', '__pycache__', '.venv']);
const isHiddenName = (name: string) => HIDDEN_DIRS.has(name.toLowerCase());
const MAX_READ_BYTES = 2 * 1024 * 1024;

export function createWorkspace(root: string, projectDir: string, rules: WorkspaceRules): Workspace {
  const absRoot = path.resolve(root);
  const absProject = path.resolve(projectDir);
  const isEditable = picomatch([...rules.editable], { dot: true });
  const isContext = picomatch([...rules.context], { dot: true });
  const isProtected = rules.protected.length ? picomatch([...rules.protected], { dot: true, nocase: true }) : () => false;

  function relative(p: string): string {
    if (typeof p !== 'string' || p.trim() === '') throw new WorkspaceError('Give a path relative to the project root, e.g. train.py');
    if (p.includes('\0')) throw new WorkspaceError('The path contains a NUL byte');
    let candidate = p.trim().replace(/\\/g, '/');
    if (path.posix.isAbsolute(candidate)) {
      // The agent may use the project's absolute path (it sees it in the prompt) or the worktree's.
      // The worktree lives inside the project (.autoresearch/worktrees/), so try the more specific root first.
      const under = [absRoot, absProject].find((base) => candidate === base || candidate.startsWith(base + '/'));
      if (!under) {
        throw new WorkspaceError(`${p} is outside the project. Use paths relative to the project root, e.g. train.py`);
      }
      candidate = path.posix.relative(under, candidate) || '.';
    }
    const segments = candidate.split('/');
    if (segments.includes('..')) {
      throw new WorkspaceError(`${p} uses "..", which is not allowed. Use paths relative to the project root, e.g. train.py`);
    }
    // normalize() already drops a leading "./"; a leading dot is part of the name (.git, .env).
    const normalised = path.posix.normalize(candidate).replace(/\/+$/, '');
    return normalised === '' ? '.' : normalised;
  }

  const inHiddenDir = (rel: string) => rel.split('/').some((s) => isHiddenName(s));

  function canWrite(rel: string): boolean {
    return rel !== '.' && isEditable(rel) && !isProtected(rel) && !inHiddenDir(rel);
  }

  function canRead(rel: string): boolean {
    // Hidden folders hold other slots' worktrees, the journal and git internals: never the agent's business.
    return rel !== '.' && (isEditable(rel) || isContext(rel)) && !inHiddenDir(rel);
  }

  /** Refuse any symbolic link on the way to the target, so a link cannot point the agent elsewhere. */
  async function assertNoSymlink(rel: string, mustExist: boolean): Promise<string> {
    if (rel === '.') return absRoot;
    let current = absRoot;
    const parts = rel.split('/');
    for (let i = 0; i < parts.length; i++) {
      current = path.join(current, parts[i]!);
      let info;
      try {
        info = await lstat(current);
      } catch {
        if (mustExist || i < parts.length - 1) {
          // A missing parent directory is created on write; a missing file for read is an error.
          if (mustExist) throw new WorkspaceError(`${rel} does not exist`);
          return path.join(absRoot, rel);
        }
        return current;
      }
      if (info.isSymbolicLink()) {
        throw new WorkspaceError(`${rel} goes through a symbolic link (${parts.slice(0, i + 1).join('/')}), which the agent may not follow`);
      }
    }
    // Belt and braces: the resolved path must still be inside the worktree.
    // A path not there yet (a file about to be created) is checked as written; its parents were walked above.
    const real = await realpath(current).catch(() => current);
    const realRoot = await realpath(absRoot).catch(() => absRoot);
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
      throw new WorkspaceError(`${rel} resolves outside the project`);
    }
    return current;
  }

  async function readFileChecked(p: string): Promise<string> {
    const rel = relative(p);
    if (!canRead(rel)) {
      throw new WorkspaceError(
        `${rel} is not readable: the agent may read the editable files (${rules.editable.join(', ')})` +
          (rules.context.length ? ` and the context files (${rules.context.join(', ')})` : ''),
      );
    }
    const abs = await assertNoSymlink(rel, true);
    const info = await lstat(abs);
    if (!info.isFile()) throw new WorkspaceError(`${rel} is not a file`);
    // A hard link planted by earlier code could name any file of the user's (~/.ssh/id_ed25519).
    if (info.nlink > 1) throw new WorkspaceError(`${rel} has more than one hard link, so it may be a file outside the project; the agent may not read it`);
    if (info.size > MAX_READ_BYTES) throw new WorkspaceError(`${rel} is ${info.size} bytes, more than the ${MAX_READ_BYTES} bytes the agent may read`);
    return readFile(abs, 'utf8');
  }

  async function writeFileChecked(p: string, content: string): Promise<void> {
    const rel = relative(p);
    if (!canWrite(rel)) {
      const why = isProtected(rel) ? 'it is protected' : `only ${rules.editable.join(', ')} may be edited`;
      throw new WorkspaceError(`${rel} may not be written: ${why}`);
    }
    const abs = await assertNoSymlink(rel, false);
    const existing = await lstat(abs).catch(() => null);
    if (existing && !existing.isFile()) throw new WorkspaceError(`${rel} is not a regular file`);
    await mkdir(path.dirname(abs), { recursive: true });
    await assertNoSymlink(rel, false);
    // Write a sibling and rename it over the target: a crash never leaves half a file, and a hard link
    // to a file outside the project is replaced instead of written through.
    const tmp = `${abs}.autoresearch-${process.pid}-${Date.now()}.tmp`;
    try {
      await writeFile(tmp, content, 'utf8');
      await rename(tmp, abs);
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
  }

  async function removeFileChecked(p: string): Promise<void> {
    const rel = relative(p);
    if (!canWrite(rel)) throw new WorkspaceError(`${rel} may not be removed: only ${rules.editable.join(', ')} may be changed`);
    const abs = await assertNoSymlink(rel, false);
    const existing = await lstat(abs).catch(() => null);
    if (!existing) return;
    if (!existing.isFile()) throw new WorkspaceError(`${rel} is not a regular file`);
    await unlink(abs);
  }

  async function listDir(p: string): Promise<DirEntry[]> {
    const rel = relative(p);
    if (inHiddenDir(rel)) throw new WorkspaceError(`${rel} is a folder the agent may not look into`);
    const abs = await assertNoSymlink(rel, true);
    const info = await lstat(abs);
    if (!info.isDirectory()) throw new WorkspaceError(`${rel} is not a directory`);
    const entries = await readdir(abs, { withFileTypes: true });
    return entries
      .filter((e) => !isHiddenName(e.name))
      .map((e) => ({ name: e.name, type: e.isSymbolicLink() ? ('symlink' as const) : e.isDirectory() ? ('dir' as const) : ('file' as const) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async function exists(p: string): Promise<boolean> {
    try {
      const rel = relative(p);
      await lstat(path.join(absRoot, rel));
      return true;
    } catch {
      return false;
    }
  }

  async function editableFiles(): Promise<string[]> {
    const found: string[] = [];
    async function walk(dirRel: string): Promise<void> {
      const abs = dirRel === '.' ? absRoot : path.join(absRoot, dirRel);
      // A folder that cannot be read lists nothing: the listing is what the agent may see, not a check.
      const entries = await readdir(abs, { withFileTypes: true }).catch(() => []);
      for (const e of entries) {
        if (isHiddenName(e.name) || e.isSymbolicLink()) continue;
        const rel = dirRel === '.' ? e.name : `${dirRel}/${e.name}`;
        if (e.isDirectory()) await walk(rel);
        else if (e.isFile() && canWrite(rel)) found.push(rel);
      }
    }
    await walk('.');
    return found.sort();
  }

  return {
    root: absRoot,
    projectDir: absProject,
    rules,
    relative,
    canWrite,
    canRead,
    isProtected: (rel: string) => isProtected(rel),
    readFile: readFileChecked,
    writeFile: writeFileChecked,
    removeFile: removeFileChecked,
    listDir,
    exists,
    editableFiles,
  };
}
