#!/usr/bin/env node
// The CLI is bundled by scripts/build-cli.mjs (run by `npm run build`, which `npm ci` triggers through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../out/cli/autoresearch.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('autoresearch: the CLI is not built yet. Run `npm run build` in the app folder, then try again.\n');
  process.exit(2);
}
const { main } = await import(bundle);
process.exitCode = await main(process.argv.slice(2));
