// The command table. Each command: a one-line summary for `autoresearch --help`, and run(argv, io) → exit code.
import type { CliIo } from '../io.js';

export interface Command {
  readonly summary: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export const commands: Record<string, Command> = {};
