// The per-repository half of git-env.ts: filter, diff and merge drivers have names the repository chooses
// (`[filter "evil"]` + `*.py filter=evil`), so they are found by reading the config git would read for this
// command (`git config --get-regexp` reads files and runs nothing) and each one found is switched off. A driver
// that config does not define runs nothing, whatever .gitattributes names, so config is the whole list.
// Drivers defined only in the user's own global or system config are the user's programs (Git LFS, written to
// ~/.gitconfig by `git lfs install`) and keep working: a repository can select them but not change what they
// run. A driver the repository's own config defines (or redefines) is switched off whole.
// Includes cannot be switched off from the command line: a repository whose own config includes another
// file is refused with a line that says what to remove.
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gitEnv } from './git-env.js';
import { commonDir } from './git-place.js';

export type ConfigPair = readonly [string, string];

const DRIVER_KEYS = /^(filter|diff|merge|include|includeif)\./;

/** Thrown for a repository the harness will not run git in; its message is one line saying what to do. */
export class UnsafeRepositoryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeRepositoryError';
  }
}

/** The overrides for each driver named in `listing` (git config --null --show-scope --get-regexp output). */
export function overridesFor(listing: string): ConfigPair[] {
  const parts = listing.split('\0');
  const filters = new Set<string>();
  const diffs = new Set<string>();
  const merges = new Set<string>();
  for (let i = 0; i + 1 < parts.length; i += 2) {
    const scope = parts[i]!;
    const entry = parts[i + 1]!;
    const nl = entry.indexOf('\n');
    const key = nl < 0 ? entry : entry.slice(0, nl);
    const value = nl < 0 ? '' : entry.slice(nl + 1);
    const first = key.indexOf('.');
    const last = key.lastIndexOf('.');
    const section = key.slice(0, first);
    if (section === 'include' || section === 'includeif') {
      if (scope === 'local' || scope === 'worktree') {
        throw new UnsafeRepositoryError(
          `This repository's git config includes another file (${key} = ${value}); git would read it on every command, so Autoresearch Studio will not run git here. Remove that line from .git/config (git config --unset ${key}) and try again.`,
        );
      }
      continue;
    }
    if (last <= first) continue; // `diff.external` and the like: no driver name (git-env.ts covers them)
    if (scope !== 'local' && scope !== 'worktree' && scope !== 'command') continue; // the user's own (see above)
    const name = key.slice(first + 1, last);
    if (section === 'filter') filters.add(name);
    else if (section === 'diff') diffs.add(name);
    else if (section === 'merge') merges.add(name);
  }
  const pairs: ConfigPair[] = [];
  for (const n of filters) pairs.push([`filter.${n}.clean`, ''], [`filter.${n}.smudge`, ''], [`filter.${n}.process`, ''], [`filter.${n}.required`, 'false']);
  for (const n of diffs) pairs.push([`diff.${n}.textconv`, ''], [`diff.${n}.command`, '']);
  for (const n of merges) pairs.push([`merge.${n}.driver`, 'false']);
  return pairs;
}

// The enumeration costs a git process; a repository's answer is kept while none of the config files it can
// come from changed (includes of the repository's own config are refused above, the user's global ones are
// the user's).
const cache = new Map<string, { readonly stamp: string; readonly pairs: ConfigPair[] }>();

function configFiles(gitDir: string): string[] {
  const home = os.homedir();
  const xdg = process.env.XDG_CONFIG_HOME || path.join(home, '.config');
  const global = process.env.GIT_CONFIG_GLOBAL ? [process.env.GIT_CONFIG_GLOBAL] : [path.join(home, '.gitconfig'), path.join(xdg, 'git', 'config')];
  const system = process.env.GIT_CONFIG_NOSYSTEM ? [] : ['/etc/gitconfig'];
  return [path.join(commonDir(gitDir), 'config'), path.join(gitDir, 'config.worktree'), ...global, ...system];
}

function stampOf(files: readonly string[]): string {
  return files
    .map((f) => {
      const s = statSync(f, { throwIfNoEntry: false, bigint: true });
      return s ? `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}` : '-';
    })
    .join('|');
}

/** Overrides for the drivers of the repository git opens with `placeArgs` from `cwd`. */
export async function programOverrides(cwd: string, placeArgs: readonly string[], gitDir: string | null): Promise<ConfigPair[]> {
  const stamp = gitDir ? stampOf(configFiles(gitDir)) : null;
  if (gitDir && stamp) {
    const hit = cache.get(gitDir);
    if (hit && hit.stamp === stamp) return hit.pairs;
  }
  const listing = await new Promise<string>((resolve, reject) => {
    execFile(
      'git',
      ['--no-pager', ...placeArgs, 'config', '--null', '--show-scope', '--get-regexp', DRIVER_KEYS.source],
      { cwd, env: gitEnv([]), maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        // Exit 1: no key matched. Anything else (a config git cannot parse) fails the command it guards too.
        if (err && (err as { code?: unknown }).code !== 1) reject(new UnsafeRepositoryError(`git could not read this repository's config: ${String(stderr).trim().split('\n')[0] || err.message}`));
        else resolve(String(stdout));
      },
    );
  });
  const pairs = overridesFor(listing);
  if (gitDir && stamp) cache.set(gitDir, { stamp, pairs });
  return pairs;
}
