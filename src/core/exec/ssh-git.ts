// The SSH executor's git on this machine: a push over the host's ssh connection, a pack of what the host lacks,
// and the worktree's commit.
import { execFile, spawn } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { SAFE_GIT_CONFIG } from '../git/git.js';
import { gitSshCommand, isTransientSshFailure, SSH_RETRY_DELAYS_MS, sshEnv, type SshTarget } from './ssh-connection.js';

/** A new commit whose pack is larger than this goes by git push (its own session) rather than through the shell. */
export const MAX_PACK_BYTES = 4 << 20;

/** A forced push of one ref is safe to repeat: tried again when ssh (not git) failed on the connection. */
export async function gitPush(cwd: string, target: SshTarget, url: string, refspec: string): Promise<{ code: number | null; stderr: string }> {
  for (let attempt = 0; ; attempt++) {
    const r = await gitPushOnce(cwd, target, url, refspec);
    // git reports ssh's failure as its own (exit 128, "Could not read from remote repository"); ssh's reason precedes it.
    const sshFailed = r.code !== 0 && /Could not read from remote repository/.test(r.stderr) && isTransientSshFailure({ code: 255, stderr: r.stderr });
    if (!sshFailed || attempt >= SSH_RETRY_DELAYS_MS.length) return r;
    await sleep(SSH_RETRY_DELAYS_MS[attempt]!);
  }
}

function gitPushOnce(cwd: string, target: SshTarget, url: string, refspec: string): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'git',
      [...SAFE_GIT_CONFIG, 'push', '-q', '--no-verify', url, refspec],
      { cwd, env: { ...sshEnv(target.env), GIT_SSH_COMMAND: gitSshCommand(target), GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' }, timeout: 300_000 },
      (err, _stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr: String(stderr) }),
    );
  });
}

/** The objects of `commit` not reachable from `bases` (a pack, not thin: it names no object outside itself). */
export function packAgainst(cwd: string, commit: string, bases: readonly string[]): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const child = spawn('git', [...SAFE_GIT_CONFIG, 'pack-objects', '--revs', '--stdout', '-q'], { cwd, stdio: ['pipe', 'pipe', 'ignore'] });
    const chunks: Buffer[] = [];
    let size = 0;
    child.stdout.on('data', (c: Buffer) => {
      size += c.length;
      // Too big to send through the shell: git push sends it instead.
      if (size > MAX_PACK_BYTES) child.kill();
      else chunks.push(c);
    });
    child.once('error', () => resolve(null));
    child.once('close', (code) => resolve(code === 0 && size <= MAX_PACK_BYTES ? Buffer.concat(chunks) : null));
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${commit}\n${bases.map((b) => `^${b}`).join('\n')}\n`);
  });
}

export function gitHead(cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', [...SAFE_GIT_CONFIG, 'rev-parse', 'HEAD'], { cwd }, (err, stdout) => (err ? reject(err) : resolve(String(stdout).trim())));
  });
}

