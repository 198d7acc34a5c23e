// `autoresearch serve`: open the project, serve the UI and the Api, stop cleanly on SIGINT/SIGTERM.
import { homedir } from 'node:os';
import path from 'node:path';
import { stat } from 'node:fs/promises';
import { createEnvSecretStore, type Studio, type StudioDeps } from '../../core/studio/index.js';
import { CliError, type CliIo } from '../io.js';
import { parseServeArgs, SERVE_USAGE, ServeArgsError } from './args.js';
import { startServer } from './server.js';

export interface RunServeDeps {
  readonly io: CliIo;
  readonly createStudio: (deps: StudioDeps) => Promise<Studio>;
  /** Resolves with the signal's name when the server should stop. Defaults to SIGINT/SIGTERM. */
  readonly waitForStop?: () => Promise<string>;
}

/** The app's own files (recent projects, demo copies): AUTORESEARCH_DATA_DIR, else ~/.autoresearch-studio. */
export function serveDataDir(env: NodeJS.ProcessEnv): string {
  return path.resolve(env.AUTORESEARCH_DATA_DIR?.trim() || path.join(homedir(), '.autoresearch-studio'));
}

/**
 * The first SIGINT/SIGTERM starts a clean stop. Later ones must not kill the process halfway through it
 * (a wrapper such as `npm start` may pass the same Ctrl+C on); a third one quits without waiting.
 */
export function waitForSignal(err: (text: string) => void = (t) => process.stderr.write(t)): Promise<string> {
  return new Promise((resolve) => {
    let count = 0;
    const on = (signal: NodeJS.Signals) => {
      count += 1;
      if (count === 1) resolve(signal);
      else if (count === 2) err('Still stopping the run cleanly… press Ctrl+C once more to quit without waiting.\n');
      else process.exit(130);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export async function runServe(argv: readonly string[], deps: RunServeDeps): Promise<number> {
  const { io } = deps;
  let args;
  try {
    args = parseServeArgs(argv);
  } catch (err) {
    if (err instanceof ServeArgsError) throw new CliError(err.message);
    throw err;
  }
  if (args.help) {
    io.out(`${SERVE_USAGE}\n`);
    return 0;
  }
  const dir = path.resolve(io.cwd, args.dir ?? '.');
  const info = await stat(dir).catch(() => null);
  if (!info) throw new CliError(`${dir} does not exist. Give the folder of your project: autoresearch serve /path/to/project`);
  if (!info.isDirectory()) throw new CliError(`${dir} is a file; give the folder of your project.`);

  // Ask for the signals before anything slow, so a Ctrl+C during start-up still stops cleanly.
  const stopped = (deps.waitForStop ?? waitForSignal)();
  const studio = await deps.createStudio({
    app: { version: io.appVersion, host: 'serve', platform: process.platform },
    dataDir: serveDataDir(io.env),
    appRoot: io.appRoot,
    secrets: createEnvSecretStore(io.env),
    env: io.env,
  });
  let server;
  try {
    await studio.api.openProject({ dir });
    server = await startServer({ studio, rendererDir: path.join(io.appRoot, 'out', 'renderer'), port: args.port });
  } catch (err) {
    // Best effort on the way out: the error that matters (why serve could not start) is thrown next.
    await studio.dispose().catch(() => undefined);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new CliError(`Port ${args.port} is in use; pick another with --port, or --port 0 for a free one.`);
    throw new CliError((err as Error).message);
  }

  io.out(
    [
      `Autoresearch Studio is serving ${dir}`,
      `  Open: ${server.url}`,
      '  Keep this URL secret: its token is a password to a shell on this machine (whoever has it can save a run',
      '  command and start it). Do not paste it into chats or tickets, and stop the server when you are done.',
      `  Listening on 127.0.0.1:${server.port} only. From another computer: ssh -N -L ${server.port}:127.0.0.1:${server.port} <this machine>, then open the URL there.`,
      'Press Ctrl+C to stop (a live run is stopped cleanly).',
      '',
    ].join('\n'),
  );

  const signal = await stopped;
  io.out(`\n${signal}: stopping${studio.isRunning() ? ' the run and' : ''} the server…\n`);
  await server.close();
  await studio.dispose();
  io.out('Stopped.\n');
  return 0;
}
