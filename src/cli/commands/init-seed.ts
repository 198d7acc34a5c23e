// `init`'s seed setting (issue #22): the noise that decides whether a change helped is the spread across seeds,
// so init finds how the project sets its seed and proposes that setting. At a terminal it asks; elsewhere (a
// script, CI) it writes nothing for the seed (undecided) and prints the flag that confirms the proposal, so an
// unattended init never decides on the user's behalf. `--seed` sets it outright.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline/promises';
import { SeedSchema, type SeedConfig } from '../../shared/config-seed.js';
import { describeSeed, fixedSeedAdvice, type SeedDetection, type SeedFindingInfo } from '../../shared/seed-words.js';
import { CliError } from '../io.js';

export const SEED_FORMS = 'env:NAME | arg:--FLAG | constant:FILE:NAME | none';

/** `--seed env:SEED | arg:--seed | constant:train.py:SEED | none` as a setting, or a one-line error saying what to write. */
export function parseSeedFlag(value: string): SeedConfig {
  const v = value.trim();
  const colon = v.indexOf(':');
  const kind = colon < 0 ? v : v.slice(0, colon);
  const rest = colon < 0 ? '' : v.slice(colon + 1);
  let candidate: unknown;
  if (kind === 'none' && rest === '') candidate = { kind: 'none' };
  else if (kind === 'env') candidate = { kind: 'env', name: rest };
  else if (kind === 'arg') candidate = { kind: 'arg', flag: rest };
  else if (kind === 'constant') {
    const at = rest.lastIndexOf(':');
    if (at <= 0 || at === rest.length - 1) throw new CliError(`--seed constant needs a file and a name: constant:FILE:NAME (e.g. constant:train.py:SEED), got "${value}".`);
    candidate = { kind: 'constant', file: rest.slice(0, at), name: rest.slice(at + 1) };
  } else {
    throw new CliError(`--seed must be ${SEED_FORMS} (e.g. --seed env:SEED), got "${value}".`);
  }
  const parsed = SeedSchema.safeParse(candidate);
  if (!parsed.success) throw new CliError(`--seed ${value}: ${parsed.error.issues[0]?.message ?? 'not a seed setting'} (the forms: ${SEED_FORMS}).`);
  return parsed.data;
}

/** The flag that sets `s`, for "confirm with --seed env:SEED". */
export function seedFlag(s: SeedConfig): string {
  if (s.kind === 'env') return `env:${s.name}`;
  if (s.kind === 'arg') return `arg:${s.flag}`;
  if (s.kind === 'constant') return `constant:${s.file}:${s.name}`;
  return 'none';
}

/**
 * A constant setting must name a line the harness can rewrite: checked now, so the mistake surfaces at init
 * and not as the baseline's error.
 */
export async function checkSeedConstant(dir: string, s: SeedConfig): Promise<void> {
  if (s.kind !== 'constant') return;
  const text = await readFile(path.join(dir, s.file), 'utf8').catch(() => null);
  if (text === null) throw new CliError(`--seed constant:${s.file}:${s.name}: there is no file ${s.file} in ${dir}; name the editable file that holds the seed.`);
  const escaped = s.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!new RegExp(`^\\s*(?:(?:const|let|var)\\s+)?${escaped}\\s*(?::\\s*\\w+\\s*)?=\\s*\\d+`, 'm').test(text)) {
    throw new CliError(`--seed constant:${s.file}:${s.name}: no line "${s.name} = <number>" in ${s.file}; name the constant that holds the seed.`);
  }
}

/** "The seed is read from $SEED in train.py:12" — the finding as the question's subject. */
export function findingSentence(f: SeedFindingInfo): string {
  if (f.setting.kind === 'env') return `The seed is read from $${f.setting.name} in ${f.at}`;
  if (f.setting.kind === 'arg') return `The seed is parsed from ${f.setting.flag} in ${f.at}`;
  return `The seed is the constant ${f.setting.name} in ${f.at}`;
}

/** Asks one question at the terminal; the answer trimmed and lower-cased. */
export type Ask = (question: string) => Promise<string>;

/** A question at the terminal, or null when init does not run at one (a script, CI, a pipe). */
export function terminalAsk(): Ask | null {
  if (!process.stdin.isTTY || !process.stdout.isTTY) return null;
  return async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    try {
      return (await rl.question(question)).trim().toLowerCase();
    } finally {
      rl.close();
    }
  };
}

export interface SeedChoice {
  /** What to save: null leaves it undecided (Setup and the run then ask). */
  readonly seed: SeedConfig | null;
  /** The summary's lines ("  seed      …"), and advice. */
  readonly lines: readonly string[];
}

/** Decides config.seed from the flag, the answers at a terminal, or (unattended) nothing, with what to print. */
export async function chooseSeed(detection: SeedDetection, flag: SeedConfig | null, ask: Ask | null): Promise<SeedChoice> {
  if (flag) return { seed: flag, lines: [`  seed      ${describeSeed(flag)}`] };
  const found = detection.findings;
  if (found.length && ask) {
    for (const f of found) {
      const answer = await ask(`${findingSentence(f)} — vary it this way? [Y/n/none] `);
      if (answer === '' || answer === 'y' || answer === 'yes') return { seed: f.setting, lines: [`  seed      ${describeSeed(f.setting)} (${f.at})`] };
      if (answer === 'none') return { seed: { kind: 'none' }, lines: [`  seed      ${describeSeed({ kind: 'none' })}`] };
    }
    return { seed: null, lines: [`  seed      not decided; set it with --seed ${SEED_FORMS} (or in the app's Setup)`] };
  }
  if (found.length) {
    const f = found[0]!;
    const others = found.slice(1).map((o) => `--seed ${seedFlag(o.setting)} (${o.at})`);
    return {
      seed: null,
      lines: [
        `  seed      not decided. ${findingSentence(f)}: to vary it this way, run init again with --force --seed ${seedFlag(f.setting)}${others.length ? `; also found ${others.join(', ')}` : ''}; or --seed none if it cannot be varied`,
      ],
    };
  }
  const scanned = detection.scanned.length ? detection.scanned.join(', ') : 'no readable file';
  if (detection.fixed) {
    return { seed: null, lines: [`  seed      not decided. ${fixedSeedAdvice(detection.fixed)} Then run init again with --force --seed env:SEED (or --seed none).`] };
  }
  return { seed: null, lines: [`  seed      not decided: no seed setting found in ${scanned}; say how it is set with --seed ${SEED_FORMS}`] };
}
