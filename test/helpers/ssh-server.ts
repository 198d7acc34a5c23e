// A real OpenSSH server for tests: Debian's sshd on 127.0.0.1 at a free port, with a generated host key and a
// generated client key in a temp dir and its own sshd_config. The machine's own ssh setup is never touched:
// the client side gets an ssh config file (for `-F`, through AUTORESEARCH_SSH_CONFIG) and the equivalent `-o`
// options for a slot's config. The "remote" folder is another temp dir, so remote and local paths differ.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';

export const SSHD = '/usr/sbin/sshd';

/** Whether sshd and ssh can be used here; installs Debian's packages when they are missing (as root). */
export function sshAvailability(): { ok: true } | { ok: false; reason: string } {
  const have = () => existsSync(SSHD) && existsSync('/usr/bin/ssh') && existsSync('/usr/bin/ssh-keygen');
  if (have()) return { ok: true };
  try {
    execFileSync('apt-get', ['-o', 'DPkg::Lock::Timeout=300', 'install', '-y', '-qq', 'openssh-server', 'openssh-client'], {
      stdio: 'ignore',
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      timeout: 600_000,
    });
  } catch (err) {
    return { ok: false, reason: `openssh-server could not be installed (${(err as Error).message.split('\n')[0]}); install it with apt-get install openssh-server openssh-client` };
  }
  return have() ? { ok: true } : { ok: false, reason: 'openssh-server was installed but /usr/sbin/sshd is missing' };
}

export interface SshServer {
  readonly port: number;
  readonly user: string;
  /** `user@127.0.0.1`, for a slot's host. */
  readonly host: string;
  /** An ssh config file naming the key and the known-hosts file (for `ssh -F`, AUTORESEARCH_SSH_CONFIG). */
  readonly configFile: string;
  /** The same as `-o` options, for a slot's `options`. */
  readonly options: string[];
  /** A folder on the "remote" side, apart from every local path of the test. */
  readonly remoteRoot: string;
  /** Connections sshd has let in so far (its log's "Accepted publickey" lines), the helper's own first one included. */
  acceptedConnections(): number;
  /** Sessions (commands) run so far over all connections; only with `countSessions`, else null. */
  sessions(): number | null;
  /** Pids of sshd's processes now (the listener and every connection it serves). */
  sessionPids(): number[];
  /** Drops every open connection (the listener stays): what a network failure does to a client. */
  dropConnections(): void;
  /**
   * An ssh option that reaches this server through a relay (ProxyCommand) which fails the next N connections,
   * N read from `counterFile` and counted down: a flaky network, for ssh and for the app.
   */
  flakyProxyOption(counterFile: string): string;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Children (and their children) of `root`, from /proc. */
function descendants(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'latin1');
      parent.set(Number(name), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // Gone meanwhile.
    }
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    for (const [child, ppid] of parent) {
      if (ppid !== pid || out.includes(child)) continue;
      out.push(child);
      walk(child);
    }
  };
  walk(root);
  return out;
}

/** The relay behind flakyProxyOption: stdin/stdout to the server's port, unless the counter says fail this one. */
const FLAKY_RELAY = `import os, socket, sys, threading
port, counter = int(sys.argv[1]), sys.argv[2]
try:
    left = int(open(counter).read().strip() or 0)
except (OSError, ValueError):
    left = 0
if left > 0:
    open(counter, 'w').write(str(left - 1))
    sys.exit(1)
s = socket.create_connection(('127.0.0.1', port))
def upstream():
    while True:
        data = os.read(0, 65536)
        if not data:
            s.shutdown(socket.SHUT_WR)
            return
        s.sendall(data)
threading.Thread(target=upstream, daemon=True).start()
out = sys.stdout.buffer
while True:
    data = s.recv(65536)
    if not data:
        break
    out.write(data)
    out.flush()
`;

const kill = (pid: number, sig: NodeJS.Signals) => {
  try {
    process.kill(pid, sig);
  } catch {
    // Gone already.
  }
};

/**
 * `env`: set in every session on the "host" (sshd's SetEnv), e.g. a PATH with a fake nvidia-smi first.
 * `countSessions`: every session first adds a line to a file (sshd's ForceCommand, then the command as asked).
 */
export async function startSshServer(opts: { env?: Readonly<Record<string, string>>; countSessions?: boolean } = {}): Promise<SshServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ar-sshd-'));
  const remoteRoot = mkdtempSync(path.join(tmpdir(), 'ar-remote-'));
  const user = userInfo().username;
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'host_key')]);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', path.join(dir, 'client_key')]);
  writeFileSync(path.join(dir, 'authorized_keys'), readFileSync(path.join(dir, 'client_key.pub')), { mode: 0o600 });
  // sshd wants its privilege separation folder; Debian creates it only when the service starts.
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const sessionsFile = path.join(dir, 'sessions');
  const conf = path.join(dir, 'sshd_config');
  writeFileSync(
    conf,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(dir, 'host_key')}`,
      `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PubkeyAuthentication yes',
      'PermitRootLogin prohibit-password',
      'StrictModes no',
      'UsePAM no',
      'PidFile none',
      'MaxSessions 64',
      'MaxStartups 64',
      // INFO: one "Accepted publickey" line per connection, which acceptedConnections counts.
      'LogLevel INFO',
      ...(opts.countSessions ? [`ForceCommand echo >> ${sessionsFile}; eval "$SSH_ORIGINAL_COMMAND"`] : []),
      // One line: sshd takes only the first SetEnv.
      ...(opts.env && Object.keys(opts.env).length ? [`SetEnv ${Object.entries(opts.env).map(([k, v]) => `${k}=${v}`).join(' ')}`] : []),
      '',
    ].join('\n'),
  );
  const knownHosts = path.join(dir, 'known_hosts');
  const options = [`IdentityFile=${path.join(dir, 'client_key')}`, 'IdentitiesOnly=yes', `UserKnownHostsFile=${knownHosts}`, 'StrictHostKeyChecking=accept-new', 'LogLevel=ERROR'];
  const configFile = path.join(dir, 'ssh_config');
  writeFileSync(configFile, `Host *\n${options.map((o) => '  ' + o.replace('=', ' ')).join('\n')}\n`);

  const sshd: ChildProcess = spawn(SSHD, ['-f', conf, '-D', '-e'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  sshd.stderr!.setEncoding('utf8');
  sshd.stderr!.on('data', (t: string) => (stderr += t));
  const listenerPid = sshd.pid!;

  const sessionPids = () => (existsSync(`/proc/${listenerPid}`) ? [listenerPid, ...descendants(listenerPid)] : []);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Connections are served by children in sessions of their own: they outlive the listener unless killed too.
    const pids = sessionPids();
    for (const pid of pids) kill(pid, 'SIGKILL');
    await new Promise<void>((resolve) => (sshd.exitCode !== null || sshd.signalCode !== null ? resolve() : sshd.once('exit', () => resolve())));
    rmSync(dir, { recursive: true, force: true });
    rmSync(remoteRoot, { recursive: true, force: true });
  };

  // Ready when a client gets in (sshd says nothing on stderr at LogLevel ERROR).
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      execFileSync('ssh', ['-F', configFile, '-p', String(port), '-o', 'BatchMode=yes', `${user}@127.0.0.1`, 'true'], { stdio: 'pipe', timeout: 10_000 });
      // Its log line read before returning, so acceptedConnections() counts from a settled start.
      const logged = Date.now() + 10_000;
      while (!/Accepted publickey for /.test(stderr) && Date.now() < logged) await new Promise((r) => setTimeout(r, 20));
      break;
    } catch (err) {
      if (sshd.exitCode !== null || Date.now() > deadline) {
        await stop();
        throw new Error(`sshd did not accept a connection: ${stderr || (err as Error).message}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  return {
    port,
    user,
    host: `${user}@127.0.0.1`,
    configFile,
    options,
    remoteRoot,
    acceptedConnections: () => (stderr.match(/Accepted publickey for /g) ?? []).length,
    sessions: () => (opts.countSessions ? (existsSync(sessionsFile) ? readFileSync(sessionsFile, 'utf8').split('\n').length - 1 : 0) : null),
    sessionPids,
    dropConnections() {
      for (const pid of descendants(listenerPid)) kill(pid, 'SIGKILL');
    },
    flakyProxyOption(counterFile) {
      const relay = path.join(dir, 'flaky-relay.py');
      if (!existsSync(relay)) writeFileSync(relay, FLAKY_RELAY);
      return `ProxyCommand=python3 ${relay} ${port} ${counterFile}`;
    },
    stop,
  };
}
