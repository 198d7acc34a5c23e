// A change that only touches the random seed is not a candidate (issue #22, karpathy/autoresearch #131): with a
// fixed seed, identical reruns agree to the digit, so a new seed "wins" by the seed's luck alone and the rule
// would call it a real improvement. The guard (diff-guard.ts) asks this module whether every changed line of a
// proposal is a seed: a seed value changed in place (`torch.manual_seed(42)` → `(7)`, `SEED = 42` → `7`,
// `--seed … default=42`, `os.environ.get("SEED", "42")`), or a whole seed statement added or removed. Blank and
// comment-only lines do not count either way, so a comment beside a new seed does not make it a change.

/** The words that name a seed: the identifier just before a number decides whether the number is a seed. */
const SEED_WORD = /seed|random_state|prngkey|default_rng/i;
/** Words between a seed's name and its value that say nothing about what the number is. */
const FILLER = new Set(['default', 'type', 'int', 'str', 'float', 'value', 'dtype', 'const', 'let', 'var']);
/** A whole statement that only sets a seed: a seeding call, or an assignment to a seed-named variable. */
const SEED_STATEMENT =
  /^(?:(?:const|let|var)\s+)?(?:[\w.]*\b(?:manual_seed(?:_all)?|seed|set_seed|seed_everything|PRNGKey|default_rng)\s*\(.*\)|[A-Za-z_]\w*(?:seed|SEED|Seed)\w*\s*(?::\s*\w+\s*)?=\s*[^=].*)\s*;?$/;
const NUMBER = /(?<![\w.])(?:0x[0-9a-f]+|\d+(?:\.\d+)?(?:e[-+]?\d+)?)(?![\w.])/gi;

/** The line without its trailing comment (`#` or `//` outside quotes) and surrounding spaces. */
export function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = null;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '#' || (c === '/' && line[i + 1] === '/')) return line.slice(0, i).trim();
  }
  return line.trim();
}

/** True when the number at `at` in `line` is a seed's value: the nearest meaningful word before it names a seed. */
function isSeedValueAt(line: string, at: number): boolean {
  const words = line.slice(0, at).match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? [];
  for (let i = words.length - 1; i >= 0; i--) {
    if (FILLER.has(words[i]!.toLowerCase())) continue;
    return SEED_WORD.test(words[i]!);
  }
  return false;
}

/** Two versions of a line that differ only in seed values (same text once every number is set aside). */
function onlySeedValuesDiffer(before: string, after: string): boolean {
  const numbersOf = (s: string) => [...s.matchAll(NUMBER)];
  const a = numbersOf(before);
  const b = numbersOf(after);
  if (a.length !== b.length || before.replace(NUMBER, '0') !== after.replace(NUMBER, '0')) return false;
  let changed = false;
  for (let i = 0; i < b.length; i++) {
    if (a[i]![0] === b[i]![0]) continue;
    if (!isSeedValueAt(after, b[i]!.index)) return false;
    changed = true;
  }
  return changed;
}

const isSeedStatement = (line: string) => SEED_STATEMENT.test(line) && SEED_WORD.test(line);

interface Hunk {
  readonly file: string;
  readonly removed: string[];
  readonly added: string[];
}

/** The hunks of a unified diff (`git diff -U0`), their lines without comments, blank ones dropped. */
function hunksOf(diff: string): Hunk[] {
  const hunks: Hunk[] = [];
  let file = '';
  let current: Hunk | null = null;
  for (const line of diff.split('\n')) {
    if (line.startsWith('+++ ')) file = line.slice(4).replace(/^b\//, '');
    else if (line.startsWith('--- ') || line.startsWith('diff ') || line.startsWith('index ')) continue;
    else if (line.startsWith('@@')) hunks.push((current = { file, removed: [], added: [] }));
    else if (current && (line.startsWith('-') || line.startsWith('+'))) {
      const text = stripComment(line.slice(1));
      if (text) (line.startsWith('-') ? current.removed : current.added).push(text);
    }
  }
  return hunks;
}

/**
 * What the seed-only change sets, e.g. "train.py: SEED = 42 → SEED = 7", when every changed line of `diff` is a
 * seed; null for any other change (a change with no seed line, or one seed line among real changes).
 */
export function seedOnlyChange(diff: string): string | null {
  const said: string[] = [];
  let seedLines = 0;
  for (const { file, removed, added } of hunksOf(diff)) {
    if (removed.length === 0 && added.length === 0) continue;
    const valuesOnly = removed.length === added.length && added.every((l, i) => onlySeedValuesDiffer(removed[i]!, l));
    if (valuesOnly || [...removed, ...added].every(isSeedStatement)) {
      if (removed.length === added.length) said.push(...added.map((l, i) => `${file}: ${removed[i]} → ${l}`));
      else said.push(...removed.map((l) => `${file}: removed ${l}`), ...added.map((l) => `${file}: added ${l}`));
    } else return null;
    seedLines += Math.max(removed.length, added.length);
  }
  if (seedLines === 0) return null;
  return said.length <= 2 ? said.join('; ') : `${said.slice(0, 2).join('; ')} and ${said.length - 2} more`;
}
