// `autoresearch` — the command-line face of the engine. Each command lives in commands/<name>.ts.
import { LinkRefusedError } from '../core/util/safe-fs.js';
import { commands } from './commands/index.js';
import { fsErrorMessage, isFsError } from './fs-errors.js';
import { CliError, type CliIo, processIo } from './io.js';

const USAGE = `autoresearch — run the autoresearch loop on your project

Usage: autoresearch <command> [options]

Commands:
${'{{COMMANDS}}'}

Run \`autoresearch <command> --help\` for a command's options.`;

export function usage(): string {
  const width = Math.max(...Object.keys(commands).map((k) => k.length));
  return USAGE.replace('{{COMMANDS}}', Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`).join('\n'));
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage() + '\n');
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-v') {
    io.out(`${io.appVersion}\n`);
    return 0;
  }
  const entry = commands[name];
  if (!entry) {
    io.err(`autoresearch: unknown command "${name}".\n\n${usage()}\n`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.err(`autoresearch ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    // A link planted under .autoresearch: the message names it and says to remove it; no stack trace.
    if (err instanceof LinkRefusedError) {
      io.err(`autoresearch ${name}: ${err.message}\n`);
      return 1;
    }
    if (isFsError(err)) {
      io.err(`autoresearch ${name}: ${fsErrorMessage(err)}\n`);
      return 1;
    }
    io.err(`autoresearch ${name}: ${(err as Error)?.stack ?? String(err)}\n`);
    return 1;
  }
}
