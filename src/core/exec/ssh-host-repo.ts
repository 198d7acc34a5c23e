// The bare repository under an SSH host's remote folder, made on first use (ensureRepoScript). The slots of one
// host each have an executor, and they start together: they share one check while it runs, so one app never
// races itself to `git init` there (the script also survives another app doing so).
import { describeSshFailure, type SshTarget } from './ssh-connection.js';
import { ensureRepoScript } from './ssh-scripts.js';
import type { RemoteShell } from './ssh-shell.js';

/** The check running now for each host (host:port:folder). */
const running = new Map<string, Promise<void>>();

/** Resolves once the host's repository exists; rejects with a message for the user (git missing, ssh failing). */
export function checkHostRepo(shell: RemoteShell, target: SshTarget, root: string, hostKey: string): Promise<void> {
  const now = running.get(hostKey);
  if (now) return now;
  const check = (async () => {
    const r = await shell.runRetrying(ensureRepoScript(root), { timeoutMs: 60_000 });
    if (r.code !== 0) throw new Error(r.code === 3 ? `${target.host}: ${r.stderr.trim()}. Install git there.` : describeSshFailure(target, r, `preparing ${root}`));
  })().finally(() => running.delete(hostKey));
  running.set(hostKey, check);
  return check;
}
