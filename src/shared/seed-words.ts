// The seed setting in words, and what the project's files say about its seed (issue #22): shared so that
// `init`, `status` and the Setup view (which cannot import core) describe a setting the same way.
import type { SeedConfig } from './config-seed.js';

/** A setting in words: "the environment variable SEED"; null (undecided) says so. */
export function describeSeed(s: SeedConfig | null | undefined): string {
  if (!s) return 'not decided yet';
  if (s.kind === 'env') return `the environment variable ${s.name}`;
  if (s.kind === 'arg') return `the command-line flag ${s.flag}`;
  if (s.kind === 'constant') return `the constant ${s.name} in ${s.file}`;
  return 'none (the seed cannot be varied)';
}

/** One way of setting the seed found in the project's files. */
export interface SeedFindingInfo {
  readonly setting: Exclude<SeedConfig, { kind: 'none' }>;
  /** Where, as "train.py:12". */
  readonly at: string;
  /** The line as written. */
  readonly line: string;
  /** Its value today (a default or the constant), when the text says. */
  readonly value: number | null;
}

/** What the Api's detectSeed answers: the settings found (best first) and, when none, a seed fixed in a call. */
export interface SeedDetection {
  readonly findings: readonly SeedFindingInfo[];
  /** A seeding call with a literal (`torch.manual_seed(42)`), when no setting was found. */
  readonly fixed: { readonly at: string; readonly value: number; readonly line: string } | null;
  /** The files that were read (editable, context and the run command's script), for "nothing found in …". */
  readonly scanned: readonly string[];
}

/** What to do about a seed fixed in a call: the app cannot vary it until the code reads it from somewhere. */
export function fixedSeedAdvice(fixed: { readonly at: string; readonly value: number }): string {
  const file = fixed.at.replace(/:\d+$/, '');
  const read = /\.(?:m?js|ts)$/.test(file) ? `Number(process.env.SEED ?? ${fixed.value})` : `int(os.environ.get('SEED', ${fixed.value}))`;
  return `The seed is fixed at ${fixed.value} in ${fixed.at}; the app cannot vary it. Read it from an environment variable, e.g. ${read}, to let the app measure the noise between seeds.`;
}
