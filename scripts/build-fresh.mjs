// Whether the app's build (out/) is older than what it is built from: `npm start` builds when out/ is missing, and
// again when a source changed since (a `git pull` without `npm ci`, whose `prepare` builds), so it never starts
// an older app than the folder holds.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** What the build is made from, relative to the app's folder. */
export const BUILD_INPUTS = ['src', 'package.json', 'package-lock.json', 'electron.vite.config.ts', 'tsconfig.json', 'scripts/build-cli.mjs'];

/** The build's files: the newest of them is when the last build ended (a build rewrites only what changed: the CLI's entry keeps its time). */
export const BUILD_OUTPUTS = ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html', 'out/cli/autoresearch.mjs'];

/**
 * The first input newer than the newest output (its path relative to `root`), or null when the build is as new as
 * its inputs. Missing outputs are the caller's to notice (nothing to compare with: null).
 */
export function changedSinceBuild(root, inputs = BUILD_INPUTS, outputs = BUILD_OUTPUTS) {
  let builtAt = 0;
  for (const o of outputs) {
    const st = statSync(path.join(root, o), { throwIfNoEntry: false });
    if (!st) return null;
    builtAt = Math.max(builtAt, st.mtimeMs);
  }
  const newer = (p) => {
    const st = statSync(p, { throwIfNoEntry: false });
    if (!st) return null;
    if (!st.isDirectory()) return st.mtimeMs > builtAt ? p : null;
    for (const e of readdirSync(p)) {
      const hit = newer(path.join(p, e));
      if (hit) return hit;
    }
    return null;
  };
  for (const i of inputs) {
    const hit = newer(path.join(root, i));
    if (hit) return path.relative(root, hit);
  }
  return null;
}
