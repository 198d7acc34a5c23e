// What the sandbox lets each command of a run touch (exec/sandbox.ts does the mounting).
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { ProjectConfig } from '../../shared/config.js';
import { AGENT_CONFIG, HOME_CACHES, HOME_SECRETS, inHomes, type SandboxSpec } from '../exec/sandbox.js';
import { APP_DIR } from '../project/paths.js';

/**
 * `cwd` is a slot's worktree (trainer, guard, agent CLI) or the project folder (the setup command). Either is
 * writable; the repository (.git, including a worktree's .git file, which names the git folder the harness's
 * own git commands use) and the app's folder are not. For a project in a monorepo's subfolder, `cwd` is that
 * subfolder inside the worktree (or the user's subfolder for setup): only it is writable, so the worktree's
 * .git file at its top, the other packages and the repository's .git above the project stay read-only.
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
  // A project in a monorepo's subfolder: the rest of its repository (other packages, shared code the trainer
  // imports) stays readable, never writable.
  const top = repositoryTop(cwd);
  // The project itself is always readable, even where a folder the sandbox hides or replaces holds it (the demo
  // in ~/.autoresearch-studio, a project under /tmp): bwrapArgs binds it back over that folder.
  const readable = [...new Set([...(top !== null && top !== path.resolve(cwd) ? [top] : []), path.resolve(projectDir)])];
  return {
    readable,
    writable: [
      cwd,
      ...(config.sandbox.readOnlyInputs ? [] : inputs),
      ...(config.sandbox.writableCaches ? inHomes(env, HOME_CACHES) : []),
      ...(agent ? inHomes(env, AGENT_CONFIG) : []),
    ],
    readOnly: [path.join(cwd, '.git'), ...(isProject ? [path.join(projectDir, APP_DIR)] : []), ...(config.sandbox.readOnlyInputs ? inputs : [])],
    hidden: [...inHomes(env, agent ? HOME_SECRETS.filter((s) => !AGENT_CONFIG.includes(s)) : HOME_SECRETS), ...(agent && config.heldout ? heldoutFiles(projectDir) : [])],
    network: agent || config.sandbox.network,
  };
}

/**
 * What an agent CLI must not read when the project has a held-out check (issue #22: the agent never sees it): the
 * config that names it, and in each run the journal and its fold snapshot (they hold the held-out results) and
 * the held-out logs. The prompt file in the run's scratch folder stays readable.
 */
function heldoutFiles(projectDir: string): string[] {
  const app = path.join(projectDir, APP_DIR);
  const runs = path.join(app, 'runs');
  const out = [path.join(app, 'config.json')];
  for (const tag of existsSync(runs) ? readdirSync(runs) : []) {
    const dir = path.join(runs, tag);
    out.push(path.join(dir, 'journal.jsonl'), path.join(dir, 'fold-snapshot.jsonl'));
    const logs = path.join(dir, 'logs');
    if (existsSync(logs)) out.push(...readdirSync(logs).filter((f) => f.endsWith('.heldout.log')).map((f) => path.join(logs, f)));
  }
  return out;
}

/** The nearest folder at or above `dir` holding a `.git` (a repository's or a worktree's top), or null. */
function repositoryTop(dir: string): string | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return null;
  }
}
