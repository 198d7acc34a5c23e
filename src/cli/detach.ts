// `autoresearch run --detach`: the run continues in a background process of its own session (no
// controlling terminal, so closing the terminal or dropping the SSH session cannot signal it), with its
// output in the run folder. This terminal waits only until the run has really started, so a refused start
// (dirty tree, bad config, a run already going) is still reported here, with its exit code.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { defaultTag, preflight, RunStartError } from '../core/loop/start-run.js';
import { runPaths } from '../core/project/paths.js';
import { shownPath } from './format.js';
import type { CliIo } from './io.js';

export interface DetachInput {
  readonly dir: string;
  readonly tag: string | null;
  /** The `run` arguments as given; --detach is dropped and --tag added when it was not given. */
  readonly argv: readonly string[];
  readonly io: CliIo;
}

/** The file a detached run writes its output to. */
export const detachedOutputFile = (projectDir: string, tag: string) => path.join(runPaths(projectDir, tag).dir, 'output.log');

export async function detachRun(input: DetachInput): Promise<number> {
  const { dir, io } = input;
  // What the run would refuse (a missing folder, no git repository, no config) is refused here, before the run
  // folder and its output file are made: a mistyped path must not be left with .autoresearch/runs in it.
  const problem = await preflight(dir).then(
    () => null,
    (err: Error) => (err instanceof RunStartError ? err.message : null),
  );
  if (problem) {
    io.err(`autoresearch run: ${problem}\n`);
    return 2;
  }
  const tag = input.tag ?? (await defaultTag(dir).catch(() => null));
  if (!tag) {
    io.err(`autoresearch run: ${dir} cannot be read as a project. Check the folder, then try again.\n`);
    return 2;
  }
  const runDir = runPaths(dir, tag).dir;
  const createdRunDir = !existsSync(runDir);
  const outFile = detachedOutputFile(dir, tag);
  let fd: number;
  try {
    mkdirSync(runDir, { recursive: true });
    fd = openSync(outFile, 'a');
  } catch (err) {
    io.err(`autoresearch run: cannot write ${outFile} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}). Check that you may write to ${dir}.\n`);
    return 2;
  }
  const args = input.argv.filter((a) => a !== '--detach');
  if (input.tag === null) args.push('--tag', tag);
  const bin = path.join(io.appRoot, 'bin', 'autoresearch.mjs');
  const child = spawn(process.execPath, [bin, 'run', ...args], {
    cwd: io.cwd,
    env: { ...io.env, AUTORESEARCH_DETACHED: '1' },
    detached: true,
    stdio: ['ignore', fd, fd, 'ipc'],
  });
  closeSync(fd);

  const outcome = await new Promise<{ started: true } | { started: false; code: number | null }>((resolve) => {
    child.once('message', () => resolve({ started: true }));
    child.once('exit', (code) => resolve({ started: false, code }));
    child.once('error', () => resolve({ started: false, code: null }));
  });
  if (!outcome.started) {
    // The start was refused: show why here, and leave no trace of a run that never began.
    io.err(readFileSync(outFile, 'utf8'));
    const runFiles = existsSync(runDir) ? readdirSync(runDir) : [];
    if (createdRunDir && runFiles.every((f) => f === 'output.log')) rmSync(runDir, { recursive: true, force: true });
    return outcome.code ?? 1;
  }
  if (child.connected) child.disconnect();
  child.unref();
  const shown = shownPath(io.cwd, dir);
  io.out(
    `Run ${tag} continues in the background (process ${child.pid}); it survives this terminal.\n` +
      `  output:  ${outFile}\n` +
      `  follow:  autoresearch status ${shown}   (or tail -f the output)\n` +
      `  stop:    kill ${child.pid}   (stops cleanly, like Ctrl-C)\n`,
  );
  return 0;
}
