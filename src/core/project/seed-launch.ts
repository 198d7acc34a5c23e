// How one run gets its seed (issue #22): the project's seed setting (config.seed) turned into what the harness
// changes for that run. An environment variable is set, a flag is appended to the command, or a constant in an
// editable file is rewritten in the run's worktree (and put back afterwards, so the committed candidate and the
// protected-file and diff checks never see the harness's edit). One module so that the loop's baseline and
// confirmation runs, the audit and the ablation vary the seed the same way.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SeedConfig } from '../../shared/config-seed.js';

/** Whether the project's seed can be varied by the harness (a setting other than "none" or undecided). */
export function seedVaries(seed: SeedConfig | null | undefined): seed is Exclude<SeedConfig, { kind: 'none' }> {
  return !!seed && seed.kind !== 'none';
}

/** The seeds of a run's repeats: the first is `base`, each next one 1 more; the same list for the best and a candidate makes their runs paired. */
export function seedsFor(count: number, base = 1): number[] {
  return Array.from({ length: count }, (_, i) => base + i);
}

export interface SeededLaunch {
  /** The command to run (with `<flag> N` appended for an arg setting). */
  readonly command: string;
  /** Variables to add to the run's environment. */
  readonly env: Readonly<Record<string, string>>;
  /** Puts the edited file back (constant setting); a no-op otherwise. Always call it after the run. */
  readonly restore: () => Promise<void>;
}

const NO_RESTORE = async (): Promise<void> => undefined;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `NAME = 42` (optionally `const`/`let`/`var`, a type annotation, a trailing `;` or comment) at the start of a line. */
function constantPattern(name: string): RegExp {
  return new RegExp(`^(\\s*(?:(?:const|let|var)\\s+)?${escapeRegExp(name)}\\s*(?::\\s*\\w+\\s*)?=\\s*)(\\d+)`, 'm');
}

/**
 * Prepares one run under `seed`. For a constant setting the worktree's file is rewritten now; the error says
 * which file and constant were not found, so a seed setting that no longer matches the code is not silently
 * ignored (the run would then measure one seed while claiming several).
 */
export async function launchWithSeed(setting: SeedConfig | null | undefined, command: string, seed: number | null, worktree: string): Promise<SeededLaunch> {
  if (seed === null || !seedVaries(setting)) return { command, env: {}, restore: NO_RESTORE };
  if (setting.kind === 'env') return { command, env: { [setting.name]: String(seed) }, restore: NO_RESTORE };
  if (setting.kind === 'arg') return { command: `${command} ${setting.flag} ${seed}`, env: {}, restore: NO_RESTORE };
  const path = join(worktree, setting.file);
  const before = await readFile(path, 'utf8');
  const pattern = constantPattern(setting.name);
  if (!pattern.test(before)) {
    throw new Error(`The seed setting names ${setting.name} in ${setting.file}, but no line "${setting.name} = <number>" is there; fix the seed setting in Setup (or set it to none)`);
  }
  await writeFile(path, before.replace(pattern, (_m, head: string) => `${head}${seed}`));
  return { command, env: {}, restore: () => writeFile(path, before) };
}
