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
const code = await main(process.argv.slice(2));
if (code === 129) {
  // Stopped because the terminal closed (SIGHUP), and the run is already recorded as stopped. Exiting normally
  // would make Node restore the terminal's settings on a terminal that no longer exists, which aborts it
  // (SIGABRT in node::ResetStdio). Ending by the signal itself skips that and tells the parent what happened.
  process.removeAllListeners('SIGHUP');
  process.kill(process.pid, 'SIGHUP');
}
process.exitCode = code;
