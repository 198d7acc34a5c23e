// Which pattern of a list matches a path, with the engine's own matcher (picomatch, dot files included),
// so the file picker shows exactly what the harness will enforce.
import picomatch from 'picomatch';

const cache = new Map<string, (path: string) => boolean>();

function matcher(pattern: string): (path: string) => boolean {
  let m = cache.get(pattern);
  if (!m) {
    m = picomatch(pattern, { dot: true });
    cache.set(pattern, m);
  }
  return m;
}

export function isGlob(pattern: string): boolean {
  return picomatch.scan(pattern).isGlob;
}

/** The first pattern that matches the path, or null. */
export function matchesAny(path: string, patterns: readonly string[]): string | null {
  for (const p of patterns) {
    if (p.trim() && matcher(p.trim())(path)) return p;
  }
  return null;
}
