// Runs a TypeScript benchmark: bundles bench/<name>.ts with esbuild into out/bench/ and runs it with node.
// Usage: node bench/run.mjs loop-overhead [args...]   (npm run bench runs them all)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [name, ...args] = process.argv.slice(2);
const names = name ? [name] : readdirSync(here).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
let failed = 0;
for (const n of names) {
  const outfile = path.join(here, '..', 'out', 'bench', `${n}.mjs`);
  await build({ entryPoints: [path.join(here, `${n}.ts`)], outfile, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
  console.log(`\n== bench/${n}`);
  const r = spawnSync(process.execPath, [outfile, ...args], { stdio: 'inherit' });
  if (r.status !== 0) failed += 1;
}
process.exit(failed ? 1 : 0);
