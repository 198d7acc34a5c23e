// A proposal's commit written by the harness itself (loose-object.ts), not by `git commit`: on a busy machine a
// git process costs 10 to 30 ms, and the commit was one of the four in a proposal's way (bench/loop-overhead).
//
// Only in a proposal worktree (proposal-queue.ts), which is scratch space: the commit is made from its files as
// they are on disk, on `base`, and the worktree's HEAD and index stay at `base` (nothing reads them before the
// next proposal's forced checkout puts the worktree back at its base). A slot's worktree, where a trainer may
// ask git what HEAD is, still commits with git (commit.ts).
//
// What the commit holds is what `git commit -- <paths>` would have made of those files: the base's tree with
// each path's content (its executable bit as git reads it, core.fileMode), a deleted path removed, the user's
// identity as `git var` gives it, the message cleaned as `git commit -m` cleans it. Anything this does not
// handle (another object format, a date fixed in the environment, a link, a folder where a file was, a
// submodule) returns null and the caller commits with git.
import { chmod, lstat, mkdir, readFile, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { identityArgs, raw, rev } from './git.js';
import { objectId, writeLooseObjects, type ObjectType } from './loose-object.js';
import { readObject } from './object-reader.js';
import { repoPlace, toTop } from './repo-place.js';

/** A path's folder as the tree listing keys it ('' for the top). */
const parentOf = (p: string) => (path.posix.dirname(p) === '.' ? '' : path.posix.dirname(p));

/** A path inside the folder, with nothing that climbs out of it or into a `.git`. */
const isPlainPath = (p: string) => p !== '' && !p.startsWith('/') && !p.split('/').some((c) => c === '' || c === '.' || c === '..' || c === '.git');

interface TreeEntry {
  readonly mode: string;
  readonly type: 'blob' | 'tree' | 'commit';
  readonly id: string;
}

interface RepoFacts {
  readonly objectsDir: string;
  readonly fileMode: boolean;
  /** "Name <email>", the date added per commit. */
  readonly author: string;
  readonly committer: string;
}

/** Asked again after a minute: the user may set their name or email between two runs of one app session. */
const FACTS_MS = 60_000;
const facts = new Map<string, { readonly at: number; readonly facts: Promise<RepoFacts | null> }>();

/** "Name <email> 1700000000 +0100" → "Name <email>". */
const identOf = (line: string) => line.trim().replace(/ \d+ [+-]\d{4}$/, '');

async function repoFacts(worktree: string): Promise<RepoFacts | null> {
  // A date the user fixed in the environment is git's to parse (it reads many formats).
  if (process.env.GIT_AUTHOR_DATE || process.env.GIT_COMMITTER_DATE) return null;
  const cached = facts.get(worktree);
  let f = cached && Date.now() - cached.at < FACTS_MS ? cached.facts : undefined;
  if (!f) {
    f = (async () => {
      const [where, fileMode, author, committer] = await Promise.all([
        raw(worktree, ['rev-parse', '--git-common-dir', '--show-object-format']),
        raw(worktree, ['config', '--bool', 'core.fileMode']).catch(() => 'true'),
        identityArgs(worktree).then((id) => raw(worktree, [...id, 'var', 'GIT_AUTHOR_IDENT'])),
        identityArgs(worktree).then((id) => raw(worktree, [...id, 'var', 'GIT_COMMITTER_IDENT'])),
      ]);
      const [common = '', format = ''] = where.split('\n').map((l) => l.trim());
      if (format !== 'sha1' || !common) return null;
      return { objectsDir: path.join(path.resolve(worktree, common), 'objects'), fileMode: fileMode.trim() !== 'false', author: identOf(author), committer: identOf(committer) };
    })().catch(() => null);
    facts.set(worktree, { at: Date.now(), facts: f });
  }
  return f;
}

/** Trees of a base commit by folder ('' is the top), from one `git ls-tree`; the last few bases are kept. */
const treeCache = new Map<string, Promise<Map<string, Map<string, TreeEntry>>>>();
const TREES_KEPT = 4;

export function treesOf(worktree: string, base: string): Promise<Map<string, Map<string, TreeEntry>>> {
  const key = `${worktree}\0${base}`;
  let hit = treeCache.get(key);
  if (!hit) {
    hit = raw(worktree, ['ls-tree', '-r', '-t', '-z', '--full-tree', '--end-of-options', rev(base)]).then((out) => {
      const dirs = new Map<string, Map<string, TreeEntry>>([['', new Map()]]);
      for (const rec of out.split('\0')) {
        if (!rec) continue;
        // "<mode> SP <type> SP <id> TAB <path>"
        const tab = rec.indexOf('\t');
        const [mode, type, id] = rec.slice(0, tab).split(' ') as [string, TreeEntry['type'], string];
        const p = rec.slice(tab + 1);
        const parent = parentOf(p);
        if (!dirs.has(parent)) dirs.set(parent, new Map());
        dirs.get(parent)!.set(path.posix.basename(p), { mode, type, id });
        if (type === 'tree' && !dirs.has(p)) dirs.set(p, new Map());
      }
      return dirs;
    });
    hit.catch(() => treeCache.delete(key));
    treeCache.set(key, hit);
    while (treeCache.size > TREES_KEPT) treeCache.delete(treeCache.keys().next().value!);
  }
  return hit;
}

/** git's order of tree entries: by name, a folder's name compared as if it ended in "/". */
function treeBody(entries: Map<string, TreeEntry>): Buffer {
  const key = (name: string, e: TreeEntry) => Buffer.from(e.type === 'tree' ? `${name}/` : name);
  const sorted = [...entries].sort(([a, ea], [b, eb]) => Buffer.compare(key(a, ea), key(b, eb)));
  return Buffer.concat(sorted.flatMap(([name, e]) => [Buffer.from(`${e.type === 'tree' ? '40000' : e.mode} ${name}\0`), Buffer.from(e.id, 'hex')]));
}

/** `git commit -m`'s cleanup (whitespace): trailing spaces off, blank lines at the ends dropped, runs of them made one. */
export function cleanMessage(message: string): string {
  const lines = message.split('\n').map((l) => l.replace(/\s+$/, ''));
  const out: string[] = [];
  for (const l of lines) {
    if (l === '' && (out.length === 0 || out.at(-1) === '')) continue;
    out.push(l);
  }
  while (out.at(-1) === '') out.pop();
  return out.length ? `${out.join('\n')}\n` : '';
}

/** "+0100" for the offset of local time from UTC at `date`, as git writes it. */
function tzOf(date: Date): string {
  const minutes = -date.getTimezoneOffset();
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
}

export interface ScratchCommit {
  readonly commit: string;
  /** Paths the commit added (not in the base): removed from the worktree again, as a checkout of the base would. */
  readonly added: readonly string[];
  /** One of them could not be removed: the worktree needs a `git clean`. */
  readonly addedLeft: boolean;
}

/**
 * Commits `paths` of `worktree` (relative to it: a monorepo's project folder, or the top) as they are on disk on top of `base`, without moving the
 * worktree's HEAD; then removes the files the commit added, so the worktree differs from `base` only in tracked
 * files (which the next forced checkout restores). Null when this case is git's to handle (see the top).
 */
export async function commitOnBase(worktree: string, base: string, paths: readonly string[], message: string): Promise<ScratchCommit | null> {
  const body = cleanMessage(message);
  if (!body || paths.length === 0) return null;
  const repo = await repoFacts(worktree);
  if (!repo) return null;
  const trees = await treesOf(worktree, base).catch(() => null);
  // Paths are the worktree folder's (a monorepo's project subfolder); the tree is the repository's.
  const place = await repoPlace(worktree).catch(() => null);
  if (!trees || !place) return null;
  const objects: { type: ObjectType; body: Buffer }[] = [];
  // The folders to write again, each with its entries from the base (a copy) and then the changes.
  const changed = new Map<string, Map<string, TreeEntry>>();
  const folder = (dir: string): Map<string, TreeEntry> | null => {
    let entries = changed.get(dir);
    if (!entries) {
      if (dir !== '') {
        const up = parentOf(dir);
        const own = trees.get(up)?.get(path.posix.basename(dir));
        if (own && own.type !== 'tree') return null; // a file (or submodule) where a folder is wanted
        if (!folder(up)) return null;
      }
      entries = new Map(trees.get(dir) ?? []);
      changed.set(dir, entries);
    }
    return entries;
  };
  const added: string[] = [];
  for (const p of paths) {
    if (!isPlainPath(p)) return null;
    const inRepo = toTop(place.prefix, p);
    const name = path.posix.basename(inRepo);
    const entries = folder(parentOf(inRepo));
    if (!entries) return null;
    const before = entries.get(name);
    if (before && before.type !== 'blob') return null; // a folder or submodule: git's case
    if (before && before.mode === '120000') return null; // a link in the base
    const abs = path.join(worktree, ...p.split('/'));
    const info = await lstat(abs).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
    if (info === null) {
      entries.delete(name);
      continue;
    }
    if (!info.isFile()) return null;
    const content = await readFile(abs);
    const mode = repo.fileMode ? (info.mode & 0o100 ? '100755' : '100644') : (before?.mode ?? '100644');
    objects.push({ type: 'blob', body: content });
    entries.set(name, { mode, type: 'blob', id: objectId('blob', content) });
    if (!before) added.push(p);
  }
  // Deepest folders first: each one's id goes into its parent's entries (an emptied folder leaves it).
  const dirs = [...changed.keys()].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : 1));
  for (const dir of dirs) {
    if (dir === '') continue;
    const entries = changed.get(dir)!;
    const parent = changed.get(parentOf(dir))!;
    if (entries.size === 0) {
      parent.delete(path.posix.basename(dir));
      continue;
    }
    const tree = treeBody(entries);
    objects.push({ type: 'tree', body: tree });
    parent.set(path.posix.basename(dir), { mode: '40000', type: 'tree', id: objectId('tree', tree) });
  }
  const top = treeBody(changed.get('')!);
  objects.push({ type: 'tree', body: top });
  const root = objectId('tree', top);
  const now = new Date();
  const when = `${Math.floor(now.getTime() / 1000)} ${tzOf(now)}`;
  const commit = Buffer.from(`tree ${root}\nparent ${base}\nauthor ${repo.author} ${when}\ncommitter ${repo.committer} ${when}\n\n${body}`);
  // All of them on disk (fsync'd) before the commit is named anywhere: in a ref, in the journal.
  objects.push({ type: 'commit', body: commit });
  const id = (await writeLooseObjects(repo.objectsDir, objects)).at(-1)!;
  let addedLeft = false;
  for (const p of added) await removeAdded(worktree, p).catch(() => void (addedLeft = true));
  return { commit: id, added, addedLeft };
}

/** Removes an added file and the folders it leaves empty, up to the worktree's top. */
async function removeAdded(worktree: string, rel: string): Promise<void> {
  await unlink(path.join(worktree, ...rel.split('/')));
  for (let dir = path.posix.dirname(rel); dir !== '.' && dir !== ''; dir = path.posix.dirname(dir)) {
    const ok = await rmdir(path.join(worktree, ...dir.split('/'))).then(
      () => true,
      () => false,
    );
    if (!ok) break;
  }
}

/**
 * Puts `paths` of `worktree` (relative to it) back as `base` holds them: each file's content and executable bit,
 * a path the base does not hold removed, so that a worktree that differed from `base` only there is as a forced
 * checkout of `base` leaves it. Its index keeps the base's entries, whose file times no longer match: git reads
 * those files once more and finds them unchanged. Throws on anything else (a link, a folder, a submodule, an
 * object git cannot give): the caller then checks the base out.
 */
export async function restoreBase(worktree: string, base: string, paths: readonly string[]): Promise<void> {
  const [trees, place] = await Promise.all([treesOf(worktree, base), repoPlace(worktree)]);
  for (const p of paths) {
    if (!isPlainPath(p)) throw new Error(`Not a path to restore: ${p}`);
    const inRepo = toTop(place.prefix, p);
    const entry = trees.get(parentOf(inRepo))?.get(path.posix.basename(inRepo));
    const abs = path.join(worktree, ...p.split('/'));
    const now = await lstat(abs).catch((err: NodeJS.ErrnoException) => (err.code === 'ENOENT' ? null : Promise.reject(err)));
    if (now && !now.isFile()) throw new Error(`${p} is not a file in the worktree`);
    if (!entry) {
      if (now) await removeAdded(worktree, p);
      continue;
    }
    if (entry.type !== 'blob' || (entry.mode !== '100644' && entry.mode !== '100755')) throw new Error(`${p} is not a plain file in the base`);
    const content = await readObject(worktree, entry.id);
    await mkdir(path.dirname(abs), { recursive: true });
    await writeFile(abs, content);
    const mode = (await lstat(abs)).mode & 0o777;
    // As git sets the bit: executable where readable, or not at all.
    await chmod(abs, entry.mode === '100755' ? mode | ((mode & 0o444) >> 2) : mode & ~0o111);
  }
}
