// Holding a command's processes without bubblewrap or a systemd scope (the sandbox off or missing, in a container):
// the command runs as the child of `unshare --pid --fork --kill-child`, in a PID namespace of its own. When the
// command ends (or is killed, or unshare is), the namespace's first process exits and the kernel kills everything
// left in it: a `setsid env -i …` or a double-forked daemon that cleared its environment, which neither the
// process group nor the environment marker (sweep-escaped.ts) can find. Root needs no user namespace; anyone else
// needs unprivileged user namespaces, then keeps their own uid inside (--map-current-user) where util-linux can.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

const PID_FLAGS = ['--pid', '--fork', '--kill-child'];
/** Tried in order: plain (root, or CAP_SYS_ADMIN), then in a user namespace as oneself, then as its root. */
const VARIANTS = [PID_FLAGS, ['--user', '--map-current-user', ...PID_FLAGS], ['--user', '--map-root-user', ...PID_FLAGS]];

let probed: { key: string; prefix: readonly string[] | null } | null = null;

/**
 * The argv that runs a command in a PID namespace of its own (`[unshare, ...flags]`), or null where none can be
 * made: not Linux, no unshare on PATH, namespaces forbidden, or AUTORESEARCH_NO_PIDNS=1 (the app's environment:
 * for a machine where the namespace misbehaves). Tested once per process with a real namespace, not assumed.
 */
export function pidNamespacePrefix(env: Readonly<Record<string, string | undefined>> = process.env): readonly string[] | null {
  if (process.platform !== 'linux' || env.AUTORESEARCH_NO_PIDNS === '1') return null;
  const dirs = (env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean);
  const bin = dirs.map((d) => path.join(d, 'unshare')).find((p) => existsSync(p)) ?? null;
  const key = bin ?? '';
  if (probed?.key === key) return probed.prefix;
  let prefix: readonly string[] | null = null;
  for (const flags of bin ? VARIANTS : []) {
    try {
      execFileSync(bin!, [...flags, '/bin/sh', '-c', 'exit 0'], { timeout: 10_000, stdio: 'ignore' });
      prefix = [bin!, ...flags];
      break;
    } catch {
      // This variant is not allowed here; try the next.
    }
  }
  probed = { key, prefix };
  return prefix;
}

/**
 * The file and argv that run `command` with /bin/sh -c inside the namespace. The command's shell is a child of an
 * outer shell, never the namespace's first process: that one ignores every signal it has no handler for (a TERM
 * would not reach a trainer that is it), so the group's TERM reaches the command as it does outside a namespace.
 */
export function inPidNamespace(prefix: readonly string[], command: string): [string, string[]] {
  return [prefix[0]!, [...prefix.slice(1), '/bin/sh', '-c', '/bin/sh -c "$0"; exit $?', command]];
}
