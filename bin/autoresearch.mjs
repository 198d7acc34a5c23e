#!/usr/bin/env node
// The CLI is bundled by scripts/build-cli.mjs (run by `npm run build`, which `npm ci` triggers through `prepare`).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = fileURLToPath(new URL('../out/cli/autoresearch.mjs', import.meta.url));
if (!existsSync(bundle)) {
  process.stderr.write('autoresearch: the CLI is not built yet. Run `npm run build` in the app folder, then try again.\n');
  process.exit(2);
}
// A source newer than the build (a `git pull` without `npm ci`): this CLI is the older one. Said, not rebuilt here
// (a build in the middle of a command, or two at once, would surprise more than it helps); `npm start` rebuilds.
const fresh = await import('../scripts/build-fresh.mjs').catch(() => null);
const changed = fresh?.changedSinceBuild(fileURLToPath(new URL('..', import.meta.url)));
if (changed) process.stderr.write(`autoresearch: ${changed} changed since the app was last built, so this CLI may be older than the folder. Run \`npm run build\` to use what it holds.\n`);
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
