// The command table. Each command: a one-line summary for `autoresearch --help`, and run(argv, io) → exit code.
import type { CliIo } from '../io.js';
import { approveCommand } from './approve.js';
import { auditCommand } from './audit.js';
import { demoCommand } from './demo.js';
import { finalizeCommand } from './finalize.js';
import { initCommand } from './init.js';
import { reportCommand } from './report.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { statusCommand } from './status.js';
import { steerCommand } from './steer.js';

export interface Command {
  readonly summary: string;
  run(argv: readonly string[], io: CliIo): Promise<number>;
}

export const commands: Record<string, Command> = {
  init: initCommand,
  demo: demoCommand,
  run: runCommand,
  status: statusCommand,
  steer: steerCommand,
  approve: approveCommand,
  report: reportCommand,
  audit: auditCommand,
  finalize: finalizeCommand,
  serve: serveCommand,
};
