// `autoresearch serve [DIR] [--port N]`
export interface ServeArgs {
  readonly dir: string | null;
  readonly port: number;
  readonly help: boolean;
}

export const SERVE_USAGE = `Usage: autoresearch serve [DIR] [--port N]

Serves the Autoresearch Studio UI and its Api for the project in DIR (default: the current folder) on
http://127.0.0.1 only, behind a random token that is part of the printed URL. Stays up until Ctrl+C,
which stops any live run cleanly.

Options:
  --port N     listen on port N (default 0: a free port, printed)
  --no-open    do not open a browser (the default; serve never opens one)
  -h, --help   show this help

On a remote GPU machine: run serve there with a fixed --port, then on your computer
  ssh -N -L PORT:127.0.0.1:PORT user@gpu-box
and open the printed URL locally (the port numbers must match).`;

export class ServeArgsError extends Error {}

export function parseServeArgs(argv: readonly string[]): ServeArgs {
  let dir: string | null = null;
  let port = 0;
  let help = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-h' || a === '--help') help = true;
    else if (a === '--no-open') continue;
    else if (a === '--port' || a.startsWith('--port=')) {
      const value = a === '--port' ? argv[++i] : a.slice('--port='.length);
      if (value === undefined || !/^\d+$/.test(value) || Number(value) > 65535) {
        throw new ServeArgsError(`--port needs a number from 0 to 65535 (got ${value === undefined ? 'nothing' : JSON.stringify(value)}).`);
      }
      port = Number(value);
    } else if (a.startsWith('-')) {
      throw new ServeArgsError(`Unknown option ${a}.\n\n${SERVE_USAGE}`);
    } else if (dir === null) dir = a;
    else throw new ServeArgsError(`serve takes one project folder; got ${JSON.stringify(dir)} and ${JSON.stringify(a)}.`);
  }
  return { dir, port, help };
}
