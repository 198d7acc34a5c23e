// The CLI (bin/autoresearch.mjs) runs the bundle in out/cli. After a `git pull` without `npm ci` that bundle is
// older than the folder's sources: the CLI says so on stderr (naming the file) and still runs, and says nothing
// once the build is newer. The real bin and build-fresh.mjs, copied into a temp app folder with a stand-in bundle.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '..', '..');
let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

const put = (rel: string, text: string, at: number) => {
  const p = path.join(root, rel);
  mkdirSync(path.dirname(p), { recursive: true });
  writeFileSync(p, text);
  utimesSync(p, at, at);
};

describe('the CLI with a build older than its sources', () => {
  it('warns with the changed file and runs; silent when the build is newer', () => {
    root = mkdtempSync(path.join(tmpdir(), 'cli-fresh-'));
    mkdirSync(path.join(root, 'bin'));
    mkdirSync(path.join(root, 'scripts'));
    copyFileSync(path.join(REPO, 'bin', 'autoresearch.mjs'), path.join(root, 'bin', 'autoresearch.mjs'));
    copyFileSync(path.join(REPO, 'scripts', 'build-fresh.mjs'), path.join(root, 'scripts', 'build-fresh.mjs'));
    put('out/cli/autoresearch.mjs', 'export async function main(args) { process.stdout.write(`ran ${args.join(" ")}\\n`); return 0; }\n', 2000);
    for (const o of ['out/main/index.js', 'out/preload/index.cjs', 'out/renderer/index.html']) put(o, '', 2000);
    put('package.json', '{}', 1000);
    put('src/core/loop/run.ts', '', 1000);
    const cli = () => spawnSync(process.execPath, [path.join(root, 'bin', 'autoresearch.mjs'), 'status'], { encoding: 'utf8' });
    const quiet = cli();
    expect([quiet.status, quiet.stdout, quiet.stderr]).toEqual([0, 'ran status\n', '']);
    put('src/core/loop/run.ts', '', 3000);
    const warned = cli();
    expect(warned.status).toBe(0);
    expect(warned.stdout).toBe('ran status\n');
    expect(warned.stderr).toBe(`autoresearch: ${path.join('src', 'core', 'loop', 'run.ts')} changed since the app was last built, so this CLI may be older than the folder. Run \`npm run build\` to use what it holds.\n`);
  });
});
