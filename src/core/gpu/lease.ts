// Machine-wide GPU leases: one file per GPU in the user's data folder (AUTORESEARCH_DATA_DIR, else
// ~/.autoresearch-studio), linked into place whole (written and synced under a private name first) so two
// processes can never both take it, and nobody ever sees one half written. A lease names its
// holder (pid, host, project, run), so a refused run can say who has the GPU. A lease whose process is gone
// (the run was killed) is stale and is taken over, under a short recovery lock so two starters cannot both
// remove it and both believe they hold it.
import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readFile, rm, rmdir, stat } from 'node:fs/promises';
import { homedir, hostname } from 'node:os';
import path from 'node:path';
import { GPU_ID } from '../../shared/config.js';
import { isPidAlive } from '../project/run-lock.js';

export interface GpuLeaseHolder {
  readonly pid: number;
  readonly host: string;
  readonly projectDir: string;
  readonly tag: string;
  readonly startedAt: string;
  /** Tells this holder's leases apart from another run in the same process (the app runs one per project). */
  readonly token: string;
}

export interface GpuLease {
  readonly gpu: string;
  readonly file: string;
  readonly holder: GpuLeaseHolder;
}

export { GPU_ID };

export function dataDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.AUTORESEARCH_DATA_DIR?.trim() || path.join(homedir(), '.autoresearch-studio'));
}

export const leaseDir = (env: NodeJS.ProcessEnv) => path.join(dataDir(env), 'gpu-leases');

export function newHolder(projectDir: string, tag: string): GpuLeaseHolder {
  return { pid: process.pid, host: hostname(), projectDir, tag, startedAt: new Date().toISOString(), token: randomUUID() };
}

/** Is the holder gone? Only a process on this host can be checked; another host's lease stays live. */
export function isStale(holder: GpuLeaseHolder): boolean {
  return holder.host === hostname() && !isPidAlive(holder.pid);
}

export function describeHolder(h: GpuLeaseHolder): string {
  return `run "${h.tag}" of ${h.projectDir} (process ${h.pid} on ${h.host}, since ${h.startedAt})`;
}

async function readHolder(file: string): Promise<GpuLeaseHolder | null> {
  try {
    const v = JSON.parse(await readFile(file, 'utf8')) as GpuLeaseHolder;
    return typeof v?.pid === 'number' && typeof v.host === 'string' ? v : null;
  } catch {
    // Gone, or torn by a crash mid-write: no holder (tryLeaseGpu counts a torn one stale).
    return null;
  }
}

const RECOVERY_LOCK_STALE_MS = 10_000;

/**
 * Take the lease of one GPU. Returns the lease, or the live holder that has it. A lease file that cannot
 * be read (torn by a crash mid-write) counts as stale.
 */
export async function tryLeaseGpu(env: NodeJS.ProcessEnv, gpu: string, holder: GpuLeaseHolder): Promise<GpuLease | { readonly heldBy: GpuLeaseHolder }> {
  if (!GPU_ID.test(gpu)) throw new Error(`"${gpu}" is not a GPU: give indices as nvidia-smi lists them (e.g. --gpus 0,2).`);
  const dir = leaseDir(env);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `gpu-${gpu}.json`);
  // The holder is written under a name of its own, then linked to the lease's name (EEXIST: taken). A file
  // created empty and written after would, for that moment, read as a torn lease, counted stale and removed
  // by another starter: two runs on one GPU.
  const own = `${file}.${holder.token}.tmp`;
  const fh = await open(own, 'w');
  try {
    await fh.writeFile(JSON.stringify(holder) + '\n');
    await fh.sync();
  } finally {
    await fh.close();
  }
  try {
    for (let attempt = 0; attempt < 20; attempt++) {
      try {
        await link(own, file);
        return { gpu, file, holder };
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      const current = await readHolder(file);
      if (current && !isStale(current)) return { heldBy: current };
      await recoverStale(file, current);
    }
  } finally {
    await rm(own, { force: true });
  }
  throw new Error(`Could not take the lease of GPU ${gpu} in ${dir}: it keeps changing hands. Try again.`);
}


/** Remove a stale lease, checking again under a recovery lock that it is still the same stale one. */
async function recoverStale(file: string, seen: GpuLeaseHolder | null): Promise<void> {
  const lock = `${file}.recover`;
  try {
    await mkdir(lock);
  } catch {
    // Someone else is recovering it; a recovery lock left by a killed process expires.
    const s = await stat(lock).catch(() => null);
    if (s && Date.now() - s.mtimeMs > RECOVERY_LOCK_STALE_MS) await rmdir(lock).catch(() => undefined);
    await new Promise((r) => setTimeout(r, 20));
    return;
  }
  try {
    const again = await readHolder(file);
    const same = again === null ? seen === null : seen !== null && again.token === seen.token && again.pid === seen.pid;
    if (same && (again === null || isStale(again))) await rm(file, { force: true });
  } finally {
    // Gone already (another recovery saw it stale): nothing is left to release.
    await rmdir(lock).catch(() => undefined);
  }
}

/** Give leases back; only files that still name this holder are removed. */
export async function releaseGpuLeases(leases: readonly GpuLease[]): Promise<void> {
  for (const l of leases) {
    const current = await readHolder(l.file);
    if (current && current.token === l.holder.token) await rm(l.file, { force: true });
  }
}

/** Every lease in the data folder with its holder (for `autoresearch status`-like views and tests). */
export async function readGpuLease(env: NodeJS.ProcessEnv, gpu: string): Promise<GpuLeaseHolder | null> {
  return readHolder(path.join(leaseDir(env), `gpu-${gpu}.json`));
}
