import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { stripControl } from './sanitize.js';

/** Where a command writes; tests pass their own to capture output. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  readonly appVersion: string;
  /** The folder of the app (package root): resources/, out/renderer. */
  readonly appRoot: string;
}

/** An error whose message is meant for the user as is (no stack trace). */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

export function findAppRoot(): string {
  // This module runs from src/cli/ (sources), out/cli/ or out/cli/chunks/ (the bundle splits per command): the
  // package root is the nearest folder above with the app's package.json.
  const here = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = here, i = 0; i < 4; i++, dir = path.dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string }).name === APP_PACKAGE_NAME) return dir;
    } catch {
      // No package.json here (or not ours): one level up.
    }
  }
  return path.resolve(here, '..', '..');
}

const APP_PACKAGE_NAME = 'autoresearch-studio';

export function processIo(): CliIo {
  const appRoot = findAppRoot();
  let appVersion = '0.0.0';
  try {
    appVersion = (JSON.parse(readFileSync(path.join(appRoot, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    // A missing package.json only costs the version string.
  }
  return {
    // Descriptions and log tails come from agent-written code: no escape sequence reaches the terminal.
    // A closed pipe or a vanished terminal only stops the printing (guardedWriter).
    out: ((write) => (t: string) => write(stripControl(t)))(guardedWriter(process.stdout)),
    err: ((write) => (t: string) => write(stripControl(t)))(guardedWriter(process.stderr)),
    cwd: process.cwd(),
    env: process.env,
    appVersion,
    appRoot,
  };
}

/**
 * Writes to a stream that may close under us: `run … | head -1`, `status | head -4`, a terminal that went
 * away. Output is a courtesy; the journal is the record. So a closed pipe (EPIPE) or a vanished terminal
 * (EIO) only stops the printing, never the run, and never becomes a stack trace.
 */
export function guardedWriter(stream: NodeJS.WriteStream): (text: string) => void {
  let broken = false;
  stream.on('error', () => {
    broken = true;
  });
  return (text) => {
    if (broken || stream.destroyed || !stream.writable) return;
    try {
      stream.write(text);
    } catch {
      // A closed pipe (`| head`): later output is dropped, the command itself goes on and exits as it would.
      broken = true;
    }
  };
}
