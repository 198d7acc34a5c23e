// The sandbox on macOS: Seatbelt, through `sandbox-exec -p <profile>`. The same SandboxSpec that bwrapArgs mounts
// on Linux becomes a profile here. macOS has no mount namespaces, so nothing can be replaced by an empty folder or
// a private /tmp; every rule is an allow or a deny on paths, and the profile is built so the last matching rule
// decides (Seatbelt's own order): file writes are denied everywhere, then allowed in the worktree, the slot's tmp
// and the caches, then denied again on the read-only overlays and on any `.git` inside them; reads are allowed
// (system frameworks read all over), denied on the home folder's secrets, re-allowed on the project's own paths
// where a hidden folder holds them (the demo under ~/.autoresearch-studio), and denied again on the secrets that
// lie inside those. Network off denies network* except Unix sockets inside the writable folders. Launching apps
// and Apple Events (which run code outside the sandbox), the keychain's services, the pasteboard, signals and
// process information of processes outside the sandbox are denied. What this does not contain is in
// docs/ARCHITECTURE.md ("Threat model"); none of it runs on Linux, so the unit tests check the text only.
import { execFile } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
// Only the type: sandbox.ts dispatches to this file, so a value import back would be a cycle.

export const SANDBOX_EXEC = '/usr/bin/sandbox-exec';

/** `names` in each home folder: the app's own and the command's $HOME (as sandbox.ts's inHomes). */
const inHomes = (env: Readonly<Record<string, string | undefined>>, names: readonly string[]) =>
  [...new Set([homedir(), env.HOME].filter((h): h is string => !!h && path.isAbsolute(h)))].flatMap((h) => names.map((n) => path.join(h, n)));

/**
 * Read-denied in every home folder on macOS, beside the spec's hidden paths: the shell's start-up files (they often
 * export API keys) and histories, the whole of ~/.config (tools keep tokens there), the keychains, browser and
 * mail data, and the app's own settings. Folders the spec makes readable or writable (an agent CLI's
 * ~/.config/aider) are allowed back over these.
 */
export const MAC_HOME_SECRETS = [
  '.ssh',
  '.aws',
  '.config',
  '.gnupg',
  '.netrc',
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.bash_logout',
  '.profile',
  '.zshrc',
  '.zprofile',
  '.zshenv',
  '.zlogin',
  '.bash_history',
  '.zsh_history',
  '.zsh_sessions',
  '.sh_history',
  '.python_history',
  '.node_repl_history',
  '.psql_history',
  '.mysql_history',
  '.lesshst',
  '.viminfo',
  '.Xauthority',
  '.cache/huggingface/token',
  '.huggingface/token',
  'Library/Keychains',
  'Library/Cookies',
  'Library/Mail',
  'Library/Messages',
  'Library/Safari',
  'Library/Application Support/Autoresearch Studio',
  'Library/Application Support/Google/Chrome',
  'Library/Application Support/Firefox',
  'Library/Application Support/com.apple.TCC',
];

/**
 * macOS's own cache folders, writable where the spec makes ~/.cache writable (sandbox.writableCaches): pip and
 * other tools cache in ~/Library/Caches there, and Metal keeps compiled shaders in the per-user cache folder
 * beside $TMPDIR (/var/folders/…/C), without which every run of an MPS trainer compiles them again.
 */
function macCaches(env: Readonly<Record<string, string | undefined>>): string[] {
  const perUser = path.basename(tmpdir()) === 'T' ? [path.join(path.dirname(tmpdir()), 'C')] : [];
  return [...inHomes(env, ['Library/Caches']), ...perUser].filter((p) => existsSync(p));
}

/** System-wide places with secrets; read-denied like the home folder's. */
const SYSTEM_SECRETS = ['/Library/Keychains', '/private/var/db/SystemKey'];

/** Mach services whose callers can read secrets the files do not show: the keychain's daemons, the pasteboard. */
const SECRET_SERVICES = ['com.apple.SecurityServer', 'com.apple.securityd.xpc', 'com.apple.secd', 'com.apple.pasteboard.1'];

/** The devices every program writes (a shell's redirections, a terminal); /dev/fd for process substitution. */
const DEVICE_WRITES = ['(literal "/dev/null")', '(literal "/dev/zero")', '(literal "/dev/dtracehelper")', '(literal "/dev/tty")', '(regex #"^/dev/ttys[0-9]+$")', '(regex #"^/dev/fd/")'];

/**
 * A path as Seatbelt sees it: Seatbelt matches the file's real path (/tmp is /private/tmp on macOS), so a path
 * is resolved through its symbolic links; one that does not exist yet is resolved through its nearest existing
 * parent, so a secret created later is still denied where it will be.
 */
export function seatbeltPath(p: string): string {
  const abs = path.resolve(p);
  const rest: string[] = [];
  for (let d = abs; ; d = path.dirname(d)) {
    try {
      return path.join(realpathSync(d), ...rest.reverse());
    } catch {
      // Not there (yet): resolve its parent and keep the name.
      if (path.dirname(d) === d) return abs;
      rest.push(path.basename(d));
    }
  }
}

/**
 * A Seatbelt string literal. Seatbelt's strings are Scheme strings: a backslash and a double quote are escaped
 * with a backslash. A control character (a newline, NUL) has no escape every macOS accepts, so such a path is
 * refused rather than passed on in a form that could end the string early.
 */
export function sbString(text: string): string {
  if (/[\u0000-\u001f\u007f]/.test(text)) {
    throw new Error(`Cannot sandbox the path ${JSON.stringify(text)}: it contains a control character. Rename the folder to a name without newlines or tabs.`);
  }
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/** A regular expression matching `text` literally (Seatbelt's regex is POSIX extended). */
const regexLiteral = (text: string) => text.replace(/[.^$*+?()[\]{}|\\]/g, (c) => `\\${c}`);

/** `.git` in any letter case: macOS's file system ignores case, and git treats `.GIT` as `.git` there. */
const DOT_GIT = '[.][gG][iI][tT]';

/** Whether `inner` is `outer` or lies inside it. */
const within = (inner: string, outer: string) => inner === outer || inner.startsWith(outer.endsWith(path.sep) ? outer : outer + path.sep);

const subpaths = (paths: readonly string[]) => paths.map((p) => `(subpath ${sbString(p)})`).join(' ');

/**
 * What the profile is built from: the fields of sandbox.ts's SandboxSpec (restated here, structurally the same,
 * so that sandbox.ts can import this file without an import cycle) and the slot's private tmp where known.
 */
export interface SeatbeltSpec {
  readonly readable?: readonly string[];
  readonly writable: readonly string[];
  readonly readOnly?: readonly string[];
  readonly hidden?: readonly string[];
  readonly hiddenExcept?: readonly { readonly path: string; readonly keep: readonly string[] }[];
  readonly network: boolean;
  readonly tmp?: string;
  /**
   * bwrap binds a slot's own caches over ~/.cache's folders; Seatbelt cannot move a path, so on macOS the targets
   * themselves are made writable: the caches are the user's, shared by the slots (the threat model says so).
   */
  readonly mounts?: readonly { readonly from: string; readonly to: string }[];
}

/**
 * The Seatbelt profile for a spec. Pure apart from resolving paths. `env` names the home folders (the app's and
 * the command's $HOME) whose secrets are denied beside the spec's hidden paths.
 */
export function seatbeltProfile(spec: SeatbeltSpec, env: Readonly<Record<string, string | undefined>> = process.env): string {
  const uniq = (ps: readonly string[]) => [...new Set(ps.map(seatbeltPath))];
  const tmp = uniq([spec.tmp ?? tmpdir()]);
  const given = uniq([...spec.writable.filter((p) => existsSync(p)), ...(spec.mounts ?? []).map((m) => m.to)]);
  const cachesOn = uniq(inHomes(env, ['.cache'])).some((c) => given.some((g) => within(g, c)));
  const writable = cachesOn ? uniq([...given, ...macCaches(env)]) : given;
  const readOnly = uniq(spec.readOnly ?? []);
  const needed = uniq([...(spec.readable ?? []), ...writable, ...readOnly]);
  const hidden = uniq([...(spec.hidden ?? []), ...inHomes(env, MAC_HOME_SECRETS), ...SYSTEM_SECRETS]);
  // Hidden folders that hold something the command needs (as bwrapArgs' "covering" mounts): denied first, the
  // needed paths allowed back on top, the rest of the hidden paths denied last so no allowance re-opens them.
  const covering = hidden.filter((h) => needed.some((n) => within(n, h) && n !== h));
  const inner = hidden.filter((h) => !covering.includes(h) && !needed.includes(h));

  const lines = [
    '(version 1)',
    '(allow default)',
    '; Processes: signals and process information only within the sandbox (the app is outside; its',
    '; arguments and environment must not be readable).',
    '(deny signal)',
    '(allow signal (target same-sandbox))',
    '(deny process-info*)',
    '(allow process-info* (target same-sandbox))',
    '(deny sysctl-read (sysctl-name-prefix "kern.procargs"))',
    '; Opening an app or scripting one runs code outside the sandbox.',
    '(deny lsopen)',
    '(deny appleevent-send)',
    `(deny mach-lookup ${SECRET_SERVICES.map((s) => `(global-name ${sbString(s)})`).join(' ')})`,
    '; File writes: nowhere but the devices, the slot tmp, the writable folders.',
    '(deny file-write*)',
    `(allow file-write* ${DEVICE_WRITES.join(' ')})`,
    `(allow file-write* ${subpaths([...tmp, ...writable])})`,
  ];
  if (readOnly.length) lines.push(`(deny file-write* ${subpaths(readOnly)})`);
  // A repository the command creates inside its folders would be one the harness's git could be pointed at.
  if (writable.length || tmp.length) {
    lines.push(`(deny file-write* ${[...writable, ...tmp].map((w) => `(regex ${sbString(`^${regexLiteral(w)}/(.*/)?${DOT_GIT}(/.*)?$`)})`).join(' ')})`);
  }
  lines.push('; File reads: everything but the secrets.');
  if (covering.length) lines.push(`(deny file-read* ${subpaths(covering)})`, `(allow file-read* ${subpaths(needed)})`);
  // Denied by path when read, so what is made in them later is denied too; the kept paths read-only.
  for (const h of spec.hiddenExcept ?? []) {
    const at = seatbeltPath(h.path);
    const keep = uniq(h.keep).filter((k) => within(k, at) && k !== at);
    lines.push(`(deny file-read* file-write* ${subpaths([at])})`);
    if (keep.length) lines.push(`(allow file-read* ${subpaths(keep)})`);
  }
  if (inner.length) lines.push(`(deny file-read* file-write* ${subpaths(inner)})`);
  if (!spec.network) {
    lines.push('; Network off: no sockets but Unix sockets inside the writable folders (multiprocessing).');
    lines.push('(deny network*)');
    const places = [...tmp, ...writable].map((w) => `(subpath ${sbString(w)})`);
    lines.push(`(allow network-bind ${places.map((s) => `(local unix-socket ${s})`).join(' ')})`);
    lines.push(`(allow network-outbound ${places.map((s) => `(remote unix-socket ${s})`).join(' ')})`);
  }
  return lines.join('\n') + '\n';
}

/** The argv that runs `command` under the profile (the caller spawns it with `cwd` set). */
export function seatbeltArgv(sandboxExec: string, spec: SeatbeltSpec, command: string, env?: Readonly<Record<string, string | undefined>>): [string, string[]] {
  return [sandboxExec, ['-p', seatbeltProfile(spec, env), '/bin/sh', '-c', command]];
}

let probed: Promise<string | null> | null = null;

/** sandbox-exec's path where it exists and works (macOS), else null. Tested with a real profile, once. */
export function findSandboxExec(): Promise<string | null> {
  probed ??= new Promise((resolve) => {
    if (process.platform !== 'darwin' || !existsSync(SANDBOX_EXEC)) return resolve(null);
    const [file, argv] = seatbeltArgv(SANDBOX_EXEC, { writable: [], network: true }, 'exit 0');
    execFile(file, argv, { timeout: 10_000 }, (err) => resolve(err ? null : SANDBOX_EXEC));
  });
  return probed;
}
