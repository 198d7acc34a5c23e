// The sandbox for code the agent wrote: the trainer (run command), the guard command and command agents.
// On Linux it is bubblewrap (`bwrap`): the whole file system read-only, the slot's worktree writable, the
// project's .git and .autoresearch out of reach for writes, the home folder an allowlist (an empty folder with
// only the project, its inputs, the toolchains and per-slot caches put back), a private /tmp, its own PID
// namespace (so the app's /proc/<pid>/environ, which may hold the API key, does not exist in there), GPUs
// passed through, and the network optionally cut. Where bubblewrap is missing
// (or cannot create namespaces), commands run unsandboxed and the caller warns; see docs/security.md.
import { execFile } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { systemdScopeAvailableSync } from './cgroup-scope.js';
import { pidNamespacePrefix } from './pid-namespace.js';
import { findSandboxExec, seatbeltArgv } from './seatbelt.js';

export interface SandboxSpec {
  /**
   * Bound read-only before `writable`: folders that must stay visible where the sandbox replaces a parent of
   * theirs (a monorepo's worktree under /tmp, whose /tmp is private), e.g. the rest of the repository around
   * a project in a subfolder. Missing ones are skipped.
   */
  readonly readable?: readonly string[];
  /** Folders (and files) the command may write: the worktree, linked inputs, caches. Missing ones are skipped. */
  readonly writable: readonly string[];
  /** Bound read-only over whatever `writable` made writable (e.g. the worktree's `.git` file). */
  readonly readOnly?: readonly string[];
  /** Hidden: an empty folder (or an empty file) in their place. */
  readonly hidden?: readonly string[];
  /**
   * Folders hidden whole, whatever is made in them after the command starts (a file hidden by name is hidden only
   * if it exists then), with some of their paths shown again read-only (`keep`; missing ones stay hidden).
   */
  readonly hiddenExcept?: readonly { readonly path: string; readonly keep: readonly string[] }[];
  /** false: a private network namespace with only loopback. */
  readonly network: boolean;
  /**
   * Home folders replaced by an empty (writable, per-command) folder before anything is bound: the allowlist.
   * Only what the spec names inside them (readable, writable, mounts) is visible.
   */
  readonly homes?: readonly string[];
  /** A folder bound as /tmp (a slot's private /tmp, kept between its experiments); absent: an empty tmpfs. */
  readonly tmp?: string;
  /** Folders bound at another path (a slot's own ~/.cache), after the homes are emptied; missing sources are skipped. */
  readonly mounts?: readonly { readonly from: string; readonly to: string }[];
}

/** Agent CLIs' own settings and logins (claude -p, codex exec, aider): hidden from trainers, writable for agents. */
export const AGENT_CONFIG = ['.anthropic', '.claude', '.claude.json', '.codex', '.aider', '.config/aider'];

/**
 * Files and folders in a home folder that hold credentials. The home folder is emptied anyway (SandboxSpec.homes);
 * these are hidden again wherever a bound folder would show them (a project that is the home folder itself).
 */
export const HOME_SECRETS = [
  '.ssh',
  '.bashrc',
  '.bash_history',
  '.zshrc',
  '.zsh_history',
  '.profile',
  '.Xauthority',
  '.cache/huggingface/token',
  '.cache/huggingface/stored_tokens',
  '.config',
  '.gnupg',
  '.aws',
  '.azure',
  '.kube',
  '.docker',
  '.netrc',
  '.git-credentials',
  '.npmrc',
  '.pypirc',
  '.password-store',
  '.config/gcloud',
  '.config/gh',
  '.config/hub',
  '.config/Autoresearch Studio',
  '.config/autoresearch-studio',
  '.config/chromium',
  '.config/google-chrome',
  '.mozilla',
  '.local/share/keyrings',
  '.autoresearch-studio',
  ...AGENT_CONFIG,
];

/**
 * Caches that `uv run`, pip, torch.compile and Triton write. Each slot gets its own, empty at the run's start:
 * they hold code that runs (wheels that uv hard-links into a venv, compiled kernels), so a shared writable one
 * would let one experiment plant code for the others, or, through a hard link, for the user's own venv.
 */
export const HOME_CACHES = ['.cache', '.triton'];

/**
 * Downloaded models and datasets: shared, since fetching them again per slot is not practical. They are
 * visible (writable only with sandbox.writableCaches); the Hugging Face token beside them never is.
 */
export const SHARED_CACHES = ['.cache/huggingface/hub', '.cache/huggingface/datasets'];

/**
 * Where Python, Node and agent CLIs live in a home folder (pyenv, uv's Pythons, conda, nvm, pip --user):
 * readable, never writable, so a venv's interpreter and `claude` still start while nothing there can be changed.
 */
export const HOME_TOOLCHAINS = [
  '.pyenv',
  '.local/bin',
  '.local/lib',
  '.local/share/uv/python',
  '.local/share/uv/tools',
  '.nvm',
  '.volta',
  '.bun',
  '.npm-global',
  '.cargo/bin',
  '.rustup',
  'miniconda3',
  'anaconda3',
  'miniforge3',
  'mambaforge',
  '.conda/envs',
];

const homesOf = (env: Readonly<Record<string, string | undefined>>) => [...new Set([homedir(), env.HOME].filter((h): h is string => !!h && path.isAbsolute(h)))];

/** `names` in each home folder: $HOME of the command and the app's own. */
export function inHomes(env: Readonly<Record<string, string | undefined>>, names: readonly string[]): string[] {
  return homesOf(env).flatMap((h) => names.map((s) => path.join(h, s)));
}

const real = (p: string): string | null => {
  // Most of the names a spec lists (toolchains, secrets in two homes) are missing on a given machine: asking
  // first costs no thrown error, which made up most of the few milliseconds each sandboxed command's set-up took.
  if (!existsSync(p)) return null;
  try {
    return realpathSync(p);
  } catch {
    // Not there: the path as given (a folder that does not exist needs no hiding).
    return null;
  }
};

/** GPU device nodes: NVIDIA's (/dev/nvidia0, nvidiactl, nvidia-uvm, nvidia-caps/) and DRM (/dev/dri). */
export function gpuDevices(): string[] {
  const out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync('/dev');
  } catch {
    // No /dev to list (not Linux): no GPU device nodes to bind.
    return out;
  }
  for (const n of names) if (n.startsWith('nvidia')) out.push(`/dev/${n}`);
  if (existsSync('/dev/dri')) out.push('/dev/dri');
  if (existsSync('/dev/kfd')) out.push('/dev/kfd'); // AMD ROCm
  return out;
}

/** Whether `inner` is `outer` or lies inside it. */
const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);

/**
 * The bwrap arguments (before the command) for a spec. Pure apart from looking at which paths exist.
 *
 * Later mounts cover earlier ones, so the order is the policy: the root read-only, a private /tmp (the slot's
 * own, or an empty one), the home folders emptied and the slot's caches bound into them, then the
 * hidden folders that *contain* something the command needs (the demo under ~/.autoresearch-studio, a project in
 * the desktop's userData folder): they are emptied first and the project's paths are bound back on top, so the
 * project stays visible while the rest of such a folder stays hidden. Then the readable, writable and read-only
 * binds, and last the hidden paths that lie inside a bound folder (or beside it), so no bind re-exposes them.
 */
export function bwrapArgs(spec: SandboxSpec, devices: readonly string[] = gpuDevices()): string[] {
  const tmp = spec.tmp !== undefined ? real(spec.tmp) : null;
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc', ...(tmp ? ['--bind', tmp, '/tmp'] : ['--tmpfs', '/tmp']), '--tmpfs', '/run', '--unshare-pid', '--die-with-parent'];
  if (!spec.network) args.push('--unshare-net');
  for (const dev of devices) args.push('--dev-bind', dev, dev);
  // The allowlist: each home folder empty, then what the command needs bound back on top (the binds below).
  const homes = [...new Set((spec.homes ?? []).map(real).filter((h): h is string => h !== null && h !== '/'))];
  for (const h of homes) args.push('--tmpfs', h);
  for (const m of spec.mounts ?? []) {
    const from = real(m.from);
    if (from) args.push('--bind', from, m.to);
  }
  const readable = (spec.readable ?? []).map(real).filter((r): r is string => r !== null);
  const writable = [...new Set(spec.writable.map(real).filter((r): r is string => r !== null))];
  const readOnly = (spec.readOnly ?? []).map(real).filter((r): r is string => r !== null);
  const needed = [...readable, ...writable, ...readOnly];
  const hide = (p: string) => {
    const info = lstatSync(p, { throwIfNoEntry: false });
    if (!info) return;
    if (info.isDirectory()) args.push('--tmpfs', p);
    else args.push('--ro-bind', '/dev/null', p);
  };
  const hidden = (spec.hidden ?? []).map((p) => ({ p, r: real(p) ?? p }));
  const covering = hidden.filter(({ r }) => needed.some((n) => within(n, r)));
  for (const { r } of covering) hide(r);
  for (const r of readable) args.push('--ro-bind', r, r);
  for (const r of writable) args.push('--bind', r, r);
  for (const r of readOnly) args.push('--ro-bind', r, r);
  for (const h of spec.hiddenExcept ?? []) {
    const r = real(h.path);
    if (r === null) continue;
    hide(r);
    for (const k of h.keep.map(real)) if (k !== null && within(k, r) && k !== r) args.push('--ro-bind', k, k);
  }
  // Last: nothing bound above shows them again (a held-out log of an older run inside a folder kept above).
  for (const h of hidden) if (!covering.includes(h)) hide(h.p);
  return args;
}

/**
 * The program and arguments that run `command` in `cwd` under the sandbox `program` (from sandboxMode): Seatbelt's
 * sandbox-exec on macOS, bubblewrap elsewhere. The caller spawns it with `cwd` as its working folder too.
 */
export function sandboxedArgv(sandbox: { readonly bwrap: string; readonly spec: SandboxSpec }, cwd: string, command: string, platform: NodeJS.Platform = process.platform): [string, string[]] {
  if (platform === 'darwin') return seatbeltArgv(sandbox.bwrap, sandbox.spec, command);
  return [sandbox.bwrap, [...bwrapArgs(sandbox.spec), '--chdir', cwd, '/bin/sh', '-c', command]];
}

let probed: Promise<string | null> | null = null;

/**
 * The path of a working bwrap, or null. "Working" is tested, not assumed: containers often forbid the
 * namespaces it needs, and then every sandboxed command would fail.
 */
export function findBwrap(env: Readonly<Record<string, string | undefined>> = process.env): Promise<string | null> {
  probed ??= new Promise((resolve) => {
    if (process.platform !== 'linux') return resolve(null);
    const dirs = (env.PATH ?? '/usr/bin:/bin').split(':').filter(Boolean);
    const bin = dirs.map((d) => path.join(d, 'bwrap')).find((p) => existsSync(p)) ?? null;
    if (!bin) return resolve(null);
    execFile(bin, [...bwrapArgs({ writable: [], network: true }), '/bin/sh', '-c', 'exit 0'], { timeout: 10_000 }, (err) => resolve(err ? null : bin));
  });
  return probed;
}

export type SandboxMode = 'bwrap' | 'seatbelt' | 'off' | 'unavailable';

/**
 * Whether commands run sandboxed: AUTORESEARCH_SANDBOX=off (the app's environment, never a project) turns it off.
 * `bwrap` is the sandbox's program: bubblewrap on Linux, sandbox-exec on macOS (seatbelt.ts).
 */
export async function sandboxMode(env: Readonly<Record<string, string | undefined>> = process.env): Promise<{ mode: SandboxMode; bwrap: string | null }> {
  if (/^(off|0|false|no)$/i.test(env.AUTORESEARCH_SANDBOX ?? '')) return { mode: 'off', bwrap: null };
  if (process.platform === 'darwin') {
    const exec = await findSandboxExec();
    return exec ? { mode: 'seatbelt', bwrap: exec } : { mode: 'unavailable', bwrap: null };
  }
  const bwrap = await findBwrap(env);
  return bwrap ? { mode: 'bwrap', bwrap } : { mode: 'unavailable', bwrap: null };
}

/**
 * What the UI and the log say when commands run without the sandbox (a run journals it once, as it starts). Where
 * nothing else holds a command's processes either (no PID namespace, no systemd scope: containment()), it names
 * what is then not contained.
 */
export function sandboxWarning(mode: SandboxMode, env: Readonly<Record<string, string | undefined>> = process.env): string | null {
  if (mode === 'bwrap' || mode === 'seatbelt') return null;
  const base =
    mode === 'off'
      ? 'The sandbox is off (AUTORESEARCH_SANDBOX=off): the trainer, the guard and agent commands run with your full access to files, network and processes.'
      : process.platform === 'linux'
        ? 'No sandbox: bubblewrap (bwrap) is missing or cannot create namespaces here, so agent-written code runs with your full access. Install it (Debian/Ubuntu: apt-get install bubblewrap).'
        : `No sandbox on ${process.platform}: agent-written code runs with your full access. The harness still enforces edits, protected files and timeouts; see docs/security.md.`;
  return containment(env) === 'none' ? `${base} ${NOT_CONTAINED}` : base;
}

/** The one sentence a run says where no namespace or cgroup holds its commands' processes. */
export const NOT_CONTAINED =
  'Not contained here: a process a command starts that leaves its group and clears its environment (setsid env -i, a double fork) can outlive its experiment and the run, as no PID namespace (unshare) or systemd user scope is available; allow unprivileged user namespaces or install bubblewrap to hold them.';

/** What holds an unsandboxed command's processes on this machine: a PID namespace, a systemd scope, or nothing. */
export function containment(env: Readonly<Record<string, string | undefined>> = process.env): 'pid-namespace' | 'systemd-scope' | 'none' {
  if (pidNamespacePrefix(env)) return 'pid-namespace';
  return systemdScopeAvailableSync(env) ? 'systemd-scope' : 'none';
}
