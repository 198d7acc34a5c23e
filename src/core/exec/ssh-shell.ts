// One long-lived shell per host, reused by every step of every experiment: measured on a host whose ~/.bashrc
// takes 2–4 s (pyenv, conda init and the like are common on GPU machines), each new ssh session costs that
// start-up again, because sshd runs every command through the user's login shell, which sources ~/.bashrc for
// ssh even when not interactive. The shared master connection (ControlMaster) saves the TCP and key exchange,
// not that. So the executor opens one session per host and sends each step's script through it as a request:
// a step then costs a round-trip and a `sh` on the host, not a login.
//
// Protocol (all lines): the app writes `<id> <base64 of a sh script>`; the host runs each request in the
// background (steps of several slots overlap) and, holding a lock so answers never interleave, writes
// `AR-RESP <id> <exit status> <base64 stdout> <base64 stderr>` on a line of its own (after a newline, so a
// ~/.bashrc that printed half a line cannot swallow it). Other output is ignored.
// A request the app gives up on (its timeout, a stop) is ended on the host too: the app writes `k<id>`, and the
// host ends that request's process group (each request runs under setsid where the host has it, else its own
// shell and that shell's children), TERM first so git removes its lock files, KILL 5 s later. Without it a sync
// given up after its timeout went on in the slot's remote worktree and ran into the next one.
// The session ends after a while without requests; the next request opens a new one.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { sshArgs, sshEnv, SSH_RETRY_DELAYS_MS, isTransientSshFailure, type SshResult, type SshTarget } from './ssh-connection.js';
import { setTimeout as sleep } from 'node:timers/promises';

/** The shell on the host; written without single quotes (it travels inside 'sh -c ...'). */
const LOOP = `T=$(mktemp -d "\${TMPDIR:-/tmp}/ar-shell.XXXXXX") || exit 1
trap "rm -rf \\"$T\\"" EXIT
trap "exit 1" HUP TERM INT
S=; command -v setsid >/dev/null 2>&1 && S=setsid
while IFS=" " read -r id b64; do
  case "$id" in
  k[0-9]*)
    n=\${id#k}; : > "$T/$n.cancel"
    (
      i=0; while [ ! -s "$T/$n.pid" ] && [ -e "$T/$n.cancel" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done
      p=$(cat "$T/$n.pid" 2>/dev/null); [ -n "$p" ] || exit 0
      if [ -n "$S" ]; then kill -TERM -"$p" 2>/dev/null; else pkill -TERM -P "$p" 2>/dev/null; kill -TERM "$p" 2>/dev/null; fi
      sleep 5
      if [ -n "$S" ]; then kill -KILL -"$p" 2>/dev/null; else pkill -KILL -P "$p" 2>/dev/null; kill -KILL "$p" 2>/dev/null; fi
    ) &
    continue ;;
  *[!0-9]*|"") continue ;;
  esac
  printf "%s" "$b64" | base64 -d > "$T/$id.sh" 2>/dev/null
  (
    if [ -e "$T/$id.cancel" ]; then code=143; else
      $S sh "$T/$id.sh" > "$T/$id.out" 2> "$T/$id.err" < /dev/null & echo $! > "$T/$id.p"; mv "$T/$id.p" "$T/$id.pid"; wait $!; code=$?
    fi
    until mkdir "$T/lock" 2>/dev/null; do sleep 0.01; done
    printf "\\nAR-RESP %s %s " "$id" "$code"; base64 < "$T/$id.out" | tr -d "\\n"; printf " "; base64 < "$T/$id.err" | tr -d "\\n"; printf "\\n"
    rm -f "$T/$id.sh" "$T/$id.out" "$T/$id.err" "$T/$id.pid" "$T/$id.cancel"; rmdir "$T/lock"
  ) &
done
wait
`;

/**
 * Without a request for this long the session ends (the master connection then persists its own while): longer
 * than an agent usually takes to propose, so a run's experiments keep one session.
 */
const IDLE_CLOSE_MS = 180_000;

/** A step's answer; `bytes` is its stdout as sent (a log's bytes, cut anywhere). */
export interface RemoteResult extends SshResult {
  readonly bytes: Buffer;
}

export interface RemoteShell {
  /** Runs `script` with sh on the host; a dropped or refused connection answers ssh's own 255 and its message. */
  run(script: string, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<RemoteResult>;
  /** run, tried again after a transient connection failure (for scripts safe to run twice). */
  runRetrying(script: string, opts?: { timeoutMs?: number; signal?: AbortSignal; delaysMs?: readonly number[] }): Promise<RemoteResult>;
}

interface Session {
  readonly child: ChildProcessWithoutNullStreams;
  /** Requests sent on this session and not yet answered. */
  readonly pending: Map<number, (r: RemoteResult) => void>;
}

const EMPTY = Buffer.alloc(0);

function createRemoteShell(target: SshTarget): RemoteShell {
  let session: Session | null = null;
  let nextId = 1;
  let idle: NodeJS.Timeout | null = null;

  /** The session keeps the app alive only while a request waits on it. */
  const hold = (s: Session, on: boolean) => {
    for (const h of [s.child, s.child.stdin, s.child.stdout, s.child.stderr] as { ref(): void; unref(): void }[]) {
      if (on) h.ref();
      else h.unref();
    }
  };
  const armIdle = (s: Session) => {
    if (idle) clearTimeout(idle);
    idle = null;
    if (s.pending.size > 0 || session !== s) return;
    hold(s, false);
    idle = setTimeout(() => {
      // Requests from now on open a new session rather than write into this closing one.
      if (session === s) session = null;
      s.child.stdin.end();
    }, IDLE_CLOSE_MS);
    idle.unref();
  };

  const open = (): Session => {
    const encoded = Buffer.from(LOOP).toString('base64');
    const child = spawn('ssh', [...sshArgs(target), `sh -c 'eval "$(printf %s ${encoded} | base64 -d)"'`], { env: sshEnv(target.env), stdio: ['pipe', 'pipe', 'pipe'] });
    const s: Session = { child, pending: new Map() };
    let out = '';
    let err = '';
    child.stdout.setEncoding('latin1');
    child.stderr.setEncoding('utf8');
    child.stdin.on('error', () => undefined);
    child.stdout.on('data', (d: string) => {
      out += d;
      for (let nl = out.indexOf('\n'); nl >= 0; nl = out.indexOf('\n')) {
        const line = out.slice(0, nl);
        out = out.slice(nl + 1);
        const m = /^AR-RESP (\d+) (\d+) ([A-Za-z0-9+/=]*) ([A-Za-z0-9+/=]*)$/.exec(line);
        const done = m ? s.pending.get(Number(m[1])) : undefined;
        if (!m || !done) continue;
        const bytes = Buffer.from(m[3]!, 'base64');
        done({ code: Number(m[2]), stdout: bytes.toString('utf8'), stderr: Buffer.from(m[4]!, 'base64').toString('utf8'), bytes });
      }
    });
    // ssh's own complaints (and a ~/.bashrc's): kept short, for the message of a failed connection.
    child.stderr.on('data', (d: string) => (err = (err + d).slice(-4000)));
    const stderrClosed = new Promise((r) => child.stderr.once('close', r));
    const ended = async (code: number | null, why?: string) => {
      if (session === s) session = null;
      // ssh's last words may still be in the pipe when it exits (bounded: a backgrounded master may hold it).
      await Promise.race([stderrClosed, sleep(500)]);
      // A session that ended mid-request (ssh's own 255, or the host's shell gone) answers as ssh's failure does,
      // so the steps that may be tried again are, and the message says what ssh said.
      const stderr = (why ?? err.trim()) || `the connection to the host closed (ssh exit ${code})`;
      for (const done of s.pending.values()) done({ code: 255, stderr, stdout: '', bytes: EMPTY });
    };
    child.once('error', (e) => void ended(null, e.message));
    child.once('exit', (code) => void ended(code));
    return s;
  };

  const run = (script: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RemoteResult> =>
    new Promise((resolve) => {
      if (opts.signal?.aborted) return resolve({ code: null, stdout: '', stderr: 'aborted', bytes: EMPTY });
      const s = (session ??= open());
      const id = nextId++;
      let timer: NodeJS.Timeout | null = null;
      const onAbort = () => finish({ code: null, stdout: '', stderr: 'aborted', bytes: EMPTY });
      const finish = (r: RemoteResult) => {
        if (!s.pending.delete(id)) return;
        if (timer) clearTimeout(timer);
        opts.signal?.removeEventListener('abort', onAbort);
        // A request given up on (timeout, abort) is ended on the host too; its answer, if one comes, is dropped.
        if (r.code === null && !s.child.stdin.destroyed) s.child.stdin.write(`k${id}\n`);
        armIdle(s);
        resolve(r);
      };
      s.pending.set(id, finish);
      if (idle) clearTimeout(idle);
      idle = null;
      hold(s, true);
      if (opts.timeoutMs) timer = setTimeout(() => finish({ code: null, stdout: '', stderr: `no answer from the host within ${Math.round(opts.timeoutMs! / 1000)} s`, bytes: EMPTY }), opts.timeoutMs);
      opts.signal?.addEventListener('abort', onAbort, { once: true });
      s.child.stdin.write(`${id} ${Buffer.from(script).toString('base64')}\n`);
    });

  return {
    run,
    async runRetrying(script, opts = {}) {
      const delays = opts.delaysMs ?? SSH_RETRY_DELAYS_MS;
      for (let attempt = 0; ; attempt++) {
        const r = await run(script, opts);
        if (r.code === 0 || !isTransientSshFailure(r) || attempt >= delays.length || opts.signal?.aborted) return r;
        await sleep(delays[attempt]!);
      }
    },
  };
}

const shells = new Map<string, RemoteShell>();

/** The one shell of this host (same address, port, options and ssh config), opened on its first request. */
export function remoteShell(target: SshTarget): RemoteShell {
  const key = JSON.stringify([sshArgs(target), target.env.SSH_AUTH_SOCK ?? '']);
  let s = shells.get(key);
  if (!s) shells.set(key, (s = createRemoteShell(target)));
  return s;
}
