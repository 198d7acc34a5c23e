// What the sandbox lets each command of a run touch (exec/sandbox.ts does the mounting).
import path from 'node:path';
import type { ProjectConfig } from '../../shared/config.js';
import { AGENT_CONFIG, HOME_CACHES, HOME_SECRETS, inHomes, type SandboxSpec } from '../exec/sandbox.js';
import { APP_DIR } from '../project/paths.js';

/**
 * `cwd` is a slot's worktree (trainer, guard, agent CLI) or the project folder (the setup command). Either is
 * writable; the repository (.git, including a worktree's .git file, which names the git folder the harness's
 * own git commands use) and the app's folder are not.
 */
export function commandSandbox(
  projectDir: string,
  cwd: string,
  config: ProjectConfig,
  env: Readonly<Record<string, string | undefined>>,
  kind: 'trainer' | 'agent' = 'trainer',
): SandboxSpec {
  const inputs = config.files.linked.map((l) => l.replace(/\/+$/, '')).filter((l) => l && !l.split('/').includes('..') && !path.isAbsolute(l)).map((l) => path.join(projectDir, l));
  const isProject = path.resolve(cwd) === path.resolve(projectDir);
  // An agent CLI needs its own login and the network; a trainer needs neither.
  const agent = kind === 'agent';
  return {
    writable: [
      cwd,
      ...(config.sandbox.readOnlyInputs ? [] : inputs),
      ...(config.sandbox.writableCaches ? inHomes(env, HOME_CACHES) : []),
      ...(agent ? inHomes(env, AGENT_CONFIG) : []),
    ],
    readOnly: [path.join(cwd, '.git'), ...(isProject ? [path.join(projectDir, APP_DIR)] : []), ...(config.sandbox.readOnlyInputs ? inputs : [])],
    hidden: inHomes(env, agent ? HOME_SECRETS.filter((s) => !AGENT_CONFIG.includes(s)) : HOME_SECRETS),
    network: agent || config.sandbox.network,
  };
}
