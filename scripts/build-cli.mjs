// Bundles the `autoresearch` CLI (src/cli + src/core + src/shared) into out/cli/autoresearch.mjs, with each
// command's modules split into chunks (out/cli/chunks/) that load only when that command runs: `status` and
// `--help` start without loading the loop, the server or the report writer.
// npm packages stay external: they are resolved from node_modules at run time.
//
// Test files rebuild the CLI while CLIs started by other test files run and load their chunks: so a file whose
// content is unchanged is not touched, a changed one is replaced by rename (never seen half-written), and only
// chunks no longer produced are removed (their names carry a content hash; without this old ones pile up).
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const outdir = path.resolve('out/cli');
const result = await build({
  entryPoints: { autoresearch: 'src/cli/main.ts' },
  outdir,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  splitting: true,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  write: false,
});

const produced = new Set();
for (const file of result.outputFiles) {
  produced.add(file.path);
  if (existsSync(file.path) && readFileSync(file.path).equals(file.contents)) continue;
  mkdirSync(path.dirname(file.path), { recursive: true });
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
for (const dir of [outdir, path.join(outdir, 'chunks')]) {
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const full = path.join(dir, name);
    if (name !== 'chunks' && !produced.has(full)) rmSync(full, { force: true });
  }
}
