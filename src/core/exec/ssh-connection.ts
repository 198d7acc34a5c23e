// How the app reaches an SSH host: the system `ssh` client, so ~/.ssh/config, ssh-agent and the user's
// known_hosts decide everything about keys (the app never holds a private key). BatchMode=yes: an unattended
// run must fail with a message, never wait at a password or host-key prompt. One master connection per host
// (ControlMaster, socket in a private folder under the temp dir) carries every session: the executor's one shared
// shell on the host (ssh-shell.ts, through which every step of an experiment goes), a push, the Test button.
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface SshTarget {
  /** `user@host` or a Host alias of ~/.ssh/config. */
  readonly host: string;
  readonly port?: number | undefined;
  /** `-o` options from the slot's config, e.g. "StrictHostKeyChecking=accept-new". */
  readonly options: readonly string[];
  /** The app's environment: SSH_AUTH_SOCK, HOME (for ~/.ssh) and AUTORESEARCH_SSH_CONFIG are read from it. */
  readonly env: NodeJS.ProcessEnv;
}

/** Environment key naming an ssh config file used instead of ~/.ssh/config (`ssh -F`). */
export const SSH_CONFIG_ENV = 'AUTORESEARCH_SSH_CONFIG';

/** How long the shared connection outlives its last command (seconds): ended soon after a run stops. */
const CONTROL_PERSIST_S = 30;

function controlDir(): string {
  // Unix socket paths are short (about 104 bytes): a short folder, the socket named by ssh's hash (%C).
  const uid = typeof process.getuid === 'function' ? process.getuid() : 0;
  const dir = path.join(tmpdir(), `ar-ssh-${uid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return dir;
}

/** A host name or option that ssh would read as an option of its own is refused. */
function checkTarget(t: SshTarget): void {
  if (!t.host || t.host.startsWith('-') || /[\s\u0000-\u001f]/.test(t.host)) throw new Error(`"${t.host}" is not a host name. Write it as user@host or a Host alias of ~/.ssh/config.`);
  for (const o of t.options) {
    if (!/^[A-Za-z][A-Za-z0-9]*[= ]/.test(o)) throw new Error(`The ssh option "${o}" is not of the form Name=value (e.g. StrictHostKeyChecking=accept-new).`);
  }
}

/** ssh's arguments up to and including the destination (the remote command follows). */
export function sshArgs(t: SshTarget, extra: readonly string[] = []): string[] {
  checkTarget(t);
  const config = t.env[SSH_CONFIG_ENV];
  return [
    ...(config ? ['-F', config] : []),
    ...(t.port ? ['-p', String(t.port)] : []),
    '-o', 'BatchMode=yes',
    '-o', 'ConnectTimeout=15',
    // A dead network shows within ~15 s instead of a hung stream.
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
    '-o', 'ControlMaster=auto',
    '-o', `ControlPath=${path.join(controlDir(), '%C')}`,
    '-o', `ControlPersist=${CONTROL_PERSIST_S}`,
    ...t.options.flatMap((o) => ['-o', o]),
    ...extra,
    '--',
    t.host,
  ];
}

/** GIT_SSH_COMMAND for `git push` over the same connection and options (git appends host and command). */
export function gitSshCommand(t: SshTarget): string {
  const args = sshArgs(t);
  // git adds the destination itself: drop our trailing `-- host`.
  return ['ssh', ...args.slice(0, -2)].map(shellQuote).join(' ');
}

/** A word for /bin/sh: single-quoted, with embedded quotes escaped. */
export function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

export interface SshResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a script on the host with `sh -s` (the script on stdin, so nothing of it passes through a command line).
 * The master connection (ControlPersist) forks to the background holding our pipes open, so the call ends on
 * the client's exit, not on its pipes closing.
 */
export function sshScript(t: SshTarget, script: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<SshResult> {
  return new Promise((resolve) => {
    let child;
    try {
      child = spawn('ssh', [...sshArgs(t), 'sh -s'], { env: sshEnv(t.env), stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (err) {
      resolve({ code: null, stdout: '', stderr: (err as Error).message });
      return;
    }
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d: string) => (stdout += d));
    child.stderr.on('data', (d: string) => (stderr += d));
    child.stdin.on('error', () => undefined);
    child.stdin.end(script);
    const timer = opts.timeoutMs ? setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs) : null;
    const onAbort = () => child.kill('SIGKILL');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.once('error', (err) => {
      if (timer) clearTimeout(timer);
      resolve({ code: null, stdout, stderr: stderr + err.message });
    });
    const closed = Promise.all([new Promise((r) => child.stdout.once('close', r)), new Promise((r) => child.stderr.once('close', r))]);
    child.once('exit', (code) => {
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      // The output still in the pipes is read to its end; a master that went to the background may hold them
      // open, so that wait is bounded.
      void Promise.race([closed, new Promise((r) => setTimeout(r, 2_000))]).then(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        resolve({ code, stdout, stderr });
      });
    });
  });
}

/**
 * Whether another try can get past an ssh failure: ssh's own exit (255) for a connection that dropped, was reset or
 * refused, or a shared master connection that went away just as this command used it. Not wrong keys, host keys or
 * names: those stay wrong, and the user needs the message at once.
 */
export function isTransientSshFailure(r: { readonly code: number | null; readonly stderr: string }): boolean {
  if (r.code !== 255) return false;
  return !/Permission denied|publickey|Host key verification failed|REMOTE HOST IDENTIFICATION|Could not resolve|not a host name/i.test(r.stderr);
}

/** Pauses before each new try of a step that failed on the connection (ssh-shell.ts): about 7 s in all, then the failure stands. */
export const SSH_RETRY_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000];

/** ssh's own environment: the app's (agent socket, HOME), without the run markers the sweep looks for. */
export function sshEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...env };
  delete out.AUTORESEARCH_PROCESS;
  return out;
}

/** One line saying why ssh failed and what to do, from its stderr and exit code. */
export function describeSshFailure(t: SshTarget, r: SshResult, doing: string): string {
  const said = r.stderr.trim().split('\n').filter(Boolean).slice(-2).join(' ') || (r.code === null ? 'no answer' : `exit ${r.code}`);
  const where = `${t.host}${t.port ? ` (port ${t.port})` : ''}`;
  if (/Permission denied|publickey/i.test(said)) return `Could not log in to ${where} while ${doing}: ${said}. Load the key into ssh-agent (ssh-add) or name it in ~/.ssh/config (IdentityFile); the app never asks for a password.`;
  if (/Host key verification failed|REMOTE HOST IDENTIFICATION/i.test(said)) return `${where}'s host key is unknown or changed while ${doing}: ${said}. Connect once with \`ssh ${t.host}\` to check and accept it, or add the option StrictHostKeyChecking=accept-new.`;
  if (/Could not resolve|Connection refused|timed out|No route|Network is unreachable/i.test(said)) return `Could not reach ${where} while ${doing}: ${said}. Check the host name, the port and that sshd runs there.`;
  return `SSH to ${where} failed while ${doing}: ${said}`;
}
