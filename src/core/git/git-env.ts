// The environment of every harness git command: config that makes git run a program is switched off.
//
// A project folder's .git/config, its .gitattributes and anything an agent writes are untrusted, and git runs
// programs named there: filters (clean/smudge/process), textconv and external diff, merge drivers, gpg, the
// pager, the editor, credential helpers, askpass, the ssh command and hooks. Command-scope config outranks
// every config file, so overrides given here win over whatever the repository says. They go through
// GIT_CONFIG_COUNT / GIT_CONFIG_KEY_n / GIT_CONFIG_VALUE_n rather than `-c`, because `-c` splits at the first
// `=` and a driver named `x=y` (a legal subsection) would turn `-c filter.x=y.clean=` into another key.
//
// What an empty value does, checked on git 2.39 (test/integration/security-git-config.test.ts performs each):
// - filter.<d>.clean / smudge / process = '' : the filter is skipped (git tests `cmd && *cmd`); with
//   filter.<d>.required = false the content passes through unchanged.
// - diff.<d>.textconv / diff.<d>.command / diff.external = '' : git tries to run "" and fails loudly
//   ("cannot run"), no program starts; the diff verbs also get --no-ext-diff --no-textconv (git.ts).
// - merge.<d>.driver = '' makes git die; `false` instead turns such a file into a conflict (sh runs `false`,
//   nothing the project named).
// - credential.helper = '' empties the helper list (documented).

/** Overrides for every git command, whatever the repository holds. */
export const STATIC_OVERRIDES: ReadonlyArray<readonly [string, string]> = [
  // Hooks (post-checkout, post-commit, reference-transaction, ...) and the fsmonitor daemon.
  ['core.hooksPath', '/dev/null'],
  ['core.fsmonitor', 'false'],
  // Signing and signature display run gpg.program (or the ssh/x509 one).
  ['commit.gpgSign', 'false'],
  ['tag.gpgSign', 'false'],
  ['push.gpgSign', 'false'],
  ['log.showSignature', 'false'],
  ['gpg.program', 'false'],
  ['gpg.ssh.program', 'false'],
  ['gpg.x509.program', 'false'],
  ['gpg.ssh.defaultKeyCommand', ''],
  // Diff programs for drivers the repository did not name by a driver (those are handled per driver).
  ['diff.external', ''],
  // Pager and editors (the harness never waits on a terminal; a pager also needs a tty, belt and braces).
  ['core.pager', 'cat'],
  ['core.editor', 'true'],
  ['sequence.editor', 'true'],
  // Credentials and transports: no helper, no askpass, no ssh or proxy command the repository named.
  ['credential.helper', ''],
  ['core.askPass', ''],
  ['core.sshCommand', 'ssh'],
  ['core.gitProxy', ''],
  // A submodule's own config was never enumerated: never run git inside one.
  ['submodule.recurse', 'false'],
  ['diff.ignoreSubmodules', 'dirty'],
];

/** The same static overrides as `-c` arguments, for the few places that run git themselves (ssh-executor). */
export const SAFE_GIT_CONFIG: readonly string[] = STATIC_OVERRIDES.flatMap(([k, v]) => ['-c', `${k}=${v}`]);

// Inherited variables that change which repository git opens or which program it runs. The user's identity
// and which global config file to read stay (they run nothing); everything else named GIT_* goes.
const KEPT_GIT_VARS = new Set([
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_AUTHOR_DATE',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'GIT_COMMITTER_DATE',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
]);

/** process.env without the variables above, plus the overrides `pairs` and never a prompt. */
export function gitEnv(pairs: ReadonlyArray<readonly [string, string]>, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('GIT_') && !KEPT_GIT_VARS.has(k)) continue;
    if (k === 'SSH_ASKPASS') continue;
    env[k] = v;
  }
  const all = [...STATIC_OVERRIDES, ...pairs];
  all.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  env.GIT_CONFIG_COUNT = String(all.length);
  // Never wait for a password prompt or an editor in an unattended run.
  return { ...env, GIT_TERMINAL_PROMPT: '0', GIT_EDITOR: 'true', GIT_SEQUENCE_EDITOR: 'true', GIT_PAGER: 'cat', LC_ALL: 'C', ...extra };
}
