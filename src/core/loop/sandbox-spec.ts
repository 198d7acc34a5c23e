// What the sandbox lets each command of a run touch (exec/sandbox.ts does the mounting), and each slot's own
// /tmp and caches, which live for the run.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import type { ProjectConfig } from '../../shared/config.js';
import { AGENT_CONFIG, HOME_CACHES, HOME_SECRETS, HOME_TOOLCHAINS, inHomes, SHARED_CACHES, type SandboxSpec } from '../exec/sandbox.js';
import { APP_DIR, projectPaths, runPaths } from '../project/paths.js';

/** Where a run keeps its slots' private /tmp and caches: in the project's app folder, which trainers cannot write. */
const sandboxStateRoot = (projectDir: string) => path.join(projectPaths(projectDir).appDir, 'sandbox');

/**
 * Slot `slot`'s own /tmp and caches for run `tag`, made if missing. They survive between that slot's experiments
 * (torch.compile's and Triton's caches are not rebuilt every run) and go at the run's end (removeSandboxState).
 */
export function slotSandboxState(projectDir: string, tag: string, slot: number): string {
  const dir = path.join(sandboxStateRoot(projectDir), tag, `slot-${slot}`);
  for (const sub of ['tmp', ...HOME_CACHES]) mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
  return dir;
}

/** The run's slot /tmp folders and caches, gone (the run has ended, or an audit outside a run has). */
export async function removeSandboxState(projectDir: string, tag: string): Promise<void> {
  const root = sandboxStateRoot(projectDir);
  await rm(path.join(root, tag), { recursive: true, force: true });
  // The folder itself goes once no run keeps anything in it; a failure only means another run still does.
  await rmdir(root).catch(() => undefined);
}

/**
 * `cwd` is a slot's worktree (trainer, guard, agent CLI) or the project folder (the setup command). Either is
 * writable; the repository (.git, including a worktree's .git file, which names the git folder the harness's
 * own git commands use) and the app's folder are not. For a project in a monorepo's subfolder, `cwd` is that
 * subfolder inside the worktree (or the user's subfolder for setup): only it is writable, so the worktree's
 * .git file at its top, the other packages and the repository's .git above the project stay read-only.
 *
 * The home folder is an allowlist: it is emptied, and only the project, its linked inputs, the toolchains
 * (read-only), the downloaded models and datasets, and the slot's own caches (`state`, from slotSandboxState)
 * are put back. Without `state` (agent CLIs) /tmp and the caches are empty per command.
 */
export function commandSandbox(
  projectDir: string,
  cwd: string,
  config: ProjectConfig,
  env: Readonly<Record<string, string | undefined>>,
  kind: 'trainer' | 'agent' = 'trainer',
  state: string | null = null,
  tag: string | null = null,
): SandboxSpec {
  const inputs = config.files.linked.map((l) => l.replace(/\/+$/, '')).filter((l) => l && !l.split('/').includes('..') && !path.isAbsolute(l)).map((l) => path.join(projectDir, l));
  const isProject = path.resolve(cwd) === path.resolve(projectDir);
  // An agent CLI needs its own login and the network; a trainer needs neither.
  const agent = kind === 'agent';
  const { writableCaches, readOnlyInputs } = config.sandbox;
  const homes = inHomes(env, ['']);
  // A project in a monorepo's subfolder: the rest of its repository (other packages, shared code the trainer
  // imports) stays readable, never writable.
  const top = repositoryTop(cwd);
  // The project itself is always readable, even where a folder the sandbox hides or replaces holds it (the demo
  // in ~/.autoresearch-studio, a project under /tmp or in the home folder): bwrapArgs binds it back over that folder.
  const readable = [
    ...new Set([
      ...(top !== null && top !== path.resolve(cwd) ? [top] : []),
      path.resolve(projectDir),
      ...inHomes(env, HOME_TOOLCHAINS),
      ...inputs.flatMap((i) => venvPython(i, homes)),
      ...(writableCaches ? [] : inHomes(env, SHARED_CACHES)),
    ]),
  ];
  // The slot's caches over each home's (the same folder for both homes: one cache per slot).
  const mounts = state && writableCaches ? homes.map(realOr).flatMap((h) => HOME_CACHES.map((c) => ({ from: path.join(state, c), to: path.join(h, c) }))) : [];
  return {
    homes,
    ...(state ? { tmp: path.join(state, 'tmp') } : {}),
    mounts,
    readable,
    writable: [cwd, ...(readOnlyInputs ? [] : inputs), ...(writableCaches ? inHomes(env, SHARED_CACHES) : []), ...(agent ? inHomes(env, AGENT_CONFIG) : [])],
    readOnly: [path.join(cwd, '.git'), ...(isProject ? [path.join(projectDir, APP_DIR)] : []), ...(readOnlyInputs ? inputs : [])],
    // Other slots' /tmp and caches are theirs alone: not even readable through the project folder.
    hidden: [...inHomes(env, agent ? HOME_SECRETS.filter((s) => !AGENT_CONFIG.includes(s)) : HOME_SECRETS), sandboxStateRoot(projectDir), ...(agent && config.heldout ? heldoutFiles(projectDir, tag) : [])],
    ...(agent && config.heldout ? { hiddenExcept: [runsShown(projectDir, tag)] } : {}),
    network: agent || config.sandbox.network,
  };
}

/**
 * What an agent CLI may read of the runs when the project has a held-out check (issue #22: the agent never sees
 * it): every run folder is hidden whole, the journals and fold snapshots (they hold the held-out results) and the
 * held-out logs (heldout/) included, even those written while the agent works (the baseline's held-out check runs
 * beside the first proposals, and a snapshot is written by rename). Of this run, the training logs, results.tsv
 * and the scratch folder that holds the agent's prompt are shown again.
 */
function runsShown(projectDir: string, tag: string | null): { readonly path: string; readonly keep: readonly string[] } {
  const runs = projectPaths(projectDir).runsDir;
  if (tag === null) return { path: runs, keep: [] };
  const p = runPaths(projectDir, tag);
  return { path: runs, keep: [p.logsDir, p.results, p.scratchDir] };
}

/**
 * Hidden by name beside runsShown: the config, which names the held-out check, and the held-out logs of runs made
 * before they had a folder of their own (logs/<id>.heldout.log), which the training logs shown again would show.
 */
function heldoutFiles(projectDir: string, tag: string | null): string[] {
  const out = [projectPaths(projectDir).config];
  const logs = tag === null ? null : runPaths(projectDir, tag).logsDir;
  if (logs && existsSync(logs)) out.push(...readdirSync(logs).filter((f) => f.endsWith('.heldout.log')).map((f) => path.join(logs, f)));
  return out;
}

const realOr = (p: string): string => {
  try {
    return realpathSync(p);
  } catch {
    // A home folder that does not exist: mounted at the path as given (bwrap makes it in the emptied parent).
    return p;
  }
};

/**
 * The Python installation a linked venv runs (pyvenv.cfg's `home`), where it lies in a home folder (uv's and
 * pyenv's Pythons): readable, or the venv's interpreter would not start.
 */
function venvPython(input: string, homes: readonly string[]): string[] {
  let cfg: string;
  try {
    cfg = readFileSync(path.join(input, 'pyvenv.cfg'), 'utf8');
  } catch {
    // Not a venv (data, checkpoints): nothing beyond the input itself.
    return [];
  }
  const home = /^home\s*=\s*(.+)$/m.exec(cfg)?.[1]?.trim();
  if (!home || !path.isAbsolute(home)) return [];
  const prefix = path.basename(home) === 'bin' ? path.dirname(home) : home;
  const realHomes = homes.map(realOr);
  return [...homes, ...realHomes].some((h) => prefix.startsWith(h + path.sep)) ? [prefix] : [];
}

/** The nearest folder at or above `dir` holding a `.git` (a repository's or a worktree's top), or null. */
function repositoryTop(dir: string): string | null {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return d;
    if (path.dirname(d) === d) return null;
  }
}
