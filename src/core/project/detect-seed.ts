// How a project sets its random seed, read from its files (issue #22 item 1): the noise that decides whether a
// change helped is the spread across seeds, so the app must know how to run the same code under another seed.
// Three ways it can: an environment variable the script reads, a command-line flag it parses, or a constant in
// an editable file. `init` and Setup show what was found as a proposal; the user confirms it or says "none".
// Reading only: nothing here runs the project's code.

export type SeedSetting =
  /** The script reads the seed from this environment variable (`os.environ.get("SEED")`, `process.env.SEED`). */
  | { readonly kind: 'env'; readonly name: string }
  /** The script parses this flag (`add_argument('--seed', …)`); the harness appends `--seed N` to the command. */
  | { readonly kind: 'arg'; readonly flag: string }
  /** A constant in an editable file (`SEED = 42`); the harness sets it in the worktree for each run. */
  | { readonly kind: 'constant'; readonly file: string; readonly name: string };

export interface SeedFinding {
  readonly setting: SeedSetting;
  /** Where it was seen, as "train.py:12". */
  readonly at: string;
  /** The line as written, for the user to recognise. */
  readonly line: string;
  /** The value it has today, when the text says (a default or the constant). */
  readonly value: number | null;
}

const ENV_READ = [
  /os\.environ\.get\(\s*['"]((?:[A-Z_][A-Z0-9_]*)?SEED[A-Z0-9_]*)['"](?:\s*,\s*['"]?(\d+))?/i,
  /os\.getenv\(\s*['"]((?:[A-Z_][A-Z0-9_]*)?SEED[A-Z0-9_]*)['"](?:\s*,\s*['"]?(\d+))?/i,
  /os\.environ\[\s*['"]((?:[A-Z_][A-Z0-9_]*)?SEED[A-Z0-9_]*)['"]\s*\]/i,
  /process\.env\.((?:[A-Z_][A-Z0-9_]*)?SEED[A-Z0-9_]*)(?:\s*\?\?\s*['"]?(\d+))?/i,
  /process\.env\[\s*['"]((?:[A-Z_][A-Z0-9_]*)?SEED[A-Z0-9_]*)['"]\s*\](?:\s*\?\?\s*['"]?(\d+))?/i,
];
const ARG_PARSE = /add_argument\(\s*['"](--[\w-]*seed[\w-]*)['"](?:.*?default\s*=\s*(\d+))?/i;
const CONSTANT = /^(?:(?:const|let|var)\s+)?([A-Za-z_]*(?:SEED|seed|Seed)[A-Za-z0-9_]*)\s*(?::\s*\w+\s*)?=\s*(\d+)\s*;?\s*(?:#.*|\/\/.*)?$/;
/** A seeding call with a literal, for telling the user that the seed is fixed even where no setting was found. */
export const SEEDING_CALL = /\b(?:manual_seed(?:_all)?|random\.seed|np\.random\.seed|set_seed|seed_everything|PRNGKey)\s*\(\s*(\d+)\s*\)/;

/**
 * Every way of setting the seed found in `files` (path → text), the most useful first: an environment variable
 * (no file changes, works for any command), then a flag, then a constant in an editable file.
 */
export function findSeedSettings(files: ReadonlyMap<string, string>, editable: (file: string) => boolean): SeedFinding[] {
  const env: SeedFinding[] = [];
  const args: SeedFinding[] = [];
  const constants: SeedFinding[] = [];
  for (const [file, text] of files) {
    text.split('\n').forEach((raw, i) => {
      const line = raw.trim();
      const at = `${file}:${i + 1}`;
      for (const re of ENV_READ) {
        const m = re.exec(line);
        if (m) {
          env.push({ setting: { kind: 'env', name: m[1]! }, at, line, value: m[2] ? Number(m[2]) : null });
          return;
        }
      }
      const arg = ARG_PARSE.exec(line);
      if (arg) {
        args.push({ setting: { kind: 'arg', flag: arg[1]! }, at, line, value: arg[2] ? Number(arg[2]) : null });
        return;
      }
      // Only a top-level constant (no indentation) of an editable file: one the harness may set for a run.
      const constant = raw === raw.trimStart() && editable(file) ? CONSTANT.exec(line) : null;
      if (constant) constants.push({ setting: { kind: 'constant', file, name: constant[1]! }, at, line, value: Number(constant[2]) });
    });
  }
  const seen = new Set<string>();
  return [...env, ...args, ...constants].filter((f) => {
    const key = JSON.stringify(f.setting);
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** Where the seed is fixed by a literal in a call (`torch.manual_seed(42)`), as "train.py:12", or null. */
export function findFixedSeedCall(files: ReadonlyMap<string, string>): string | null {
  for (const [file, text] of files) {
    const i = text.split('\n').findIndex((l) => SEEDING_CALL.test(l));
    if (i >= 0) return `${file}:${i + 1}`;
  }
  return null;
}

/** The setting in words, for Setup and `init`: "the environment variable SEED". */
export function describeSeedSetting(s: SeedSetting): string {
  if (s.kind === 'env') return `the environment variable ${s.name}`;
  if (s.kind === 'arg') return `the command-line flag ${s.flag}`;
  return `the constant ${s.name} in ${s.file}`;
}
