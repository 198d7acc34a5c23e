// Bundles the `autoresearch` CLI (src/cli + src/core + src/shared) into one ESM file.
// npm packages stay external: they are resolved from node_modules at run time.
import { build } from 'esbuild';

await build({
  entryPoints: ['src/cli/main.ts'],
  outfile: 'out/cli/autoresearch.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
