// Writing a git object the way git writes a loose one, without a git process: the header "<type> <size>\0",
// the SHA-1 of header and body as its name, zlib-deflated under objects/<2 hex>/<38 hex>. Used for the commits
// of proposals (fast-commit.ts), where a git process costs more than the rest of the work together.
//
// Durable before it is named: the file is written under a temporary name in its folder, fsync'd, then linked
// to its name (an object already there is left as it is, as git does: same name, same content) and the folder
// fsync'd, so a ref or journal line that names the object never outlives it in a crash. Only SHA-1
// repositories: the caller asks git's object format first (fast-commit.ts) and leaves others to git.
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { deflateSync } from 'node:zlib';

export type ObjectType = 'blob' | 'tree' | 'commit';

/** The object's name (40 hex digits) for this type and body. */
export function objectId(type: ObjectType, body: Buffer): string {
  return createHash('sha1').update(`${type} ${body.length}\0`).update(body).digest('hex');
}

async function fsyncPath(p: string, flags: number): Promise<void> {
  const h = await open(p, flags);
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Writes one object's file under its name, unless it is there; its folder is not fsync'd yet. Returns whether a folder was made. */
async function writeOne(objectsDir: string, id: string, type: ObjectType, body: Buffer): Promise<boolean> {
  const dir = path.join(objectsDir, id.slice(0, 2));
  const made = await mkdir(dir, { recursive: true });
  // git's own temporary prefix: a `git gc` or `git prune` of the user's knows such leftovers and removes them.
  const tmp = path.join(dir, `tmp_obj_${randomBytes(6).toString('hex')}`);
  const h = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o444);
  try {
    await h.writeFile(deflateSync(Buffer.concat([Buffer.from(`${type} ${body.length}\0`), body])));
    await h.sync();
  } finally {
    await h.close();
  }
  try {
    await link(tmp, path.join(dir, id.slice(2)));
  } catch (err) {
    // The same object written before (or by a parallel proposal): its content is this content.
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  } finally {
    await unlink(tmp).catch(() => undefined);
  }
  return made !== undefined;
}

/**
 * Writes the objects into `objectsDir` (a repository's objects folder), those not there yet, all at once; each
 * file and then each folder they are in is fsync'd before this returns (the objects folder too when a folder
 * was made in it). Returns their names, in order.
 */
export async function writeLooseObjects(objectsDir: string, objects: readonly { readonly type: ObjectType; readonly body: Buffer }[]): Promise<string[]> {
  const ids = objects.map((o) => objectId(o.type, o.body));
  const made = await Promise.all(objects.map((o, i) => writeOne(objectsDir, ids[i]!, o.type, o.body)));
  const dirs = new Set(ids.map((id) => path.join(objectsDir, id.slice(0, 2))));
  if (made.some(Boolean)) dirs.add(objectsDir);
  await Promise.all([...dirs].map((d) => fsyncPath(d, constants.O_RDONLY | constants.O_DIRECTORY)));
  return ids;
}
