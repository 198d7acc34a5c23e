// How a project sets its random seed, read from its files (issue #22 item 1): the noise that decides whether a
// change helped is the spread across seeds, so the app must know how to run the same code under another seed.
// Three ways it can: an environment variable the script reads, a command-line flag it parses, or a constant in
// an editable file. `init` and Setup show what was found as a proposal; the user confirms it or says "none".
// Reading only: nothing here runs the project's code.
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import picomatch from 'picomatch';
import { describeSeed, type SeedDetection } from '../../shared/seed-words.js';
import { listProjectFiles } from '../git/list-files.js';

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
  return findFixedSeed(files)?.at ?? null;
}

/** The first seeding call with a literal, with its value and line (for "the seed is fixed at 42 in train.py:7"). */
export function findFixedSeed(files: ReadonlyMap<string, string>): { at: string; value: number; line: string } | null {
  for (const [file, text] of files) {
    const lines = text.split('\n');
    const i = lines.findIndex((l) => SEEDING_CALL.test(l));
    if (i >= 0) return { at: `${file}:${i + 1}`, value: Number(SEEDING_CALL.exec(lines[i]!)![1]), line: lines[i]!.trim() };
  }
  return null;
}

/** The setting in words, for Setup and `init`: "the environment variable SEED". */
export function describeSeedSetting(s: SeedSetting): string {
  return describeSeed(s);
}

/** Files larger than this are data, not code: not read. */
const MAX_SCAN_BYTES = 1024 * 1024;
/** At most this many files are read (a glob such as `src/**` over a big tree). */
const MAX_SCAN_FILES = 200;
const SCRIPT = /^[\w./-]+\.(?:py|m?js|cjs|ts|sh|jl|r|R)$/;

/**
 * What the project's files say about its seed: the editable and context files (globs, matched against the
 * repository's files) and the script the run command names (`python3 train.py` → train.py), read-only.
 * Only an editable file may hold a constant setting: the harness rewrites it in the run's worktree.
 */
export async function detectProjectSeed(projectDir: string, files: { editable: readonly string[]; context: readonly string[]; command?: string | null }): Promise<SeedDetection> {
  // Not a repository yet (init --git-init): the folder's top level stands in for the repository's files.
  const listed = await listProjectFiles(projectDir).then(
    ({ tracked, untracked }) => [...tracked, ...untracked],
    () => readdir(projectDir).catch(() => [] as string[]),
  );
  const isEditable = picomatch([...files.editable], { dot: true });
  const isContext = files.context.length ? picomatch([...files.context], { dot: true }) : () => false;
  const fromCommand = (files.command ?? '').split(/\s+/).map((w) => w.replace(/^['"]|['"]$/g, '').replace(/^\.\//, '')).filter((w) => SCRIPT.test(w));
  const wanted = [...new Set([...listed.filter((f) => !f.startsWith('.autoresearch/') && (isEditable(f) || isContext(f))), ...fromCommand])].slice(0, MAX_SCAN_FILES);
  const texts = new Map<string, string>();
  const root = path.resolve(projectDir);
  for (const rel of wanted) {
    const abs = path.resolve(root, rel);
    // Only files inside the project (a command may name ../other.py).
    if (!abs.startsWith(root + path.sep)) continue;
    const size = await stat(abs).then((s) => (s.isFile() ? s.size : -1), () => -1);
    if (size < 0 || size > MAX_SCAN_BYTES) continue;
    texts.set(rel, await readFile(abs, 'utf8'));
  }
  const findings = findSeedSettings(texts, (f) => isEditable(f));
  return { findings, fixed: findings.length ? null : findFixedSeed(texts), scanned: [...texts.keys()] };
}
