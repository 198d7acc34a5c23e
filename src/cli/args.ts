// Thin wrapper over node:util parseArgs that turns its errors into messages with the command's usage.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './io.js';

export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  argv: readonly string[],
  options: T,
  usage: string,
): { values: Record<string, string | boolean | string[] | undefined>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
    return { values: values as Record<string, string | boolean | string[] | undefined>, positionals };
  } catch (err) {
    // One line that says what to do, not the whole usage: the command's --help has that.
    const command = /^Usage:\s+(autoresearch \S+)/.exec(usage)?.[1] ?? 'autoresearch';
    throw new CliError(`${oneLine(err as Error)} See \`${command} --help\` for the options.`);
  }
}

/** node's parseArgs errors, shortened where a negative number or a dash-first value looks like an option. */
function oneLine(err: Error & { code?: string }): string {
  const ambiguous = /^Option '([^']+)' argument is ambiguous/.exec(err.message);
  if (ambiguous) {
    const flag = ambiguous[1]!.split(', ').pop()!;
    return `${flag} was given a value that starts with "-", which reads as an option: a number must be positive, and a value that starts with "-" is written ${flag}=-VALUE.`;
  }
  return err.message.split('\n')[0]!;
}

export function intOption(value: unknown, flag: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new CliError(`${flag} must be a whole number ${max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`} (got "${String(value)}").`);
  }
  return n;
}

export function numberOption(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag} must be a positive number (got "${String(value)}").`);
  return n;
}
