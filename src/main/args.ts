// The desktop app's command line: `--project=DIR` (or `--project DIR`) opens DIR at start and, sent to a
// running instance, in its window.
import path from 'node:path';

export function projectArg(argv: readonly string[], cwd: string): string | null {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--project=')) return path.resolve(cwd, a.slice('--project='.length));
    if (a === '--project' && argv[i + 1]) return path.resolve(cwd, argv[i + 1]!);
  }
  return null;
}
