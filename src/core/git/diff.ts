import { redact } from '../util/redact.js';
import { raw, rev } from './git.js';

// `--relative`: run in a monorepo's subfolder, paths read as the user sees them there (train.py, not
// packages/model/train.py); at the repository's top it changes nothing.

/** Unified diff between two commits, optionally limited to paths (relative to `dir`). */
export async function diffCommits(dir: string, from: string, to: string, paths: readonly string[] = []): Promise<string> {
  // A diff is shown and exported: the app's secrets never appear in one, whatever the commits hold.
  return redact(await raw(dir, ['diff', '--no-color', '--no-ext-diff', '--no-textconv', '-M', '--relative', '--end-of-options', rev(from), rev(to), '--', ...paths]));
}

export interface NumstatEntry {
  readonly path: string;
  readonly additions: number;
  readonly deletions: number;
}

export async function diffNumstat(dir: string, from: string, to: string): Promise<NumstatEntry[]> {
  const out = await raw(dir, ['diff', '--numstat', '--no-color', '--no-ext-diff', '--no-textconv', '-M', '--relative', '--end-of-options', rev(from), rev(to), '--']);
  return out
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [a, d, ...rest] = line.split('\t');
      return { path: rest.join('\t'), additions: a === '-' ? 0 : Number(a), deletions: d === '-' ? 0 : Number(d) };
    });
}
