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
    throw new CliError(`${(err as Error).message}\n\n${usage}`);
  }
}

export function intOption(value: unknown, flag: string, min = 1): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new CliError(`${flag} must be a whole number of at least ${min} (got "${String(value)}").`);
  return n;
}

export function numberOption(value: unknown, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new CliError(`${flag} must be a positive number (got "${String(value)}").`);
  return n;
}
